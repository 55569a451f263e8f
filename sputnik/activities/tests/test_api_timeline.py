"""The timeline over the API: notes, calls, paging, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sputnik.activities.models import Interaction
from sputnik.core.tests.test_api_support import API, client_for, field_messages

JSON = "application/json"


def test_a_note_lands_on_the_timeline(owner, person):
    client = client_for(owner)
    response = client.post(
        f"{API}/persons/{person.pk}/notes", {"body": "Хочет кроссовер"}, content_type=JSON
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "note"
    assert Interaction.objects.filter(
        person_id=person.pk, kind="note", body="Хочет кроссовер"
    ).exists()
    items = client.get(f"{API}/persons/{person.pk}/timeline").json()["items"]
    assert items[0]["body"] == "Хочет кроссовер"
    assert items[0]["actor"]["id"] == owner.pk


def test_an_empty_note_is_422_on_the_body(owner, person):
    response = client_for(owner).post(
        f"{API}/persons/{person.pk}/notes", {"body": "  "}, content_type=JSON
    )
    assert response.status_code == 422
    assert field_messages(response, "body")
    assert not Interaction.objects.filter(kind="note").exists()


def test_a_logged_call_keeps_direction_outcome_and_duration(owner, person):
    response = client_for(owner).post(
        f"{API}/persons/{person.pk}/calls",
        {"direction": "in", "outcome": "answered", "duration_seconds": 95, "notes": "ок"},
        content_type=JSON,
    )
    assert response.status_code == 201
    call = Interaction.objects.get(person_id=person.pk, kind="call")
    assert (call.direction, call.outcome, call.duration_seconds) == ("in", "answered", 95)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"direction": "sideways", "outcome": "answered"}, "direction"),
        ({"direction": "in", "outcome": ""}, "outcome"),
        ({"direction": "in", "outcome": "answered", "duration_seconds": -1}, "duration_seconds"),
        (
            {"direction": "in", "outcome": "answered", "occurred_at": "2999-01-01T10:00:00+03:00"},
            "occurred_at",
        ),
        ({"direction": "in", "outcome": "answered", "occurred_at": "вчера"}, "occurred_at"),
    ],
)
def test_a_bad_call_is_422_on_its_field(owner, person, payload, field):
    response = client_for(owner).post(
        f"{API}/persons/{person.pk}/calls", payload, content_type=JSON
    )
    assert response.status_code == 422
    assert field_messages(response, field), response.json()
    assert not Interaction.objects.filter(kind="call").exists()


def test_a_read_only_role_may_not_log_a_note_403(marketer, person):
    response = client_for(marketer).post(
        f"{API}/persons/{person.pk}/notes", {"body": "x"}, content_type=JSON
    )
    assert response.status_code == 403
    assert not Interaction.objects.filter(kind="note").exists()


def test_timeline_pages_by_cursor_newest_first(owner, person):
    now = timezone.now()
    Interaction.objects.bulk_create(
        Interaction(
            person_id=person.pk,
            kind="note",
            body=f"n{i}",
            actor=owner,
            occurred_at=now - dt.timedelta(minutes=i),
        )
        for i in range(45)
    )
    client = client_for(owner)
    first = client.get(f"{API}/persons/{person.pk}/timeline", {"limit": 30}).json()
    second = client.get(
        f"{API}/persons/{person.pk}/timeline", {"limit": 30, "cursor": first["next_cursor"]}
    ).json()
    bodies = [i["body"] for i in first["items"] + second["items"] if i["kind"] == "note"]
    assert bodies == [f"n{i}" for i in range(45)]
    assert second["next_cursor"] is None


def test_timeline_filters_by_kind(owner, person):
    Interaction.objects.create(person_id=person.pk, kind="call", direction="in", outcome="answered")
    Interaction.objects.create(person_id=person.pk, kind="note", body="x")
    items = (
        client_for(owner)
        .get(f"{API}/persons/{person.pk}/timeline", {"kind": "call"})
        .json()["items"]
    )
    assert [i["kind"] for i in items] == ["call"]


def test_timeline_uses_a_bounded_number_of_queries(owner, person, django_assert_max_num_queries):
    Interaction.objects.bulk_create(
        Interaction(person_id=person.pk, kind="note", body=f"n{i}", actor=owner) for i in range(30)
    )
    client = client_for(owner)
    with django_assert_max_num_queries(5):
        response = client.get(f"{API}/persons/{person.pk}/timeline")
    assert len(response.json()["items"]) == 30
