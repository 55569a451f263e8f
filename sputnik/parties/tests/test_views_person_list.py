"""The persons list: filters, sort, keyset paging, the capped count and Russian formats."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from sputnik.core.models import CustomFieldDefinition
from sputnik.parties.models import Interest
from sputnik.parties.services import person_create
from sputnik.web.templatetags.sputnik_ui import count_display, money

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def crowd(head):
    fishing = Interest.objects.create(slug="fishing", name_ru="Рыбалка", name_en="Fishing")
    CustomFieldDefinition.objects.create(
        entity="person",
        key="car_colour",
        label_ru="Цвет",
        label_en="Colour",
        type="choice",
        choices=["red", "blue"],
    )
    a = person_create(
        actor=head,
        data={
            "last_name": "Алексеев",
            "first_name": "А",
            "stage": "customer",
            "tags": ["дача"],
            "custom": {"car_colour": "red"},
        },
    )
    a.interests.add(fishing)
    b = person_create(
        actor=head,
        data={
            "last_name": "Борисов",
            "first_name": "Б",
            "source": "event",
            "custom": {"car_colour": "blue"},
        },
    )
    return a, b


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"stage": "customer"}, "Алексеев", "Борисов"),
        ({"tag": "дача"}, "Алексеев", "Борисов"),
        ({"interest": "fishing"}, "Алексеев", "Борисов"),
        ({"source": "event"}, "Борисов", "Алексеев"),
        ({"cf_car_colour": "blue"}, "Борисов", "Алексеев"),
        ({"q": "бори"}, "Борисов", "Алексеев"),
        ({"owner": "me"}, "Алексеев", "Иванов"),
    ],
)
def test_each_filter_narrows_the_list_and_its_count(
    client, crowd, head, person, params, shown, hidden
):
    client.force_login(head)
    html = client.get(reverse("parties:person_list"), params, **HTMX).content.decode()
    assert shown in html and hidden not in html
    expected = 2 if params == {"owner": "me"} else 1
    assert f"Found: {expected}" in html


def test_unknown_filter_values_are_ignored_not_errors(client, crowd, head):
    client.force_login(head)
    response = client.get(
        reverse("parties:person_list"),
        {
            "stage": "DROP TABLE",
            "owner": "x" * 50,
            "centre": "-1",
            "sort": "password",
            "cursor": "forged",
            "cf_password": "1",
            "cf_car_colour": "green",
        },
    )
    assert response.status_code == 200


def test_sorting_by_name_descending(client, crowd, head):
    client.force_login(head)
    html = client.get(reverse("parties:person_list"), {"sort": "-name"}).content.decode()
    assert html.index("Борисов") < html.index("Алексеев")


def test_paging_follows_the_next_link(client, head):
    for i in range(55):
        person_create(actor=head, data={"last_name": f"Фамилия{i:02d}", "first_name": "И"})
    client.force_login(head)
    first = client.get(reverse("parties:person_list")).content.decode()
    assert "Фамилия00" in first and "Фамилия54" not in first
    assert "Found: 55" in first
    link = first.split('hx-get="/persons/?')[1].split('"')[0].replace("&amp;", "&")
    second = client.get("/persons/?" + link, **HTMX).content.decode()
    assert "Фамилия54" in second and "Фамилия00" not in second
    assert "First page" in second


def test_a_count_beyond_the_cap_reads_ten_thousand_plus_with_russian_spacing():
    with translation.override("ru"):
        assert count_display(None) == "10\u00a0000+"
        assert money("1234567.5") == "1\u00a0234\u00a0567,50"
    with translation.override("en"):
        assert money("1234567.5") == "1,234,567.50"


def test_russian_users_see_dates_as_dd_mm_yyyy_and_phones_grouped(client, owner):
    owner.language = "ru"
    owner.save()
    person = person_create(
        actor=owner,
        data={
            "last_name": "Датов",
            "first_name": "Д",
            "birthday": "1980-05-17",
            "phones": ["89123456789"],
        },
    )
    client.force_login(owner)
    html = client.get(reverse("parties:person_detail", args=[person.pk])).content.decode()
    assert "17.05.1980" in html
    assert "+7 912 345-67-89" in html
