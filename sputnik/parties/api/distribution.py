"""Distribution endpoints: take a lead, who holds a phone or e-mail, transfer requests and
their decisions, the conflicts-and-transfers report.

Routes that start from a customer the caller may not see carry the person's id in the
body or query, not the path: they answer with who holds the customer (centre and
manager), never with the customer's data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema, Status

from sputnik.core.api import (
    ERRORS,
    CursorStr,
    ErrorOut,
    Id,
    InSchema,
    PageOut,
    PageSize,
    Ref,
    Str200,
    Str1000,
    Str5000,
    UserRef,
    actor_of,
    user_ref,
)
from sputnik.parties.api._router import router
from sputnik.parties.distribution import selectors as distribution
from sputnik.parties.models import TransferRequest
from sputnik.parties.selectors import visible_persons
from sputnik.parties.services import distribution as services


class TakeIn(InSchema):
    person_id: Id


class AssignmentOut(Schema):
    centre: Ref
    owner: UserRef | None
    rule: Ref | None
    method: str
    kept: bool


class ConflictOut(Schema):
    detail: str
    centre: Ref
    owner: UserRef | None


class OwnershipHitOut(Schema):
    person_id: int
    centre: Ref
    owner_name: str
    visible: bool
    display_name: str = Field("", description="Only when the caller may see the person")


class TransferRequestIn(InSchema):
    person_id: Id
    reason: Str5000


class DecisionIn(InSchema):
    note: Str1000 = ""


class TransferRequestOut(Schema):
    id: int
    person_id: int
    person_name: str | None = Field(None, description="Only when the caller may see the person")
    from_centre: Ref
    from_owner: UserRef | None
    to_centre: Ref
    requested_by: UserRef
    reason: str
    status: str
    created_at: dt.datetime
    decided_by: UserRef | None
    decided_at: dt.datetime | None
    decision_note: str


class TransferListQuery(Schema):
    box: Literal["incoming", "outgoing"] = "incoming"
    status: TransferRequest.Status | None = None
    cursor: CursorStr | None = None
    limit: PageSize = 50


class ReportRowOut(Schema):
    centre: Ref
    conflicts_refused: int
    conflicts_attempted: int
    transfers_in_requested: int
    transfers_in_approved: int
    transfers_out_requested: int
    transfers_out_approved: int
    transfers_out_rejected: int
    transfers_out_pending: int


class ReportOut(Schema):
    start: dt.date
    end: dt.date
    rows: list[ReportRowOut]


def _ref(obj: Any) -> dict[str, Any]:
    return {"id": obj.pk, "name": obj.name}


def transfer_out(r: TransferRequest, visible: bool) -> dict[str, Any]:
    return {
        "id": r.pk,
        "person_id": r.person_id,
        "person_name": r.person.display_name if visible else None,
        "from_centre": _ref(r.from_centre),
        "from_owner": user_ref(r.from_owner),
        "to_centre": _ref(r.to_centre),
        "requested_by": user_ref(r.requested_by),
        "reason": r.reason,
        "status": r.status,
        "created_at": r.created_at,
        "decided_by": user_ref(r.decided_by),
        "decided_at": r.decided_at,
        "decision_note": r.decision_note,
    }


def _one(request: HttpRequest, request_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    r = distribution.transfer_request_get(actor=actor, request_id=request_id)
    visible = visible_persons(actor).filter(pk=r.person_id).exists()
    return transfer_out(r, visible)


@router.post(
    "/prospects/take",
    response={200: AssignmentOut, 409: ConflictOut, **ERRORS},
    summary="Take a lead as its manager",
    operation_id="sputnik_parties_api_take_prospect",
)
def take_prospect(request: HttpRequest, payload: TakeIn) -> Any:
    """From the queue, or unowned in your centre. A customer another centre holds is a
    409 naming that centre and its manager; ask for a transfer instead."""
    actor = actor_of(request)
    try:
        result = services.prospect_take(actor=actor, person_id=payload.person_id)
    except services.OwnershipConflictError as exc:
        return Status(
            409,
            {"detail": exc.message, "centre": _ref(exc.centre), "owner": user_ref(exc.owner)},
        )
    return services.describe(result)


class LookupQuery(Schema):
    phone: Str200 = ""
    email: Str200 = ""


@router.get(
    "/ownership",
    response={200: list[OwnershipHitOut], **ERRORS},
    summary="Who holds the customers with a phone or e-mail",
    operation_id="sputnik_parties_api_ownership_lookup",
)
def ownership_lookup(request: HttpRequest, params: Query[LookupQuery]) -> list[dict[str, Any]]:
    hits = distribution.ownership_lookup(
        actor=actor_of(request), phone=params.phone, email=params.email
    )
    return [
        {
            "person_id": h.person_id,
            "centre": {"id": h.centre_id, "name": h.centre_name},
            "owner_name": h.owner_name,
            "visible": h.visible,
            "display_name": h.display_name,
        }
        for h in hits
    ]


@router.get(
    "/transfer-requests",
    response={200: PageOut[TransferRequestOut], **ERRORS},
    summary="Transfer requests asked of your centre (incoming) or by you (outgoing)",
    operation_id="sputnik_parties_api_list_transfer_requests",
)
def list_transfer_requests(
    request: HttpRequest, params: Query[TransferListQuery]
) -> dict[str, Any]:
    actor = actor_of(request)
    page = distribution.transfer_requests(
        actor=actor,
        box=params.box,
        status=params.status or "",
        cursor=params.cursor,
        size=params.limit,
    )
    visible = set(
        visible_persons(actor)
        .filter(pk__in=[r.person_id for r in page.items])
        .values_list("pk", flat=True)
    )
    return {
        "items": [transfer_out(r, r.person_id in visible) for r in page.items],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/transfer-requests",
    response={201: TransferRequestOut, **ERRORS},
    summary="Ask the holding centre's head for a customer",
    operation_id="sputnik_parties_api_create_transfer_request",
)
def create_transfer_request(request: HttpRequest, payload: TransferRequestIn) -> Status[Any]:
    actor = actor_of(request)
    created = services.transfer_request_create(
        actor=actor, person_id=payload.person_id, reason=payload.reason
    )
    return Status(201, _one(request, created.pk))


@router.get(
    "/transfer-requests/{request_id}",
    response={200: TransferRequestOut, **ERRORS},
    summary="One transfer request",
    operation_id="sputnik_parties_api_get_transfer_request",
)
def get_transfer_request(request: HttpRequest, request_id: Id) -> dict[str, Any]:
    return _one(request, request_id)


@router.post(
    "/transfer-requests/{request_id}/approve",
    response={200: TransferRequestOut, **ERRORS},
    summary="Approve: the customer moves to the asking centre",
    operation_id="sputnik_parties_api_approve_transfer_request",
)
def approve_transfer_request(
    request: HttpRequest, request_id: Id, payload: DecisionIn
) -> dict[str, Any]:
    """The holding centre's head (or an administrator) only."""
    services.transfer_request_approve(
        actor=actor_of(request), request_id=request_id, note=payload.note
    )
    return _one(request, request_id)


