"""Notes and logged calls: validated, audited, on the person's timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sputnik.activities.models import Interaction
from sputnik.activities.services import call_log, note_create
from sputnik.core.models import AuditEntry
from sputnik.parties.errors import AccessDenied


def test_a_note_is_stored_on_the_persons_timeline_and_audited(person, owner):
    note = note_create(actor=owner, person_id=person.pk, body="  Хочет кроссовер  ")
    note.refresh_from_db()
    assert (note.kind, note.body, note.actor, note.person_id) == (
        "note",
        "Хочет кроссовер",
        owner,
        person.pk,
    )
    entry = AuditEntry.objects.get(entity="activities.interaction")
    assert entry.subject_person_id == person.pk and entry.after["body"] == "Хочет кроссовер"


def test_an_entry_carries_the_persons_centre_whoever_logs_it(person, operator):
    note = note_create(actor=operator, person_id=person.pk, body="Звонок в колл-центр")
    call = call_log(actor=operator, person_id=person.pk, direction="in", outcome="answered")
    assert note.centre_id == call.centre_id == person.centre_id != operator.centre_id


def test_markup_in_a_note_is_stored_as_text(person, owner):
    note = note_create(actor=owner, person_id=person.pk, body="<img src=x onerror=alert(1)>")
    assert Interaction.objects.get(pk=note.pk).body == "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize("body", ["", "   ", None, "x" * 20001])
def test_an_empty_or_over_long_note_is_refused(person, owner, body):
    with pytest.raises(ValidationError) as info:
        note_create(actor=owner, person_id=person.pk, body=body)
    assert "body" in info.value.message_dict
    assert not Interaction.objects.exists()


def test_a_note_on_a_missing_person_is_refused_like_a_hidden_one(owner):
    with pytest.raises(AccessDenied):
        note_create(actor=owner, person_id=999_999, body="x")


def test_a_call_is_logged_with_its_details(person, owner):
    when = timezone.now() - dt.timedelta(hours=2)
    call = call_log(
        actor=owner,
        person_id=person.pk,
        direction="out",
        outcome="answered",
        duration_seconds="125",
        notes="Договорились о тест-драйве",
        occurred_at=when.isoformat(),
    )
    call.refresh_from_db()
    assert (call.kind, call.direction, call.outcome, call.duration_seconds) == (
        "call",
        "out",
        "answered",
        125,
    )
    assert call.occurred_at == when and call.body == "Договорились о тест-драйве"
    assert AuditEntry.objects.filter(entity="activities.interaction", action="create").exists()


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("direction", {"direction": "sideways"}),
        ("direction", {"direction": ""}),
        ("outcome", {"outcome": "exploded"}),
        ("outcome", {"outcome": ""}),
        ("duration_seconds", {"duration_seconds": -1}),
        ("duration_seconds", {"duration_seconds": 24 * 3600 + 1}),
        ("duration_seconds", {"duration_seconds": "долго"}),
        ("occurred_at", {"occurred_at": "вчера"}),
        ("occurred_at", {"occurred_at": dt.date(2024, 1, 1)}),
        ("occurred_at", {"occurred_at": timezone.now() + dt.timedelta(days=1)}),
        ("occurred_at", {"occurred_at": (timezone.now() + dt.timedelta(hours=1)).isoformat()}),
        ("notes", {"notes": "x" * 20001}),
    ],
)
def test_an_invalid_call_is_refused_with_the_field_named(person, owner, field, kwargs):
    data = {"direction": "in", "outcome": "answered", **kwargs}
    with pytest.raises(ValidationError) as info:
        call_log(actor=owner, person_id=person.pk, **data)
    assert field in info.value.message_dict
    assert (
        not Interaction.objects.exists()
        and not AuditEntry.objects.filter(entity="activities.interaction").exists()
    )


@pytest.mark.parametrize("duration", [0, 24 * 3600, None, ""])
def test_call_durations_from_zero_to_a_day_or_unknown_are_accepted(person, owner, duration):
    call = call_log(
        actor=owner, person_id=person.pk, direction="in", outcome="busy", duration_seconds=duration
    )
    assert call.duration_seconds == (duration if duration not in (None, "") else None)


def test_a_naive_time_is_taken_in_the_local_zone(person, owner):
    naive = dt.datetime(2024, 3, 1, 10, 30)
    call = call_log(
        actor=owner, person_id=person.pk, direction="in", outcome="answered", occurred_at=naive
    )
    assert call.occurred_at == timezone.make_aware(naive)


def test_read_only_roles_cannot_log(person, marketer, executive):
    for actor in (marketer, executive):
        with pytest.raises(AccessDenied):
            call_log(actor=actor, person_id=person.pk, direction="in", outcome="answered")
    assert not Interaction.objects.exists()


def test_control_characters_are_dropped_from_notes_and_calls(person, owner):
    note = note_create(actor=owner, person_id=person.pk, body="стро\x00ка\nвторая\tстрока\x1b")
    call = call_log(
        actor=owner,
        person_id=person.pk,
        direction="in",
        outcome="answered",
        notes="перезвонить\x00",
    )
    assert Interaction.objects.get(pk=note.pk).body == "строка\nвторая\tстрока"
    assert Interaction.objects.get(pk=call.pk).body == "перезвонить"
