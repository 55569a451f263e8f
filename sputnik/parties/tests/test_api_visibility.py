"""The visibility matrix over the API: who gets 200 and who gets a 404 like a missing id."""

from __future__ import annotations

import pytest

from sputnik.conftest import VISIBILITY_MATRIX
from sputnik.core.tests.test_api_support import API, client_for
from sputnik.parties.models import Person

MISSING_ID = 987654321


@pytest.mark.parametrize(("persona", "sees"), VISIBILITY_MATRIX)
def test_person_detail_is_200_for_those_who_see_it_and_404_like_a_missing_id_for_others(
    request, person, persona, sees
):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(f"{API}/persons/{person.pk}")
    missing = client.get(f"{API}/persons/{MISSING_ID}")
    assert missing.status_code == 404
    if sees:
        assert response.status_code == 200
        assert response.json()["id"] == person.pk
    else:
        assert response.status_code == 404
        assert response.json() == missing.json()


@pytest.mark.parametrize(("persona", "sees"), VISIBILITY_MATRIX)
def test_person_list_contains_the_person_only_for_those_who_see_it(request, person, persona, sees):
    response = client_for(request.getfixturevalue(persona)).get(f"{API}/persons")
    assert response.status_code == 200
    ids = [p["id"] for p in response.json()["items"]]
    assert (person.pk in ids) is sees


@pytest.mark.parametrize(("persona", "sees"), VISIBILITY_MATRIX)
@pytest.mark.parametrize("spelling", ["8 (912) 345-67-89", "+7 912 345 67 89", "9123456789"])
def test_lookup_by_any_phone_spelling_finds_the_person_only_for_those_who_see_it(
    request, person, persona, sees, spelling
):
    response = client_for(request.getfixturevalue(persona)).get(
        f"{API}/lookup", {"phone": spelling}
    )
    assert response.status_code == 200
    assert ([p["id"] for p in response.json()] == [person.pk]) is sees


@pytest.mark.parametrize(("persona", "sees"), VISIBILITY_MATRIX)
def test_lookup_by_email_in_any_case_finds_the_person_only_for_those_who_see_it(
    request, person, persona, sees
):
    response = client_for(request.getfixturevalue(persona)).get(
        f"{API}/lookup", {"email": "  SERGEY.IVANOV@example.RU "}
    )
    assert response.status_code == 200
    assert ([p["id"] for p in response.json()] == [person.pk]) is sees


@pytest.mark.parametrize(("persona", "sees"), VISIBILITY_MATRIX)
def test_timeline_is_200_or_404_by_visibility(request, person, persona, sees):
    response = client_for(request.getfixturevalue(persona)).get(
        f"{API}/persons/{person.pk}/timeline"
    )
    assert response.status_code == (200 if sees else 404)


@pytest.mark.parametrize("suffix", ["/history", "/relations", "/assets"])
def test_side_doors_of_a_hidden_person_are_404_too(outsider, person, suffix):
    response = client_for(outsider).get(f"{API}/persons/{person.pk}{suffix}")
    assert response.status_code == 404


@pytest.mark.parametrize("persona", [p for p, sees in VISIBILITY_MATRIX if not sees])
def test_patch_by_a_user_who_cannot_see_the_person_is_404_and_changes_nothing(
    request, person, persona
):
    before = Person.objects.values().get(pk=person.pk)
    response = client_for(request.getfixturevalue(persona)).patch(
        f"{API}/persons/{person.pk}", {"first_name": "Взломщик"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert Person.objects.values().get(pk=person.pk) == before


@pytest.mark.parametrize("persona", ["colleague", "outsider", "other_head"])
def test_writes_on_a_hidden_person_are_404_and_leave_no_trace(request, person, persona):
    client = client_for(request.getfixturevalue(persona))
    base = f"{API}/persons/{person.pk}"
    attempts = [
        client.delete(base),
        client.post(f"{base}/notes", {"body": "x"}, content_type="application/json"),
        client.post(
            f"{base}/calls",
            {"direction": "out", "outcome": "answered"},
            content_type="application/json",
        ),
        client.post(f"{base}/stage", {"stage": "lost"}, content_type="application/json"),
        client.post(f"{base}/transfer", {"centre_id": 1}, content_type="application/json"),
        client.post(
            f"{base}/assets", {"make": "Lada", "model": "Niva"}, content_type="application/json"
        ),
    ]
    assert [r.status_code for r in attempts] == [404] * len(attempts)
    person.refresh_from_db()
    assert person.stage == "prospect"
    assert person.assets.count() == 0
    from sputnik.activities.models import Interaction

    assert not Interaction.objects.filter(person_id=person.pk, kind__in=["note", "call"]).exists()


def test_marketer_sees_the_person_but_may_not_change_it_403(marketer, person):
    client = client_for(marketer)
    response = client.patch(
        f"{API}/persons/{person.pk}", {"first_name": "Новое"}, content_type="application/json"
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.first_name == "Сергей"


def test_marketer_may_not_create_a_person_403(marketer):
    response = client_for(marketer).post(
        f"{API}/persons", {"last_name": "Петров"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Person.objects.filter(last_name="Петров").exists()


def test_a_relation_to_a_hidden_person_is_refused_like_a_missing_one(
    owner, person, centre_b, outsider
):
    from sputnik.parties.services import person_create

    hidden = person_create(actor=outsider, data={"last_name": "Скрытый"})
    client = client_for(owner)
    to_hidden = client.post(
        f"{API}/persons/{person.pk}/relations",
        {"other_id": hidden.pk, "kind": "friend"},
        content_type="application/json",
    )
    to_missing = client.post(
        f"{API}/persons/{person.pk}/relations",
        {"other_id": MISSING_ID, "kind": "friend"},
        content_type="application/json",
    )
    assert to_hidden.status_code == to_missing.status_code == 422
    assert to_hidden.json() == to_missing.json()
    assert not person.relations_from.exists()


def test_relations_list_hides_persons_the_user_cannot_see(owner, person, outsider, admin_user):
    from sputnik.parties.services import person_create, relation_create

    hidden = person_create(actor=outsider, data={"last_name": "Скрытый"})
    relation_create(actor=admin_user, person=person, other=hidden, kind="friend")
    assert client_for(owner).get(f"{API}/persons/{person.pk}/relations").json() == []
    rows = client_for(admin_user).get(f"{API}/persons/{person.pk}/relations").json()
    assert [r["other"]["id"] for r in rows] == [hidden.pk]
