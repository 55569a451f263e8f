"""Person endpoints: list, CRUD, stage, transfer, history, lookup."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema, Status
from pydantic import StringConstraints

from sputnik.core.api import (
    ERRORS,
    CursorStr,
    Id,
    PageOut,
    PageSize,
    Str50,
    Str100,
    Str200,
    Str300,
    actor_of,
)
from sputnik.parties import selectors, services
from sputnik.parties.api._router import router
from sputnik.parties.api.duplicates import DuplicateConflictOut, duplicate_conflict
from sputnik.parties.api.schemas import (
    HistoryOut,
    PersonIn,
    PersonOut,
    PersonPatch,
    PersonSummaryOut,
    StageIn,
    TransferIn,
    _data,
)
from sputnik.parties.api.serialize import (
    history_out,
    lookup_hit_out,
    person_detail,
    person_summary,
)
from sputnik.parties.models import (
    Source,
    Stage,
)

# --- persons ----------------------------------------------------------------------------


class PersonListQuery(Schema):
    q: Str200 = Field("", description="A name, any spelling of a phone, or an e-mail")
    stage: Stage | None = None
    centre: Id | None = None
    owner: Annotated[str, StringConstraints(pattern=r"^(me|[1-9][0-9]{0,17})$")] | None = Field(
        None, description='A user id, or "me"'
    )
    tag: Str50 = ""
    interest: Str50 = ""
    source: Source | None = None
    escalated: bool = Field(
        False, description="Only leads with an open escalation to their centre's head"
    )
    sort: Literal["name", "-name", "created", "-created"] = "name"
    cursor: CursorStr | None = None
    limit: PageSize = 50


@router.get(
    "/persons",
    response={200: PageOut[PersonSummaryOut], **ERRORS},
    summary="List persons",
    operation_id="sputnik_parties_api_list_persons",
)
def list_persons(request: HttpRequest, params: Query[PersonListQuery]) -> dict[str, Any]:
    """Persons the user may see. Administrator-defined fields filter as `cf_<key>=value`."""
    actor = actor_of(request)
    custom: dict[str, str] = {}
    for key in request.GET:
        value = str(request.GET.get(key, ""))
        if key.startswith("cf_") and len(key) < 60 and value.strip() and "\x00" not in value:
            custom[key[3:]] = value
    owner_id = None
    if params.owner == "me":
        owner_id = actor.pk
    elif params.owner:
        owner_id = int(params.owner)
    filters = selectors.PersonFilters(
        q=params.q.strip(),
        stage=params.stage or "",
        centre_id=params.centre,
        owner_id=owner_id,
        tag=params.tag.strip(),
        interest=params.interest.strip(),
        source=params.source or "",
        custom=custom,
        escalated=params.escalated,
    )
    page = selectors.person_list(
        actor=actor, filters=filters, sort=params.sort, cursor=params.cursor, size=params.limit
    )
    return {"items": [person_summary(p) for p in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/persons",
    response={201: PersonOut, 409: DuplicateConflictOut, **ERRORS},
    summary="Create a person",
    operation_id="sputnik_parties_api_create_person",
)
def create_person(
    request: HttpRequest, payload: PersonIn, allow_duplicate: bool = False
) -> Status[Any]:
    """409 with the candidates when the phone or e-mail is already on file or the person
    probably exists (see POST /persons/duplicates); `?allow_duplicate=true` creates anyway."""
    actor = actor_of(request)
    if not allow_duplicate and (conflict := duplicate_conflict(actor, _data(payload))):
        return Status(409, conflict)
    person = services.person_create(actor=actor, data=_data(payload))
    return Status(201, person_detail(selectors.person_card(actor=actor, person_id=person.pk)))


@router.get(
    "/persons/{person_id}",
    response={200: PersonOut, **ERRORS},
    summary="A person",
    operation_id="sputnik_parties_api_get_person",
)
def get_person(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    return person_detail(selectors.person_card(actor=actor_of(request), person_id=person_id))


@router.patch(
    "/persons/{person_id}",
    response={200: PersonOut, **ERRORS},
    summary="Change a person",
    operation_id="sputnik_parties_api_update_person",
)
def update_person(request: HttpRequest, person_id: Id, payload: PersonPatch) -> dict[str, Any]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    services.person_update(actor=actor, person=person, data=_data(payload))
    return person_detail(selectors.person_card(actor=actor, person_id=person_id))


@router.delete(
    "/persons/{person_id}",
    response={204: None, **ERRORS},
    summary="Delete a person",
    operation_id="sputnik_parties_api_delete_person",
)
def delete_person(request: HttpRequest, person_id: Id) -> Status[Any]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    services.person_delete(actor=actor, person=person)
    return Status(204, None)


@router.post(
    "/persons/{person_id}/stage",
    response={200: PersonOut, **ERRORS},
    summary="Move a person to another lifecycle stage",
    operation_id="sputnik_parties_api_change_stage",
)
def change_stage(request: HttpRequest, person_id: Id, payload: StageIn) -> dict[str, Any]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    services.person_change_stage(
        actor=actor, person=person, stage=payload.stage, reason=payload.reason
    )
    return person_detail(selectors.person_card(actor=actor, person_id=person_id))


@router.post(
    "/persons/{person_id}/transfer",
    response={200: PersonOut, **ERRORS},
    summary="Move a person to another centre and/or owner",
    operation_id="sputnik_parties_api_transfer_person",
)
def transfer_person(request: HttpRequest, person_id: Id, payload: TransferIn) -> dict[str, Any]:
    """The only way to change a record's centre or owner; needs the transfer right."""
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    person = services.person_transfer(
        actor=actor, person=person, centre_id=payload.centre_id, owner_id=payload.owner_id
    )
    # The record may now be out of the actor's sight, so answer from the moved row itself.
    return person_detail(person)


@router.get(
    "/persons/{person_id}/history",
    response={200: PageOut[HistoryOut], **ERRORS},
    summary="The audit trail of a person",
    operation_id="sputnik_parties_api_person_history",
)
def person_history(
    request: HttpRequest, person_id: Id, cursor: CursorStr | None = None, limit: PageSize = 50
) -> dict[str, Any]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    page = selectors.person_history(actor=actor, person=person, cursor=cursor, size=limit)
    return {"items": [history_out(e) for e in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/lookup",
    response={200: list[PersonSummaryOut], **ERRORS},
    summary="Find persons by phone or e-mail",
    operation_id="sputnik_parties_api_lookup",
)
def lookup(request: HttpRequest, phone: Str100 = "", email: Str300 = "") -> list[dict[str, Any]]:
    """Any spelling of a phone works: "8 (912) 345-67-89", "+7 912 345 67 89", "9123456789".
    Only persons the user may see are returned (at most 20)."""
    people = selectors.person_lookup(actor=actor_of(request), phone=phone, email=email)
    return [lookup_hit_out(hit) for hit in people]
