"""Writes on the timeline: notes and logged calls."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.activities.models import Interaction
from sputnik.core.audit import audit_record, snapshot
from sputnik.core.events import publish
from sputnik.core.models import User
from sputnik.core.roles import Right
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


@transaction.atomic
def note_create(*, actor: User, person_id: int, body: str) -> Interaction:
    person = _person_for_logging(actor, person_id)
    text = _CONTROL.sub("", str(body or "")).strip()
    if not text:
        raise ValidationError({"body": [_("Write the note first.")]})
    if len(text) > 20000:
        raise ValidationError({"body": [_("At most %(n)d characters.") % {"n": 20000}]})
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
    if direction not in (Interaction.Direction.INBOUND, Interaction.Direction.OUTBOUND):
        errors["direction"] = [_("Choose inbound or outbound.")]
    if outcome not in Interaction.CallOutcome.values or not outcome:
        errors["outcome"] = [_("Choose the call's outcome.")]
    if duration_seconds not in (None, ""):
        try:
            duration_seconds = int(duration_seconds)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            duration_seconds = -1
        if not 0 <= duration_seconds <= 24 * 3600:  # type: ignore[operator]
            errors["duration_seconds"] = [_("Enter the duration in seconds (up to a day).")]
    else:
        duration_seconds = None
    text = _CONTROL.sub("", str(notes or "")).strip()
    if len(text) > 20000:
        errors["notes"] = [_("At most %(n)d characters.") % {"n": 20000}]
    when = _when(errors, occurred_at)
    if errors:
        raise ValidationError(errors)
    call = Interaction.objects.create(
        person_id=person.pk,
        centre_id=person.centre_id,  # the customer's centre, like every timeline row
        actor=actor,
        kind=Interaction.Kind.CALL,
        direction=direction,
        outcome=outcome,
        duration_seconds=duration_seconds,
        body=text,
        occurred_at=when,
    )
    audit_record(
        actor=actor,
        action="create",
        instance=call,
        person_id=person.pk,
        after=snapshot(call, ["kind", "direction", "outcome", "duration_seconds", "body"]),
        summary=_("Call"),
    )
    publish("interaction.logged", interaction_id=call.pk, person_id=person.pk)
    return call
