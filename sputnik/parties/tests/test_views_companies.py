"""Companies through the web UI: list, card, create, edit, visibility."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sputnik.parties.models import Company
from sputnik.parties.services import company_create, company_role_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def company(owner):
    return company_create(
        actor=owner, data={"name": "ООО Ромашка", "inn": "7707083893", "phones": ["84951234567"]}
    )


def test_a_company_is_created_edited_and_listed(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("parties:company_create"),
        {
            "name": "ООО Лютик",
            "inn": "7707083893",
            "source": "other",
            "phone_0": "8 495 123-45-67",
            "email_0": "Info@Lutik.ru",
        },
    )
    company = Company.objects.get(name="ООО Лютик")
    assert response.status_code == 302
    assert company.contacts.get(kind="phone").value == "+74951234567"

    response = client.post(
        reverse("parties:company_edit", args=[company.pk]),
        {
            "name": "ООО Лютик и сыновья",
            "inn": "7707083893",
            "source": "other",
            "phone_0": "+7 495 123-45-67",
        },
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.name == "ООО Лютик и сыновья"

    listing = client.get(reverse("parties:company_list"), {"q": "лютик"}, **HTMX)
    assert "ООО Лютик и сыновья" in listing.content.decode()
    assert "<html" not in listing.content.decode()


def test_a_bad_inn_is_shown_at_its_field_and_nothing_is_saved(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("parties:company_create"),
        {"name": "ООО Ошибка", "inn": "1234567890", "source": "other"},
    )
    assert response.status_code == 200
    assert "The INN&#x27;s check digits do not match." in response.content.decode()
    assert not Company.objects.exists()


def test_the_company_card_lists_only_people_the_viewer_may_see(
    client, company, owner, head, person
):
    from sputnik.parties.services import person_create

    hidden = person_create(actor=head, data={"last_name": "Директоров", "first_name": "Иван"})
    company_role_create(actor=head, person=hidden, company=company, title="Директор")
    company_role_create(actor=owner, person=person, company=company, title="Водитель")
    client.force_login(head)
    html = client.get(reverse("parties:company_detail", args=[company.pk])).content.decode()
    assert "Директоров Иван" in html and "Иванов Сергей" in html
    client.force_login(owner)
    html = client.get(reverse("parties:company_detail", args=[company.pk])).content.decode()
    assert "Иванов Сергей" in html
    assert "Директоров Иван" not in html


def test_an_outsider_gets_404_for_the_company_card_edit_and_history(client, company, outsider):
    client.force_login(outsider)
    for name in ("company_detail", "company_edit", "company_history", "company_delete"):
        assert client.get(reverse(f"parties:{name}", args=[company.pk])).status_code == 404
    assert "Ромашка" not in client.get(reverse("parties:company_list")).content.decode()
    assert (
        "Ромашка"
        not in client.get(
            reverse("parties:company_autocomplete"), {"q": "Ромашка"}
        ).content.decode()
    )


def test_company_list_pages_with_a_next_link(client, owner):
    for i in range(55):
        company_create(actor=owner, data={"name": f"Компания {i:02d}"})
    client.force_login(owner)
    first = client.get(reverse("parties:company_list")).content.decode()
    assert "Компания 00" in first and "Компания 54" not in first
    assert "cursor=" in first
    cursor = first.split("cursor=")[1].split('"')[0].replace("&amp;", "&")
    second = client.get(reverse("parties:company_list") + "?cursor=" + cursor, **HTMX)
    assert "Компания 54" in second.content.decode()
