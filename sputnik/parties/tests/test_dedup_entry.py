"""Duplicates shown on entry: probable_duplicates, the form's check and step, the API."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sputnik.core.tests.test_api_support import API, client_for
from sputnik.parties.dedup.entry import LIKELY, SAME_CONTACT, SIMILAR_NAME, probable_duplicates
from sputnik.parties.models import Person
from sputnik.parties.services import person_create

JSON = "application/json"


def test_the_same_phone_in_another_spelling_is_an_exact_match(owner, person):
    found = probable_duplicates(
        actor=owner,
        data={"last_name": "Иванов", "first_name": "Сергей", "phones": ["+7 912 345 67 89"]},
    )
    assert [c.person_id for c in found] == [person.pk]
    assert found[0].level == LIKELY
    assert "phone:+79123456789" in found[0].matched


@pytest.mark.parametrize(
    ("last", "first"),
    [("Ivanov", "Sergey"), ("Ivanof", "Sergei"), ("Sergey", "Ivanov"), ("Иванов", "Серегй")],
)
def test_a_transliterated_mistyped_or_swapped_name_finds_the_person(owner, person, last, first):
    found = probable_duplicates(actor=owner, data={"last_name": last, "first_name": first})
    assert [c.person_id for c in found] == [person.pk]
    assert found[0].level == SIMILAR_NAME


def test_a_transliterated_name_with_the_same_email_is_likely_the_same_person(owner, person):
    found = probable_duplicates(
        actor=owner,
        data={
            "last_name": "Ivanof",
            "first_name": "Sergei",
            "emails": ["SERGEY.IVANOV@example.ru"],
        },
    )
    assert found[0].person_id == person.pk
    assert found[0].level == LIKELY


def test_a_wife_typed_with_the_familys_phone_is_shown_as_same_contact_not_as_duplicate(
    owner, person
):
    found = probable_duplicates(
        actor=owner, data={"last_name": "Иванова", "first_name": "Мария", "phones": ["89123456789"]}
    )
    assert [(c.person_id, c.level) for c in found] == [(person.pk, SAME_CONTACT)]


def test_another_centres_customer_is_reported_by_contact_only_and_never_named(outsider, person):
    found = probable_duplicates(
        actor=outsider,
        data={"last_name": "Иванов", "first_name": "Сергей", "phones": ["8 912 345-67-89"]},
    )
    assert len(found) == 1
    assert found[0].hidden and found[0].person_id is None and found[0].display_name == ""
    assert found[0].matched == ["phone:+79123456789"]
    # A name-only likeness with a hidden person is not reported at all.
    assert (
        probable_duplicates(actor=outsider, data={"last_name": "Иванов", "first_name": "Сергей"})
        == []
    )


def test_an_unrelated_name_finds_nothing(owner, person):
    assert (
        probable_duplicates(actor=owner, data={"last_name": "Петрова", "first_name": "Анна"}) == []
    )


def test_name_keys_follow_an_edited_name(owner, person):
    from sputnik.parties.services import person_update

    person_update(actor=owner, person=person, data={"last_name": "Смирнов"})
    assert probable_duplicates(actor=owner, data={"last_name": "Smirnov", "first_name": "Sergey"})
    assert not probable_duplicates(
        actor=owner, data={"last_name": "Ivanov", "first_name": "Sergey"}
    )


# --- the form -------------------------------------------------------------------------------


def _form(**extra):
    data = {"last_name": "Ivanov", "first_name": "Sergey", "stage": "prospect", "source": "other"}
    data.update(extra)
    return data


def test_submitting_a_probable_duplicate_shows_the_possible_duplicates_step_and_saves_nothing(
    client, owner, person
):
    client.force_login(owner)
    before = Person.objects.count()
    response = client.post("/persons/new/", _form(phone_0="+7 912 345 67 89"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="possible-duplicates"' in body
    assert f'href="/persons/{person.pk}/"' in body
    assert 'name="allow_duplicate"' in body
    assert Person.objects.count() == before


def test_create_anyway_saves_the_new_person(client, owner, person):
    client.force_login(owner)
    response = client.post("/persons/new/", _form(phone_0="+7 912 345 67 89", allow_duplicate="1"))
    assert response.status_code == 302
    assert Person.objects.filter(last_name="Ivanov").count() == 1


def test_a_new_person_with_no_likeness_is_saved_at_once(client, owner, person):
    client.force_login(owner)
    response = client.post("/persons/new/", _form(last_name="Петрова", first_name="Анна"))
    assert response.status_code == 302


def test_the_step_tells_an_outsider_the_phone_is_taken_without_naming_the_customer(
    client, outsider, person
):
    client.force_login(outsider)
    response = client.post("/persons/new/", _form(phone_0="89123456789"))
    body = response.content.decode()
    assert "data-duplicate-hidden" in body
    assert "Иванов" not in body and f"/persons/{person.pk}/" not in body
    assert not Person.objects.filter(centre=outsider.centre).exists()


def test_the_live_check_lists_hints_while_typing(client, owner, person):
    client.force_login(owner)
    response = client.post(
        "/persons/duplicates/check/",
        {"last_name": "Sergei", "first_name": "Ivanof"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert f'data-duplicate="{person.pk}"' in response.content.decode()
    empty = client.post("/persons/duplicates/check/", {"last_name": "Я"})
    assert empty.content.decode().strip() == ""


def test_the_new_person_form_carries_the_live_check(client, owner):
    client.force_login(owner)
    body = client.get("/persons/new/").content.decode()
    assert 'id="duplicate-hints"' in body and "/persons/duplicates/check/" in body


# --- the API --------------------------------------------------------------------------------


def test_api_duplicate_check_returns_scoped_candidates(owner, outsider, person):
    body = {"last_name": "Ivanof", "first_name": "Sergei", "phones": ["+7 912 345 67 89"]}
    mine = client_for(owner).post(f"{API}/persons/duplicates", body, content_type=JSON)
    assert mine.status_code == 200
    assert mine.json()[0]["person"]["id"] == person.pk
    assert mine.json()[0]["level"] == "likely"
    theirs = client_for(outsider).post(f"{API}/persons/duplicates", body, content_type=JSON)
    assert theirs.json() == [
        {
            "level": "contact",
            "score": 50,
            "matched": ["phone:+79123456789"],
            "hidden": True,
            "person": None,
        }
    ]


def test_api_create_of_a_probable_duplicate_is_409_with_candidates(owner, person):
    before = Person.objects.count()
    response = client_for(owner).post(
        f"{API}/persons",
        {"last_name": "Sergey", "first_name": "Ivanov", "emails": ["sergey.ivanov@example.ru"]},
        content_type=JSON,
    )
    assert response.status_code == 409
    assert response.json()["candidates"][0]["person"]["id"] == person.pk
    assert Person.objects.count() == before


def test_api_create_with_allow_duplicate_creates(owner, person):
    response = client_for(owner).post(
        f"{API}/persons?allow_duplicate=true",
        {"last_name": "Sergey", "first_name": "Ivanov", "emails": ["sergey.ivanov@example.ru"]},
        content_type=JSON,
    )
    assert response.status_code == 201


def test_api_create_with_a_similar_name_only_is_not_refused(owner, person):
    response = client_for(owner).post(
        f"{API}/persons", {"last_name": "Ivanov", "first_name": "Sergey"}, content_type=JSON
    )
    assert response.status_code == 201


def test_api_duplicate_check_refuses_unknown_fields(owner):
    response = client_for(owner).post(
        f"{API}/persons/duplicates", json.dumps({"centre_id": 1}), content_type=JSON
    )
    assert response.status_code == 422


def test_api_409_is_in_the_schema(db):
    from django.test import Client

    schema = Client().get(f"{API}/openapi.json").json()
    assert "409" in schema["paths"]["/api/v1/persons"]["post"]["responses"]
    assert "/api/v1/persons/duplicates" in schema["paths"]


def test_birthday_typed_into_the_check_joins_the_evidence(owner, person):
    person_create(
        actor=owner, data={"last_name": "Петров", "first_name": "Антон", "birthday": "1984-05-22"}
    )
    found = probable_duplicates(
        actor=owner,
        data={"last_name": "Petrov", "first_name": "Anton", "birthday": dt.date(1984, 5, 22)},
    )
    assert found[0].level == LIKELY and "birthday" in found[0].matched