@router.post(
    "/transfer-requests/{request_id}/reject",
    response={200: TransferRequestOut, **ERRORS},
    summary="Reject: the customer stays",
    operation_id="sputnik_parties_api_reject_transfer_request",
)
def reject_transfer_request(
    request: HttpRequest, request_id: Id, payload: DecisionIn
) -> dict[str, Any]:
    services.transfer_request_reject(
        actor=actor_of(request), request_id=request_id, note=payload.note
    )
    return _one(request, request_id)


@router.post(
    "/transfer-requests/{request_id}/cancel",
    response={200: TransferRequestOut, **ERRORS},
    summary="Withdraw your pending request",
    operation_id="sputnik_parties_api_cancel_transfer_request",
)
def cancel_transfer_request(request: HttpRequest, request_id: Id) -> dict[str, Any]:
    services.transfer_request_cancel(actor=actor_of(request), request_id=request_id)
    return _one(request, request_id)


class ReportQuery(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


@router.get(
    "/distribution/report",
    response={200: ReportOut, 403: ErrorOut, **ERRORS},
    summary="Conflicts and transfers by centre over a period (heads: their centre)",
    operation_id="sputnik_parties_api_distribution_report",
)
def distribution_report(request: HttpRequest, params: Query[ReportQuery]) -> Any:
    from django.core.exceptions import PermissionDenied
    from django.utils import timezone

    end = params.end or timezone.localdate()
    start = params.start or end - dt.timedelta(days=30)
    if start > end:
        start, end = end, start
    try:
        report = distribution.distribution_report(
            actor=actor_of(request), start=start, end=end, detail_limit=0
        )
    except PermissionDenied:
        from django.utils.translation import gettext as _

        return Status(403, {"detail": _("You do not have the right to do this.")})
    return {
        "start": report.start,
        "end": report.end,
        "rows": [
            {
                "centre": {"id": r.centre_id, "name": r.centre_name},
                **{k: getattr(r, k) for k in ReportRowOut.model_fields if k != "centre"},
            }
            for r in report.rows
        ],
    }
