"""Changing and deleting notes and calls: who may, what is checked, what is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sputnik.activities.models import Interaction
from sputnik.activities.services import (
    call_log,
    can_change_interaction,
    interaction_delete,
    interaction_update,
    note_create,
)
from sputnik.core.models import AuditEntry
from sputnik.parties.errors import AccessDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(person, owner):
    return note_create(actor=owner, person_id=person.pk, body="Хочет кроссовер")


@pytest.fixture
def call(person, owner):
    return call_log(
        actor=owner, person_id=person.pk, direction="out", outcome="answered", duration_seconds=60
    )


@pytest.fixture
def stage_entry(person, owner):
    from sputnik.parties.services import person_change_stage

    person_change_stage(actor=owner, person=person, stage="customer", reason="купил")
    return Interaction.objects.get(person_id=person.pk, kind="stage_change")


def _row(entry: Interaction) -> dict:
    return Interaction.objects.filter(pk=entry.pk).values().first()


def test_the_author_changes_their_note_and_the_change_is_audited_with_before_and_after(
    note, owner, person
):
    interaction_update(actor=owner, interaction_id=note.pk, data={"body": "Хочет седан"})
    note.refresh_from_db()
    assert note.body == "Хочет седан"
    audit = AuditEntry.objects.get(entity="activities.interaction", action="update")
    assert audit.entity_id == note.pk
    assert audit.subject_person_id == person.pk  # shows on the card's History tab
    assert audit.before == {"body": "Хочет кроссовер"}
    assert audit.after == {"body": "Хочет седан"}
    assert audit.actor == owner


def test_the_author_corrects_a_call_and_only_the_sent_fields_change(call, owner):
    when = timezone.now() - dt.timedelta(hours=2)
    interaction_update(
        actor=owner,
        interaction_id=call.pk,
        data={"outcome": "busy", "notes": "перезвонить", "occurred_at": when},
    )
    call.refresh_from_db()
    assert (call.direction, call.outcome, call.duration_seconds) == ("out", "busy", 60)
    assert call.body == "перезвонить"
    assert call.occurred_at == when
    audit = AuditEntry.objects.get(entity="activities.interaction", action="update")
    assert audit.before["outcome"] == "answered" and audit.after["outcome"] == "busy"
    assert "direction" not in audit.after  # only what changed


def test_a_centre_head_of_the_persons_centre_changes_anyones_note(note, head):
    interaction_update(actor=head, interaction_id=note.pk, data={"body": "исправлено"})
    note.refresh_from_db()
    assert note.body == "исправлено"


def test_an_administrator_deletes_anyones_call(call, admin_user):
    interaction_delete(actor=admin_user, interaction_id=call.pk)
    assert not Interaction.objects.filter(pk=call.pk).exists()


@pytest.mark.parametrize("persona", ["advisor", "operator", "executive", "marketer"])
def test_someone_who_sees_the_person_but_did_not_write_the_note_may_not_change_it(
    note, persona, request
):
    actor = request.getfixturevalue(persona)
    before = _row(note)
    with pytest.raises(AccessDenied) as exc:
        interaction_update(actor=actor, interaction_id=note.pk, data={"body": "x"})
    assert exc.value.args[0] != "not visible"  # a 403: the person is visible to them
    with pytest.raises(AccessDenied):
        interaction_delete(actor=actor, interaction_id=note.pk)
    assert _row(note) == before
    assert (
        not AuditEntry.objects.filter(entity="activities.interaction")
        .exclude(action="create")
        .exists()
    )


@pytest.mark.parametrize("persona", ["colleague", "outsider", "other_head"])
def test_someone_who_does_not_see_the_person_is_told_not_visible(note, persona, request):
    actor = request.getfixturevalue(persona)
    before = _row(note)
    for call_service in (
        lambda: interaction_update(actor=actor, interaction_id=note.pk, data={"body": "x"}),
        lambda: interaction_delete(actor=actor, interaction_id=note.pk),
    ):
        with pytest.raises(AccessDenied) as exc:
            call_service()
        assert exc.value.args[0] == "not visible"
    assert _row(note) == before


def test_a_missing_entry_is_told_not_visible_like_a_hidden_one(owner):
    with pytest.raises(AccessDenied) as exc:
        interaction_update(actor=owner, interaction_id=987654321, data={"body": "x"})
    assert exc.value.args[0] == "not visible"


def test_a_stage_change_cannot_be_changed_or_deleted_even_by_an_administrator(
    stage_entry, admin_user, owner
):
    before = _row(stage_entry)
    for actor in (owner, admin_user):
        with pytest.raises(AccessDenied) as exc:
            interaction_update(actor=actor, interaction_id=stage_entry.pk, data={"body": "x"})
        assert exc.value.args[0] != "not visible"
        with pytest.raises(AccessDenied):
            interaction_delete(actor=actor, interaction_id=stage_entry.pk)
    assert _row(stage_entry) == before
    assert not can_change_interaction(admin_user, stage_entry, stage_entry.centre_id)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": "   "}, "body"),
        ({"body": "x" * 20001}, "body"),
        ({"outcome": "busy"}, "outcome"),
    ],
)
def test_a_bad_note_change_is_refused_per_field_and_nothing_changes(note, owner, data, field):
    before = _row(note)
    with pytest.raises(ValidationError) as exc:
        interaction_update(actor=owner, interaction_id=note.pk, data=data)
    assert field in exc.value.message_dict
    assert _row(note) == before
    assert not AuditEntry.objects.filter(action="update").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"outcome": ""}, "outcome"),
        ({"duration_seconds": 24 * 3600 + 1}, "duration_seconds"),
        ({"duration_seconds": "abc"}, "duration_seconds"),
        ({"occurred_at": timezone.now() + dt.timedelta(days=1)}, "occurred_at"),
        ({"occurred_at": None}, "occurred_at"),
        ({"notes": "x" * 20001}, "notes"),
        ({"notes": "a", "body": "b"}, "notes"),
        ({"subject": "x"}, "subject"),
    ],
)
def test_a_bad_call_change_is_refused_per_field_and_nothing_changes(call, owner, data, field):
    before = _row(call)
    with pytest.raises(ValidationError) as exc:
        interaction_update(actor=owner, interaction_id=call.pk, data=data)
    assert field in exc.value.message_dict
    assert _row(call) == before


def test_deleting_a_note_is_audited_on_the_person_with_what_it_said(note, owner, person):
    interaction_delete(actor=owner, interaction_id=note.pk)
    assert not Interaction.objects.filter(pk=note.pk).exists()
    audit = AuditEntry.objects.get(entity="activities.interaction", action="delete")
    assert audit.subject_person_id == person.pk
    assert audit.before["body"] == "Хочет кроссовер"


def test_a_centre_head_of_another_centre_who_sees_the_person_cannot_change_it(
    note, person, owner, head
):
    from sputnik.core.models import Centre
    from sputnik.parties.services import person_transfer

    other = Centre.objects.create(name="Центр В", kind="showroom", region="Тверь", city="Тверь")
    # The person moves away: head of centre A no longer sees them, so it is "not visible".
    person_transfer(actor=head, person=person, centre_id=other.pk)
    with pytest.raises(AccessDenied) as exc:
        interaction_update(actor=head, interaction_id=note.pk, data={"body": "x"})
    assert exc.value.args[0] == "not visible"
