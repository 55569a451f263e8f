"""Pipelines, deals, their lines, stage history and trade-in.

Handlers stay thin: they fetch the deal through the visibility-scoped selector (a
hidden deal is a 404 exactly like a missing one), call one service and return a schema.
Centre and owner change only through /deals/{id}/transfer; stage only through move,
win and lose.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from sputnik.core.api import (
    ERRORS,
    CursorStr,
    Id,
    InSchema,
    PageOut,
    PageSize,
    Ref,
    Str20,
    Str200,
    Str300,
    Str5000,
    UserRef,
    actor_of,
    user_ref,
)
from sputnik.parties.api.schemas import HistoryOut
from sputnik.parties.api.serialize import history_out
from sputnik.parties.selectors import person_get
from sputnik.sales.models import Deal, DealLine, DealSource, StageKind, TradeIn
from sputnik.sales.selectors import deals as selectors
from sputnik.sales.services import deals as services
from sputnik.sales.services import tradein as tradein_services

router = Router(tags=["pipelines and deals"])

Money = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=20)]
Percent = Annotated[int, Field(ge=0, le=100)]
OP = "sputnik_sales_api_"

# --- schemas ----------------------------------------------------------------------------


class StageOut(Schema):
    id: int
    name: str
    position: int
    kind: StageKind
    probability: int
    requires_lines: bool
    requires_amount: bool
    requires_expected_close: bool
    requires_trade_in_appraisal: bool


class PipelineOut(Schema):
    id: int
    slug: str
    name: str
    kind: str
    stages: list[StageOut]


class LostReasonOut(Schema):
    id: int
    name: str


class LineIn(InSchema):
    product_id: Id | None = None
    description: Str300 = ""
    quantity: Money = Decimal(1)
    unit_price: Money | None = None
    discount_pct: Money = Decimal(0)
    vin: Str20 = ""
    configuration: dict[str, Any] = Field(default_factory=dict)


class LinePatch(InSchema):
    product_id: Id | None = None
    description: Str300 | None = None
    quantity: Money | None = None
    unit_price: Money | None = None
    discount_pct: Money | None = None
    vin: Str20 | None = None
    configuration: dict[str, Any] | None = None
    position: Annotated[int, Field(ge=0, le=10_000)] | None = None


class LineOut(Schema):
    id: int
    product: Ref | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    amount: Decimal
    position: int
    vin: str
    configuration: dict[str, Any]


class DealIn(InSchema):
    person_id: Id | None = None
    company_id: Id | None = None
    pipeline_id: Id | None = None
    stage_id: Id | None = None
    title: Str200 = ""
    amount: Money | None = None
    currency: Literal["RUB", "USD", "EUR", "CNY", "KZT", "BYN"] = "RUB"
    probability: Percent | None = None
    expected_close: dt.date | None = None
    source: DealSource = DealSource.OTHER
    centre_id: Id | None = None
    owner_id: Id | None = None
    lines: Annotated[list[LineIn], Field(max_length=services.MAX_LINES)] = Field(
        default_factory=list
    )


class DealPatch(InSchema):
    """Only the fields sent change. Stage, centre and owner are not fields here: a
    request naming them (or any unknown field) is refused with 422."""

    person_id: Id | None = None
    company_id: Id | None = None
    title: Str200 | None = None
    amount: Money | None = None
    currency: Literal["RUB", "USD", "EUR", "CNY", "KZT", "BYN"] | None = None
    probability: Percent | None = None
    expected_close: dt.date | None = None
    source: DealSource | None = None


class MoveIn(InSchema):
    stage_id: Id
    position: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    lost_reason_id: Id | None = None
    note: Annotated[str, Field(max_length=500)] = ""


class LoseIn(InSchema):
    lost_reason_id: Id
    note: Annotated[str, Field(max_length=500)] = ""


class TransferIn(InSchema):
    centre_id: Id
    owner_id: Id | None = None


class TradeInIn(InSchema):
    asset_id: Id | None = None
    appraised_value: Money | None = None
    appraised_on: dt.date | None = None
    appraiser_id: Id | None = None
    notes: Str5000 | None = None


class TradeInOut(Schema):
    asset_id: int | None
    vehicle: str
    appraised_value: Decimal | None
    appraised_on: dt.date | None
    appraiser: UserRef | None
    notes: str
    completed_at: dt.datetime | None
    new_asset_id: int | None


class DealSummaryOut(Schema):
    id: int
    title: str
    pipeline: Ref
    stage: Ref
    status: StageKind
    person: Ref | None
    company: Ref | None
    centre: Ref
    owner: UserRef | None
    amount: Decimal
    currency: str
    probability: int
    expected_close: dt.date | None
    created_at: dt.datetime


class DealOut(DealSummaryOut):
    source: str
    lost_reason: Ref | None
    lost_note: str
    closed_at: dt.datetime | None
    delivered_at: dt.datetime | None
    stage_entered_at: dt.datetime
    updated_at: dt.datetime
    lines: list[LineOut]
    trade_in: TradeInOut | None


class StageChangeOut(Schema):
    stage: Ref
    from_stage: Ref | None
    entered_at: dt.datetime
    left_at: dt.datetime | None
    seconds: float
    actor: UserRef | None


# --- serialisation ----------------------------------------------------------------------


def _ref(obj: Any, name: str = "name") -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": getattr(obj, name)}


def _line_out(line: DealLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "product": _ref(line.product),
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "discount_pct": line.discount_pct,
        "amount": line.amount,
        "position": line.position,
        "vin": line.vin,
        "configuration": line.configuration or {},
    }


def _trade_in_out(trade_in: TradeIn | None) -> dict[str, Any] | None:
    if trade_in is None:
        return None
    return {
        "asset_id": trade_in.asset_id,
        "vehicle": trade_in.vehicle_label,
        "appraised_value": trade_in.appraised_value,
        "appraised_on": trade_in.appraised_on,
        "appraiser": user_ref(trade_in.appraiser),
        "notes": trade_in.notes,
        "completed_at": trade_in.completed_at,
        "new_asset_id": trade_in.new_asset_id,
    }


def _summary(deal: Deal) -> dict[str, Any]:
    return {
        "id": deal.pk,
        "title": deal.title,
        "pipeline": _ref(deal.pipeline),
        "stage": _ref(deal.stage),
        "status": deal.status,
        "person": _ref(deal.person, "display_name"),
        "company": _ref(deal.company),
        "centre": _ref(deal.centre),
        "owner": user_ref(deal.owner),
        "amount": deal.amount,
        "currency": deal.currency,
        "probability": deal.probability,
        "expected_close": deal.expected_close,
        "created_at": deal.created_at,
    }


def _trade_in_of(deal: Deal) -> TradeIn | None:
    try:
        return deal.trade_in
    except TradeIn.DoesNotExist:
        return None


def _detail(deal: Deal) -> dict[str, Any]:
    return {
        **_summary(deal),
        "source": deal.source,
        "lost_reason": _ref(deal.lost_reason),
        "lost_note": deal.lost_note,
        "closed_at": deal.closed_at,
        "delivered_at": deal.delivered_at,
        "stage_entered_at": deal.stage_entered_at,
        "updated_at": deal.updated_at,
        "lines": [_line_out(line) for line in deal.lines.all()],
        "trade_in": _trade_in_out(_trade_in_of(deal)),
    }


def _card(request: HttpRequest, deal_id: int) -> dict[str, Any]:
    return _detail(selectors.deal_card(actor=actor_of(request), deal_id=deal_id))


def _pipeline_out(pipeline: Any) -> dict[str, Any]:
    return {
        "id": pipeline.pk,
        "slug": pipeline.slug,
        "name": pipeline.name,
        "kind": pipeline.kind,
        "stages": [
            {
                "id": s.pk,
                "name": s.name,
                "position": s.position,
                "kind": s.kind,
                "probability": s.probability,
                "requires_lines": s.requires_lines,
                "requires_amount": s.requires_amount,
                "requires_expected_close": s.requires_expected_close,
                "requires_trade_in_appraisal": s.requires_trade_in_appraisal,
            }
            for s in pipeline.stages.all()
        ],
    }


def _data(payload: InSchema) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True)


# --- pipelines --------------------------------------------------------------------------


@router.get(
    "/pipelines",
    response={200: list[PipelineOut], **ERRORS},
    summary="Pipelines and their stages",
    operation_id=OP + "list_pipelines",
)
def list_pipelines(request: HttpRequest) -> list[dict[str, Any]]:
    return [_pipeline_out(p) for p in selectors.pipeline_list()]


@router.get(
    "/pipelines/{pipeline_id}",
    response={200: PipelineOut, **ERRORS},
    summary="A pipeline and its stages",
    operation_id=OP + "get_pipeline",
)
def get_pipeline(request: HttpRequest, pipeline_id: Id) -> dict[str, Any]:
    return _pipeline_out(selectors.pipeline_get(pipeline_id=pipeline_id))


@router.get(
    "/lost-reasons",
    response={200: list[LostReasonOut], **ERRORS},
    summary="Why deals are lost (the managed list)",
    operation_id=OP + "list_lost_reasons",
)
def list_lost_reasons(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"id": r.pk, "name": r.name} for r in selectors.lost_reasons()]


# --- deals ------------------------------------------------------------------------------


class DealListQuery(Schema):
    pipeline: Id | None = None
    stage: Id | None = None
    status: StageKind | None = None
    centre: Id | None = None
    owner: Annotated[str, Field(pattern=r"^(me|[1-9][0-9]{0,17})$")] | None = Field(
        None, description='A user id, or "me"'
    )
    person: Id | None = None
    company: Id | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    amount_min: Money | None = None
    amount_max: Money | None = None
    q: Annotated[str, Field(max_length=200)] = Field(
        "", description="The customer's name, phone or e-mail"
    )
    cursor: CursorStr | None = None
    limit: PageSize = 50


@router.get(
    "/deals",
    response={200: PageOut[DealSummaryOut], **ERRORS},
    summary="List deals",
    operation_id=OP + "list_deals",
)
def list_deals(request: HttpRequest, params: Query[DealListQuery]) -> dict[str, Any]:
    """Deals the user may see, newest first, by cursor."""
    actor = actor_of(request)
    owner_id = None
    if params.owner == "me":
        owner_id = actor.pk
    elif params.owner:
        owner_id = int(params.owner)
    filters = selectors.DealFilters(
        pipeline_id=params.pipeline,
        stage_id=params.stage,
        status=params.status or "",
        centre_id=params.centre,
        owner_id=owner_id,
        person_id=params.person,
        company_id=params.company,
        created_from=params.created_from,
        created_to=params.created_to,
        amount_min=params.amount_min,
        amount_max=params.amount_max,
        q=params.q.replace("\x00", "").strip(),
    )
    page = selectors.deal_list(
        actor=actor, filters=filters, cursor=params.cursor, size=params.limit
    )
    return {"items": [_summary(d) for d in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/deals",
    response={201: DealOut, **ERRORS},
    summary="Create a deal",
    operation_id=OP + "create_deal",
)
def create_deal(request: HttpRequest, payload: DealIn) -> Status[Any]:
    actor = actor_of(request)
    deal = services.deal_create(
        actor=actor,
        data=_data(payload)
        | {"lines": [line.model_dump(exclude_unset=True) for line in payload.lines]},
    )
    return Status(201, _card(request, deal.pk))


@router.get(
    "/deals/{deal_id}",
    response={200: DealOut, **ERRORS},
    summary="A deal with its lines and trade-in",
    operation_id=OP + "get_deal",
)
def get_deal(request: HttpRequest, deal_id: Id) -> dict[str, Any]:
    return _card(request, deal_id)


@router.patch(
    "/deals/{deal_id}",
    response={200: DealOut, **ERRORS},
    summary="Change a deal's details",
    operation_id=OP + "update_deal",
)
def update_deal(request: HttpRequest, deal_id: Id, payload: DealPatch) -> dict[str, Any]:
    actor = actor_of(request)
    deal = selectors.deal_get(actor=actor, deal_id=deal_id)
    services.deal_update(actor=actor, deal=deal, data=_data(payload))
    return _card(request, deal_id)


@router.delete(
    "/deals/{deal_id}",
    response={204: None, **ERRORS},
    summary="Delete a deal",
    operation_id=OP + "delete_deal",
)
def delete_deal(request: HttpRequest, deal_id: Id) -> Status[Any]:
    actor = actor_of(request)
    deal = selectors.deal_get(actor=actor, deal_id=deal_id)
    services.deal_delete(actor=actor, deal=deal)
    return Status(204, None)


@router.post(
    "/deals/{deal_id}/move",
    response={200: DealOut, **ERRORS},
    summary="Move a deal to a stage (and a position in its board column)",
    operation_id=OP + "move_deal",
)
def move_deal(request: HttpRequest, deal_id: Id, payload: MoveIn) -> dict[str, Any]:
    """Refused with 422 and nothing written when the stage's rules are not met, the
    deal is closed, or a lost stage comes without `lost_reason_id`."""
    actor = actor_of(request)
    deal = selectors.deal_get(actor=actor, deal_id=deal_id)
    services.deal_move(
        actor=actor,
        deal=deal,
        stage=payload.stage_id,
        position=payload.position,
        lost_reason=payload.lost_reason_id,
        note=payload.note,
    )
    return _card(request, deal_id)


@router.post(
    "/deals/{deal_id}/win",
    response={200: DealOut, **ERRORS},
    summary="Close a deal as won",
    operation_id=OP + "win_deal",
)
def win_deal(request: HttpRequest, deal_id: Id) -> dict[str, Any]:
    actor = actor_of(request)
    services.deal_win(actor=actor, deal=selectors.deal_get(actor=actor, deal_id=deal_id))
    return _card(request, deal_id)


@router.post(
    "/deals/{deal_id}/lose",
    response={200: DealOut, **ERRORS},
    summary="Close a deal as lost, with a reason",
    operation_id=OP + "lose_deal",
)
def lose_deal(request: HttpRequest, deal_id: Id, payload: LoseIn) -> dict[str, Any]:
    actor = actor_of(request)
    deal = selectors.deal_get(actor=actor, deal_id=deal_id)
    services.deal_lose(actor=actor, deal=deal, reason=payload.lost_reason_id, note=payload.note)
    return _card(request, deal_id)


@router.post(
    "/deals/{deal_id}/transfer",
    response={200: DealOut, **ERRORS},
    summary="Hand a deal to another centre and/or owner",
    operation_id=OP + "transfer_deal",
)
def transfer_deal(request: HttpRequest, deal_id: Id, payload: TransferIn) -> dict[str, Any]:
    actor = actor_of(request)
    deal = selectors.deal_get(actor=actor, deal_id=deal_id)
    services.deal_transfer(
        actor=actor, deal=deal, centre_id=payload.centre_id, owner_id=payload.owner_id
    )
    return _card(request, deal_id)


@router.get(
    "/deals/{deal_id}/stage-history",
    response={200: list[StageChangeOut], **ERRORS},
    summary="The stages a deal went through, with the time in each",
    operation_id=OP + "deal_stage_history",
)
def deal_stage_history(request: HttpRequest, deal_id: Id) -> list[dict[str, Any]]:
    from django.utils import timezone

    actor = actor_of(request)
    deal = selectors.deal_get(actor=actor, deal_id=deal_id)
    now = timezone.now()
    return [
        {
            "stage": _ref(c.stage),
            "from_stage": _ref(c.from_stage),
            "entered_at": c.entered_at,
            "left_at": c.left_at,
            "seconds": max(((c.left_at or now) - c.entered_at).total_seconds(), 0.0),
            "actor": user_ref(c.actor),
        }
        for c in selectors.deal_stage_history(actor=actor, deal=deal)
    ]


@router.get(
    "/deals/{deal_id}/history",
    response={200: PageOut[HistoryOut], **ERRORS},
    summary="The audit trail of a deal",
    operation_id=OP + "deal_history",
)
def deal_history(
    request: HttpRequest, deal_id: Id, cursor: CursorStr | None = None, limit: PageSize = 50
) -> dict[str, Any]:
    actor = actor_of(request)
    deal = selectors.deal_get(actor=actor, deal_id=deal_id)
    page = selectors.deal_history(actor=actor, deal=deal, cursor=cursor, size=limit)
    return {"items": [history_out(e) for e in page.items], "next_cursor": page.next_cursor}


# --- lines ------------------------------------------------------------------------------


@router.get(
    "/deals/{deal_id}/lines",
    response={200: list[LineOut], **ERRORS},
    summary="A deal's product lines",
    operation_id=OP + "list_deal_lines",
)
def list_deal_lines(request: HttpRequest, deal_id: Id) -> list[dict[str, Any]]:
    deal = selectors.deal_card(actor=actor_of(request), deal_id=deal_id)
    return [_line_out(line) for line in deal.lines.all()]


@router.post(
    "/deals/{deal_id}/lines",
    response={201: LineOut, **ERRORS},
    summary="Add a product line",
    operation_id=OP + "add_deal_line",
)
def add_deal_line(request: HttpRequest, deal_id: Id, payload: LineIn) -> Status[Any]:
    actor = actor_of(request)
    deal = selectors.deal_get(actor=actor, deal_id=deal_id)
    line = services.deal_line_add(actor=actor, deal=deal, data=_data(payload))
    return Status(201, _line_out(line))


@router.patch(
    "/deals/{deal_id}/lines/{line_id}",
    response={200: LineOut, **ERRORS},
    summary="Change a product line",
    operation_id=OP + "update_deal_line",
)
def update_deal_line(
    request: HttpRequest, deal_id: Id, line_id: Id, payload: LinePatch
) -> dict[str, Any]:
    actor = actor_of(request)
    deal = selectors.deal_get(actor=actor, deal_id=deal_id)
    line = selectors.line_get(actor=actor, deal=deal, line_id=line_id)
    return _line_out(services.deal_line_update(actor=actor, line=line, data=_data(payload)))


@router.delete(
    "/deals/{deal_id}/lines/{line_id}",
    response={204: None, **ERRORS},
    summary="Remove a product line",
    operation_id=OP + "delete_deal_line",
)
def delete_deal_line(request: HttpRequest, deal_id: Id, line_id: Id) -> Status[Any]:
    actor = actor_of(request)
    deal = selectors.deal_get(actor=actor, deal_id=deal_id)
    line = selectors.line_get(actor=actor, deal=deal, line_id=line_id)
    services.deal_line_delete(actor=actor, line=line)
    return Status(204, None)


# --- trade-in ---------------------------------------------------------------------------


@router.get(
    "/deals/{deal_id}/trade-in",
    response={200: TradeInOut | None, **ERRORS},
    summary="The deal's trade-in vehicle and appraisal (null when none)",
    operation_id=OP + "get_trade_in",
)
def get_trade_in(request: HttpRequest, deal_id: Id) -> dict[str, Any] | None:
    deal = selectors.deal_card(actor=actor_of(request), deal_id=deal_id)
    return _trade_in_out(_trade_in_of(deal))


@router.put(
    "/deals/{deal_id}/trade-in",
    response={200: TradeInOut, **ERRORS},
    summary="Attach or change the trade-in (only the fields sent change)",
    operation_id=OP + "set_trade_in",
)
def set_trade_in(request: HttpRequest, deal_id: Id, payload: TradeInIn) -> dict[str, Any]:
    actor = actor_of(request)
    deal = selectors.deal_get(actor=actor, deal_id=deal_id)
    trade_in = tradein_services.tradein_set(actor=actor, deal=deal, data=_data(payload))
    return _trade_in_out(trade_in)  # type: ignore[return-value]


@router.delete(
    "/deals/{deal_id}/trade-in",
    response={204: None, **ERRORS},
    summary="Remove the trade-in from a deal",
    operation_id=OP + "remove_trade_in",
)
def remove_trade_in(request: HttpRequest, deal_id: Id) -> Status[Any]:
    actor = actor_of(request)
    tradein_services.tradein_remove(
        actor=actor, deal=selectors.deal_get(actor=actor, deal_id=deal_id)
    )
    return Status(204, None)


@router.post(
    "/deals/{deal_id}/handover",
    response={200: DealOut, **ERRORS},
    summary="Hand a won deal over: the trade-in leaves and the new vehicle joins the assets",
    operation_id=OP + "hand_over_deal",
)
def hand_over_deal(request: HttpRequest, deal_id: Id) -> dict[str, Any]:
    actor = actor_of(request)
    tradein_services.tradein_complete(
        actor=actor, deal=selectors.deal_get(actor=actor, deal_id=deal_id)
    )
    return _card(request, deal_id)


# --- a person's deals -------------------------------------------------------------------


@router.get(
    "/persons/{person_id}/deals",
    response={200: list[DealSummaryOut], **ERRORS},
    summary="A person's deals (the latest 50 the user may see)",
    operation_id=OP + "list_person_deals",
)
def list_person_deals(request: HttpRequest, person_id: Id) -> list[dict[str, Any]]:
    actor = actor_of(request)
    person = person_get(actor=actor, person_id=person_id)
    deals = selectors.person_deals(actor=actor, person=person, limit=50)
    return [_summary(d) for d in deals]
