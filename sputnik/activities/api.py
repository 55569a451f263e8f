"""REST endpoints for a person's timeline: read it, add notes, log calls, and read,
change or delete one note or call at /interactions/{id} (flat, like /assets/{id})."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from sputnik.activities import selectors as timeline
from sputnik.activities import services
from sputnik.activities.models import Interaction
from sputnik.core.api import (
    ERRORS,
    CursorStr,
    DateTime,
    Id,
    InSchema,
    PageOut,
    PageSize,
    Str20000,
    UserRef,
    actor_of,
    user_ref,
)
from sputnik.parties import selectors as parties

router = Router(tags=["timeline"])


class NoteIn(InSchema):
    body: Str20000


class CallIn(InSchema):
    direction: Literal["in", "out"]
    outcome: Interaction.CallOutcome
    duration_seconds: Annotated[int, Field(ge=0, le=24 * 3600)] | None = None
    notes: Str20000 = ""
    occurred_at: DateTime | None = None


class InteractionPatch(InSchema):
    """Notes take `body`; calls take the rest (their text as `notes` or `body`)."""

    body: Str20000 | None = None
    direction: Literal["in", "out"] | None = None
    outcome: Interaction.CallOutcome | None = None
    duration_seconds: Annotated[int, Field(ge=0, le=24 * 3600)] | None = None
    notes: Str20000 | None = None
    occurred_at: DateTime | None = None


class InteractionOut(Schema):
    id: int
    kind: str
    occurred_at: dt.datetime
    actor: UserRef | None
    subject: str
    body: str
    can_change: bool
    direction: str
    outcome: str
    duration_seconds: int | None
    data: dict[str, Any]


class TimelineQuery(Schema):
    cursor: CursorStr | None = None
    limit: PageSize = 30
    kind: list[Interaction.Kind] = Field(default_factory=list)


def interaction_out(i: Interaction, *, can_change: bool = False) -> dict[str, Any]:
    return {
        "id": i.pk,
        "can_change": can_change,
        "kind": i.kind,
        "occurred_at": i.occurred_at,
        "actor": user_ref(i.actor),
        "subject": i.subject,
        "body": i.body,
        "direction": i.direction,
        "outcome": i.outcome,
        "duration_seconds": i.duration_seconds,
        "data": i.data or {},
    }


@router.get(
    "/persons/{person_id}/timeline",
    response={200: PageOut[InteractionOut], **ERRORS},
    summary="A person's timeline, newest first",
)
def person_timeline(
    request: HttpRequest, person_id: Id, params: Query[TimelineQuery]
) -> dict[str, Any]:
    actor = actor_of(request)
    person = parties.person_get(actor=actor, person_id=person_id)
    page = timeline.timeline_page(
        actor=actor,
        person=person,
        cursor=params.cursor,
        size=params.limit,
        kinds=[str(k) for k in params.kind] or None,
    )
    return {
        "items": [
            interaction_out(
                i, can_change=services.can_change_interaction(actor, i, person.centre_id)
            )
            for i in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/persons/{person_id}/notes",
    response={201: InteractionOut, **ERRORS},
    summary="Add a note to a person's timeline",
)
def add_note(request: HttpRequest, person_id: Id, payload: NoteIn) -> Status[Any]:
    actor = actor_of(request)
    person = parties.person_get(actor=actor, person_id=person_id)
    note = services.note_create(actor=actor, person_id=person.pk, body=payload.body)
    return Status(201, interaction_out(note, can_change=True))


@router.post(
    "/persons/{person_id}/calls",
    response={201: InteractionOut, **ERRORS},
    summary="Log a call with a person",
)
def log_call(request: HttpRequest, person_id: Id, payload: CallIn) -> Status[Any]:
    actor = actor_of(request)
    person = parties.person_get(actor=actor, person_id=person_id)
    call = services.call_log(
        actor=actor,
        person_id=person.pk,
        direction=payload.direction,
        outcome=payload.outcome,
        duration_seconds=payload.duration_seconds,
        notes=payload.notes,
        occurred_at=payload.occurred_at,
    )
    return Status(201, interaction_out(call, can_change=True))


# --- one entry --------------------------------------------------------------------------


def _one(actor: Any, entry: Interaction) -> dict[str, Any]:
    person = parties.person_get(actor=actor, person_id=entry.person_id)  # type: ignore[arg-type]
    return interaction_out(
        entry, can_change=services.can_change_interaction(actor, entry, person.centre_id)
    )


@router.get(
    "/interactions/{interaction_id}",
    response={200: InteractionOut, **ERRORS},
    summary="One timeline entry",
)
def get_interaction(request: HttpRequest, interaction_id: Id) -> dict[str, Any]:
    actor = actor_of(request)
    return _one(actor, timeline.interaction_get(actor=actor, interaction_id=interaction_id))


@router.patch(
    "/interactions/{interaction_id}",
    response={200: InteractionOut, **ERRORS},
    summary="Change a note or a call",
    description=(
        "Only notes and calls change, and only by their author, a centre head of the "
        "person's centre or an administrator (403 otherwise). A note takes `body`; a call "
        "takes direction, outcome, duration_seconds, notes (or body) and occurred_at."
    ),
)
def update_interaction(
    request: HttpRequest, interaction_id: Id, payload: InteractionPatch
) -> dict[str, Any]:
    actor = actor_of(request)
    entry = timeline.interaction_get(actor=actor, interaction_id=interaction_id)
    entry = services.interaction_update(
        actor=actor, interaction_id=entry.pk, data=payload.model_dump(exclude_unset=True)
    )
    return _one(actor, entry)


@router.delete(
    "/interactions/{interaction_id}",
    response={204: None, **ERRORS},
    summary="Delete a note or a call",
)
def delete_interaction(request: HttpRequest, interaction_id: Id) -> Status[Any]:
    actor = actor_of(request)
    entry = timeline.interaction_get(actor=actor, interaction_id=interaction_id)
    services.interaction_delete(actor=actor, interaction_id=entry.pk)
    return Status(204, None)


# Task endpoints register on this router (they import it, so they come last).
from sputnik.activities import tasks_api  # noqa: E402, F401
