"""The list and the card cost a fixed number of queries however much data they show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sputnik.parties.models import Interest
from sputnik.parties.services import (
    address_create,
    asset_create,
    company_create,
    company_role_create,
    important_date_create,
    person_create,
    relation_create,
)

pytestmark = pytest.mark.django_db

LIST_MAX_QUERIES = 14
CARD_MAX_QUERIES = 20


def _people(actor, n: int, offset: int = 0) -> list:
    return [
        person_create(
            actor=actor,
            data={
                "last_name": f"Клиент{offset + i:03d}",
                "first_name": "Тест",
                "phones": [f"+7 912 {offset + i:03d}-00-01", f"+7 912 {offset + i:03d}-00-02"],
                "emails": [f"c{offset + i}@example.ru"],
                "tags": ["постоянный"],
            },
        )
        for i in range(n)
    ]


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_persons_list_does_not_grow_queries_with_rows(
    client, head, django_assert_max_num_queries
):
    _people(head, 3)
    client.force_login(head)
    url = reverse("parties:person_list") + "?owner=me&tag=постоянный"
    few = _count(client, url)
    _people(head, 40, offset=100)
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        response = client.get(url)
    assert response.content.decode().count("/persons/") >= 40
    assert _count(client, url) == few


def _rich_person(actor, others: int):
    person = _people(actor, 1, offset=900)[0]
    friends = _people(actor, others, offset=500)
    company = company_create(actor=actor, data={"name": "ООО Ромашка"})
    company_role_create(actor=actor, person=person, company=company, title="Директор")
    for i, friend in enumerate(friends):
        relation_create(actor=actor, person=person, other=friend, kind="friend")
        asset_create(
            actor=actor,
            person=person,
            data={"make": "Lada", "model": f"Vesta {i}", "warranty_end": dt.date(2030, 1, 1)},
        )
        important_date_create(actor=actor, person=person, label=f"Дата {i}", date="2000-01-01")
        address_create(actor=actor, person=person, data={"city": f"Город {i}"})
    interest = Interest.objects.create(slug=f"i{others}", name_ru="Рыбалка", name_en="Fishing")
    person.interests.add(interest)
    return person


def test_the_person_card_does_not_grow_queries_with_relations_vehicles_and_dates(
    client, head, django_assert_max_num_queries
):
    small = _rich_person(head, 1)
    big = _rich_person(head, 12)
    client.force_login(head)
    few = _count(client, reverse("parties:person_detail", args=[small.pk]))
    with django_assert_max_num_queries(CARD_MAX_QUERIES):
        response = client.get(reverse("parties:person_detail", args=[big.pk]))
    assert response.content.decode().count("Vesta") == 12
    assert _count(client, reverse("parties:person_detail", args=[big.pk])) == few


def test_the_timeline_fragment_is_a_fixed_number_of_queries(
    client, person, owner, django_assert_max_num_queries
):
    from sputnik.activities.services import note_create

    for i in range(30):
        note_create(actor=owner, person_id=person.pk, body=f"n{i}")
    client.force_login(owner)
    with django_assert_max_num_queries(6):
        client.get(reverse("activities:timeline", args=[person.pk]), HTTP_HX_REQUEST="true")
