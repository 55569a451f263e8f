"""REST endpoints for a person's timeline: read it, add notes, log calls."""

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


class InteractionOut(Schema):
    id: int
    kind: str
    occurred_at: dt.datetime
    actor: UserRef | None
    subject: str
    body: str
    direction: str
    outcome: str
    duration_seconds: int | None
    data: dict[str, Any]


class TimelineQuery(Schema):
    cursor: CursorStr | None = None
    limit: PageSize = 30
    kind: list[Interaction.Kind] = Field(default_factory=list)


def interaction_out(i: Interaction) -> dict[str, Any]:
    return {
        "id": i.pk,
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
    return {"items": [interaction_out(i) for i in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/persons/{person_id}/notes",
    response={201: InteractionOut, **ERRORS},
    summary="Add a note to a person's timeline",
)
def add_note(request: HttpRequest, person_id: Id, payload: NoteIn) -> Status[Any]:
    actor = actor_of(request)
    person = parties.person_get(actor=actor, person_id=person_id)
    note = services.note_create(actor=actor, person_id=person.pk, body=payload.body)
    return Status(201, interaction_out(note))


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
    return Status(201, interaction_out(call))
