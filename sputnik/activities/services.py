"""Writes on the timeline: notes and logged calls, and changing or deleting them.

Only notes and calls are people's words; stage changes and system entries record what
happened and stay as they are. A note or call may be changed by its author, a centre
head of the person's centre, or an administrator (`can_change_interaction`, which the
timeline also uses to decide which buttons to show, without a query per entry).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.activities.models import Interaction
from sputnik.core.audit import audit_record, snapshot
from sputnik.core.events import publish
from sputnik.core.models import User
from sputnik.core.roles import Right, Role
from sputnik.parties.errors import AccessDenied
from sputnik.parties.selectors import person_get

# Control characters (not tab or newline) never belong in text; PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _person_for_logging(actor: User, person_id: int) -> Any:
    if actor is None or not actor.has_right(Right.INTERACTION_LOG):
        raise AccessDenied(Right.INTERACTION_LOG)
    from sputnik.parties.models import Person

    try:
        return person_get(actor=actor, person_id=person_id)
    except Person.DoesNotExist as exc:
        raise AccessDenied("not visible") from exc


def _when(errors: dict[str, list[str]], value: Any) -> dt.datetime:
    if value in (None, ""):
        return timezone.now()
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            errors.setdefault("occurred_at", []).append(_("Enter a valid date and time."))
            return timezone.now()
    if not isinstance(value, dt.datetime):
        errors.setdefault("occurred_at", []).append(_("Enter a valid date and time."))
        return timezone.now()
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + dt.timedelta(minutes=5):
        errors.setdefault("occurred_at", []).append(_("The time cannot be in the future."))
    return value


_TEXT_LIMIT = 20000
CHANGEABLE_KINDS = frozenset({Interaction.Kind.NOTE, Interaction.Kind.CALL})
_CALL_FIELDS = ("direction", "outcome", "duration_seconds", "body", "occurred_at")


def _clean_text(errors: dict[str, list[str]], field: str, value: Any) -> str:
    text = _CONTROL.sub("", str(value or "")).strip()
    if len(text) > _TEXT_LIMIT:
        errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": _TEXT_LIMIT})
    return text


def _clean_note_body(errors: dict[str, list[str]], value: Any) -> str:
    text = _clean_text(errors, "body", value)
    if not text and "body" not in errors:
        errors["body"] = [_("Write the note first.")]
    return text


def _clean_call(
    errors: dict[str, list[str]], data: Mapping[str, Any], *, text_field: str = "notes"
) -> dict[str, Any]:
    """The call fields present in `data`, cleaned; problems go to `errors` by field."""
    cleaned: dict[str, Any] = {}
    if "direction" in data:
        direction = data["direction"]
        if direction not in (Interaction.Direction.INBOUND, Interaction.Direction.OUTBOUND):
            errors["direction"] = [_("Choose inbound or outbound.")]
        cleaned["direction"] = direction
    if "outcome" in data:
        outcome = data["outcome"]
        if outcome not in Interaction.CallOutcome.values or not outcome:
            errors["outcome"] = [_("Choose the call's outcome.")]
        cleaned["outcome"] = outcome
    if "duration_seconds" in data:
        duration = data["duration_seconds"]
        if duration in (None, ""):
            cleaned["duration_seconds"] = None
        else:
            try:
                seconds = int(duration)
            except (TypeError, ValueError):
                seconds = -1
            if not 0 <= seconds <= 24 * 3600:
                errors["duration_seconds"] = [_("Enter the duration in seconds (up to a day).")]
            cleaned["duration_seconds"] = seconds
    if text_field in data:
        cleaned["body"] = _clean_text(errors, text_field, data[text_field])
    if "occurred_at" in data:
        cleaned["occurred_at"] = _when(errors, data["occurred_at"])
    return cleaned


@transaction.atomic
def note_create(*, actor: User, person_id: int, body: str) -> Interaction:
    person = _person_for_logging(actor, person_id)
    errors: dict[str, list[str]] = {}
    text = _clean_note_body(errors, body)
    if errors:
        raise ValidationError(errors)
    note = Interaction.objects.create(
        person_id=person.pk,
        centre_id=person.centre_id,  # the customer's centre, like every timeline row
        actor=actor,
        kind=Interaction.Kind.NOTE,
        body=text,
    )
    audit_record(
        actor=actor,
        action="create",
        instance=note,
        person_id=person.pk,
        after=snapshot(note, ["kind", "body"]),
        summary=_("Note"),
    )
    publish("interaction.logged", interaction_id=note.pk, person_id=person.pk)
    return note


@transaction.atomic
def call_log(
    *,
    actor: User,
    person_id: int,
    direction: str,
    outcome: str,
    duration_seconds: int | None = None,
    notes: str = "",
    occurred_at: Any = None,
) -> Interaction:
    person = _person_for_logging(actor, person_id)
    errors: dict[str, list[str]] = {}
    cleaned = _clean_call(
        errors,
        {
            "direction": direction,
            "outcome": outcome,
            "duration_seconds": duration_seconds,
            "notes": notes,
            "occurred_at": occurred_at,
        },
    )
    if errors:
        raise ValidationError(errors)
    call = Interaction.objects.create(
        person_id=person.pk,
        centre_id=person.centre_id,  # the customer's centre, like every timeline row
        actor=actor,
        kind=Interaction.Kind.CALL,
        **cleaned,
    )
    audit_record(
        actor=actor,
        action="create",
        instance=call,
        person_id=person.pk,
        after=snapshot(call, ["kind", *_CALL_FIELDS[:-1]]),
        summary=_("Call"),
    )
    publish("interaction.logged", interaction_id=call.pk, person_id=person.pk)
    return call


# --- changing what was written ---------------------------------------------------------


def can_change_interaction(actor: User | None, entry: Interaction, person_centre_id: Any) -> bool:
    """Whether `actor` may change or delete `entry` on a person (of `person_centre_id`)
    they can see. Pure: the timeline asks this of every row without a query."""
    if actor is None or entry.kind not in CHANGEABLE_KINDS:
        return False
    if not actor.has_right(Right.INTERACTION_LOG):
        return False
    if actor.is_superuser or actor.role == Role.ADMIN:
        return True
    if actor.role == Role.CENTRE_HEAD and actor.centre_id is not None:
        return actor.centre_id == person_centre_id or entry.actor_id == actor.pk
    return entry.actor_id is not None and entry.actor_id == actor.pk


def _changeable(actor: User, interaction_id: int) -> tuple[Interaction, Any]:
    """The entry, locked, and its person; AccessDenied("not visible") when the actor does
    not see the person (a 404, like a missing id), a plain AccessDenied when they see it
    but may not change it (a 403)."""
    if actor is None:
        raise AccessDenied("not visible")
    entry = Interaction.objects.select_for_update().filter(pk=interaction_id).first()
    if entry is None or entry.person_id is None:
        raise AccessDenied("not visible")
    from sputnik.parties.models import Person

    try:
        person = person_get(actor=actor, person_id=entry.person_id)
    except Person.DoesNotExist as exc:
        raise AccessDenied("not visible") from exc
    if entry.kind not in CHANGEABLE_KINDS:
        raise AccessDenied("only notes and calls can be changed")
    if not can_change_interaction(actor, entry, person.centre_id):
        raise AccessDenied(Right.INTERACTION_LOG)
    return entry, person


def _summary(entry: Interaction) -> str:
    return str(_("Note") if entry.kind == Interaction.Kind.NOTE else _("Call"))


@transaction.atomic
def interaction_update(*, actor: User, interaction_id: int, data: Mapping[str, Any]) -> Interaction:
    """Change a note (body) or a call (direction, outcome, duration_seconds, notes or
    body, occurred_at). Only the fields in `data` change; the checks are note_create's
    and call_log's. A field the entry's kind does not have is an error on that field."""
    entry, person = _changeable(actor, interaction_id)
    errors: dict[str, list[str]] = {}
    if entry.kind == Interaction.Kind.NOTE:
        allowed = {"body"}
        cleaned = {"body": _clean_note_body(errors, data["body"])} if "body" in data else {}
    else:
        allowed = {"direction", "outcome", "duration_seconds", "notes", "body", "occurred_at"}
        if "notes" in data and "body" in data:
            errors["notes"] = [_("Send the call's notes once, as notes or as body.")]
        text_field = "body" if "body" in data else "notes"
        cleaned = _clean_call(errors, data, text_field=text_field)
        if "occurred_at" in data and data["occurred_at"] in (None, ""):
            errors["occurred_at"] = [_("This field is required.")]
    for field in data:
        if field not in allowed:
            errors.setdefault(field, []).append(_("This field cannot be changed on this entry."))
    if errors:
        raise ValidationError(errors)
    fields = ["body"] if entry.kind == Interaction.Kind.NOTE else list(_CALL_FIELDS)
    before = snapshot(entry, fields)
    for name, value in cleaned.items():
        setattr(entry, name, value)
    if cleaned:
        entry.save(update_fields=list(cleaned))
    audit_record(
        actor=actor,
        action="update",
        instance=entry,
        person_id=person.pk,
        before=before,
        after=snapshot(entry, fields),
        summary=_summary(entry),
    )
    publish("interaction.changed", interaction_id=entry.pk, person_id=person.pk)
    return entry


@transaction.atomic
def interaction_delete(*, actor: User, interaction_id: int) -> None:
    entry, person = _changeable(actor, interaction_id)
    fields = ["kind", "occurred_at", *_CALL_FIELDS[:-1]]
    audit_record(
        actor=actor,
        action="delete",
        instance=entry,
        person_id=person.pk,
        before=snapshot(entry, fields),
        summary=_summary(entry),
    )
    entry.delete()
    publish("interaction.deleted", interaction_id=interaction_id, person_id=person.pk)


# Tasks live in their own module; callers import them from here.
from sputnik.activities.tasks_services import (  # noqa: E402
    can_change_task,
    task_cancel,
    task_complete,
    task_create,
    task_update,
)

__all__ = [
    "CHANGEABLE_KINDS",
    "call_log",
    "can_change_interaction",
    "can_change_task",
    "interaction_delete",
    "interaction_update",
    "note_create",
    "task_cancel",
    "task_complete",
    "task_create",
    "task_update",
]
