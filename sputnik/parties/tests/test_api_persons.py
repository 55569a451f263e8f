"""Persons over the API: create, read, change, delete, stage, transfer, validation, paging."""

from __future__ import annotations

import pytest

from sputnik.core.models import AuditEntry, CustomFieldDefinition
from sputnik.core.tests.test_api_support import API, client_for, field_messages
from sputnik.parties.models import Person
from sputnik.parties.services import person_create

JSON = "application/json"


def test_creating_a_person_stores_normalised_contacts_and_returns_both_phone_forms(owner):
    response = client_for(owner).post(
        f"{API}/persons",
        {
            "last_name": "Смирнова",
            "first_name": "Анна",
            "phones": ["+7 912 345 67 89", {"value": "8 (495) 123-45-67", "label": "work"}],
            "emails": ["Anna@Example.RU"],
            "tags": ["vip-event"],
            "birthday": "1985-04-12",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["phones"][0] == {
        "value": "+79123456789",
        "display": "+7 912 345-67-89",
        "label": "",
        "is_primary": True,
    }
    assert body["phones"][1]["value"] == "+74951234567"
    assert body["emails"][0]["value"] == "anna@example.ru"
    assert body["owner"]["id"] == owner.pk
    assert body["centre"]["id"] == owner.centre_id
    person = Person.objects.get(pk=body["id"])
    assert person.birthday.isoformat() == "1985-04-12"
    assert sorted(person.contacts.values_list("value", flat=True)) == [
        "+74951234567",
        "+79123456789",
        "anna@example.ru",
    ]
    assert AuditEntry.objects.filter(subject_person_id=person.pk, action="create").exists()


def test_patch_changes_only_the_fields_sent(owner, person):
    response = client_for(owner).patch(
        f"{API}/persons/{person.pk}", {"job_title": "Инженер"}, content_type=JSON
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.job_title == "Инженер"
    assert person.first_name == "Сергей"
    assert person.contacts.count() == 2


@pytest.mark.parametrize(
    "field, value",
    [
        ("centre", 999),
        ("centre_id", 999),
        ("owner", 999),
        ("owner_id", 999),
        ("created_at", "2001-01-01T00:00:00Z"),
        ("updated_at", "2001-01-01T00:00:00Z"),
        ("created_by", 1),
        ("is_staff", True),
        ("id", 12345),
    ],
)
def test_patch_naming_a_field_outside_the_allowlist_is_422_and_changes_nothing(
    owner, person, centre_b, outsider, field, value
):
    value = {
        "centre": centre_b.pk,
        "centre_id": centre_b.pk,
        "owner": outsider.pk,
        "owner_id": outsider.pk,
    }.get(field, value)
    before = Person.objects.values().get(pk=person.pk)
    response = client_for(owner).patch(
        f"{API}/persons/{person.pk}", {"first_name": "Иван", field: value}, content_type=JSON
    )
    assert response.status_code == 422
    assert field_messages(response, field) == ["This field is not allowed here."]
    assert Person.objects.values().get(pk=person.pk) == before


@pytest.mark.parametrize(
    "payload, path, message",
    [
        ({"phones": ["12345"]}, ("phones", 0), "not a valid phone number"),
        ({"phones": ["+7 912 345 67 89", "позвоните"]}, ("phones", 1), "is not a phone number"),
        ({"emails": ["not-an-email"]}, ("emails", 0), "is not an e-mail address"),
        ({"birthday": "31.02.2020"}, ("birthday",), "Enter a date"),
        ({"birthday": "2999-01-01"}, ("birthday",), "realistic date"),
        ({"stage": "vip"}, ("stage",), "Choose one of"),
        ({"last_name": "x" * 101}, ("last_name",), "At most 100 characters"),
        ({"employer_id": 2**70}, ("employer_id",), "too large"),
        ({"is_vip": "maybe"}, ("is_vip",), "true or false"),
        ({"custom": {"unknown": 1}}, ("custom", "unknown"), "Unknown field"),
        ({"custom": {"mileage_goal": "много"}}, ("custom", "mileage_goal"), "whole number"),
    ],
)
def test_bad_input_is_422_with_a_message_on_the_field_and_changes_nothing(
    owner, person, payload, path, message
):
    CustomFieldDefinition.objects.create(
        entity="person", key="mileage_goal", label_ru="Пробег", label_en="Mileage", type="integer"
    )
    before = Person.objects.values().get(pk=person.pk)
    contacts_before = sorted(person.contacts.values_list("value", flat=True))
    response = client_for(owner).patch(f"{API}/persons/{person.pk}", payload, content_type=JSON)
    assert response.status_code == 422, response.json()
    messages = field_messages(response, *path)
    assert messages, response.json()
    assert any(message in m for m in messages), messages
    assert Person.objects.values().get(pk=person.pk) == before
    assert sorted(person.contacts.values_list("value", flat=True)) == contacts_before


def test_create_with_several_bad_fields_reports_each_of_them(owner):
    response = client_for(owner).post(
        f"{API}/persons",
        {"first_name": "", "phones": ["abc"], "emails": ["@"]},
        content_type=JSON,
    )
    assert response.status_code == 422
    locs = {tuple(e["loc"]) for e in response.json()["detail"]}
    assert {("body", "last_name"), ("body", "phones", 0), ("body", "emails", 0)} <= locs
    assert not Person.objects.exists()


def test_valid_custom_fields_are_stored_and_filter_the_list(owner):
    CustomFieldDefinition.objects.create(
        entity="person",
        key="fav_colour",
        label_ru="Цвет",
        label_en="Colour",
        type="choice",
        choices=["red", "blue"],
    )
    client = client_for(owner)
    red = client.post(
        f"{API}/persons",
        {"last_name": "Красный", "custom": {"fav_colour": "red"}},
        content_type=JSON,
    )
    client.post(
        f"{API}/persons",
        {"last_name": "Синий", "custom": {"fav_colour": "blue"}},
        content_type=JSON,
    )
    assert red.json()["custom"] == {"fav_colour": "red"}
    listed = client.get(f"{API}/persons", {"cf_fav_colour": "red"}).json()["items"]
    assert [p["id"] for p in listed] == [red.json()["id"]]


def test_messages_follow_the_users_language(owner, person):
    owner.language = "ru"
    owner.save(update_fields=["language"])
    from django.utils import translation

    response = client_for(owner).patch(
        f"{API}/persons/{person.pk}", {"phones": ["12345"]}, content_type=JSON
    )
    with translation.override("ru"):
        from django.utils.translation import gettext

        expected = gettext("“%(value)s” is not a valid phone number.") % {"value": "12345"}
    assert response.status_code == 422
    assert field_messages(response, "phones", 0) == [expected]


def test_list_filters_by_stage_and_query(owner):
    person_create(actor=owner, data={"last_name": "Альфа", "stage": "customer"})
    person_create(actor=owner, data={"last_name": "Бета", "stage": "prospect"})
    client = client_for(owner)
    customers = client.get(f"{API}/persons", {"stage": "customer"}).json()["items"]
    assert [p["last_name"] for p in customers] == ["Альфа"]
    found = client.get(f"{API}/persons", {"q": "бета"}).json()["items"]
    assert [p["last_name"] for p in found] == ["Бета"]
    mine = client.get(f"{API}/persons", {"owner": "me"}).json()["items"]
    assert len(mine) == 2


def test_cursor_pages_through_more_than_fifty_persons_without_gaps_or_repeats(owner):
    created = {
        person_create(actor=owner, data={"last_name": f"Клиент{i:03d}"}).pk for i in range(63)
    }
    client = client_for(owner)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"cursor": cursor} if cursor else {}
        body = client.get(f"{API}/persons", params).json()
        seen += [p["id"] for p in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 2
    assert len(seen) == len(set(seen)) == 63
    assert set(seen) == created


def test_a_tampered_cursor_starts_over_rather_than_failing(owner, person):
    body = client_for(owner).get(f"{API}/persons", {"cursor": "garbage:1"}).json()
    assert [p["id"] for p in body["items"]] == [person.pk]


def test_list_uses_a_bounded_number_of_queries(owner, django_assert_max_num_queries):
    for i in range(30):
        person_create(
            actor=owner,
            data={
                "last_name": f"Клиент{i}",
                "phones": [f"912000{i:04d}"],
                "emails": [f"c{i}@example.ru"],
            },
        )
    client = client_for(owner)
    with django_assert_max_num_queries(6):
        response = client.get(f"{API}/persons")
    assert len(response.json()["items"]) == 30


def test_detail_uses_a_bounded_number_of_queries(owner, person, django_assert_max_num_queries):
    client = client_for(owner)
    with django_assert_max_num_queries(16):
        assert client.get(f"{API}/persons/{person.pk}").status_code == 200


def test_changing_the_stage_records_it_on_the_timeline(owner, person):
    response = client_for(owner).post(
        f"{API}/persons/{person.pk}/stage",
        {"stage": "customer", "reason": "купил"},
        content_type=JSON,
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.stage == "customer"
    assert person.stage_changes.filter(to_stage="customer", reason="купил").exists()


def test_transfer_needs_the_transfer_right(owner, person, colleague):
    response = client_for(owner).post(
        f"{API}/persons/{person.pk}/transfer",
        {"centre_id": person.centre_id, "owner_id": colleague.pk},
        content_type=JSON,
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.owner_id == owner.pk


def test_centre_head_transfers_a_person_to_a_colleague(head, person, colleague):
    response = client_for(head).post(
        f"{API}/persons/{person.pk}/transfer",
        {"centre_id": person.centre_id, "owner_id": colleague.pk},
        content_type=JSON,
    )
    assert response.status_code == 200
    assert response.json()["owner"]["id"] == colleague.pk
    person.refresh_from_db()
    assert person.owner_id == colleague.pk
    assert AuditEntry.objects.filter(subject_person_id=person.pk, action="transfer").exists()


def test_transfer_to_an_unknown_centre_is_422(head, person):
    response = client_for(head).post(
        f"{API}/persons/{person.pk}/transfer", {"centre_id": 99999}, content_type=JSON
    )
    assert response.status_code == 422
    assert field_messages(response, "centre_id")


def test_only_a_role_with_the_delete_right_deletes(owner, head, person):
    assert client_for(owner).delete(f"{API}/persons/{person.pk}").status_code == 403
    assert Person.objects.filter(pk=person.pk).exists()
    assert client_for(head).delete(f"{API}/persons/{person.pk}").status_code == 204
    assert not Person.objects.filter(pk=person.pk).exists()


def test_history_lists_the_audit_trail_newest_first(owner, person):
    client = client_for(owner)
    client.patch(f"{API}/persons/{person.pk}", {"job_title": "Пилот"}, content_type=JSON)
    items = client.get(f"{API}/persons/{person.pk}/history").json()["items"]
    assert items[0]["action"] == "update"
    assert {"field": "job_title", "before": "", "after": "Пилот"} in items[0]["changes"]
    assert items[-1]["action"] == "create"
