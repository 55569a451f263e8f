"""Orders: create (from an accepted quote, or directly for a deal), read, list, change
status along the workflow, status history, and the customer's status link.

A hidden order (its deal is outside the user's ladder) is a 404 exactly like a missing id;
an illegal status step, bad lines or a non-accepted quote is a 422 per field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from sputnik.core.api import (
    ERRORS,
    CursorStr,
    Id,
    InSchema,
    PageOut,
    PageSize,
    Str20,
    Str50,
    Str1000,
    Str5000,
    UserRef,
    actor_of,
    user_ref,
)
from sputnik.sales.api.quotes import QuoteLineIn, QuoteLineOut
from sputnik.sales.models import Order, OrderStatus, OrderStatusChange
from sputnik.sales.selectors import orders as selectors
from sputnik.sales.selectors.deals import deal_get
from sputnik.sales.selectors.quotes import quote_for
from sputnik.sales.services import orders as services
from sputnik.sales.services.quote_lines import MAX_LINES

router = Router(tags=["orders"])
OP = "sputnik_sales_api_"
Number = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=20)]


class OrderIn(InSchema):
    deal_id: Id
    lines: Annotated[list[QuoteLineIn], Field(min_length=1, max_length=MAX_LINES)]
    source: Literal["call", "showroom", "api"] = "api"
    vat_rate: Number | None = None
    expected_date: dt.date | None = None
    language: Literal["ru", "en"] = "ru"
    notes: Str5000 = ""


class OrderFromQuoteIn(InSchema):
    expected_date: dt.date | None = None
    language: Literal["ru", "en"] | None = None
    notes: Str5000 = ""


class OrderPatch(InSchema):
    expected_date: dt.date | None = None
    language: Literal["ru", "en"] | None = None
    notes: Str5000 | None = None
    vin: Str20 | None = None


class OrderStatusIn(InSchema):
    status: Str50
    note: Str1000 = ""
    expected_date: dt.date | None = None
    vin: Str20 = ""


class StatusOut(Schema):
    code: str
    name: str
    name_ru: str
    name_en: str
    position: int
    is_initial: bool
    meaning: str
    allowed_next: list[str]


class ChangeOut(Schema):
    id: int
    from_status: str | None
    to_status: str
    at: dt.datetime
    actor: UserRef | None
    note: str
    expected_date: dt.date | None


class OrderSummaryOut(Schema):
    id: int
    number: str
    deal_id: int
    person_id: int | None
    status: str
    status_name: str
    status_changed_at: dt.datetime
    expected_date: dt.date | None
    gross_total: Decimal
    currency: str
    created_at: dt.datetime


class OrderOut(OrderSummaryOut):
    quote_id: int | None
    company_id: int | None
    source: str
    language: str
    vat_rate: Decimal
    net_total: Decimal
    vat_total: Decimal
    notes: str
    vehicle_vin: str
    delivered_at: dt.datetime | None
    delivered_asset_id: int | None
    created_by: UserRef | None
    allowed_next: list[str]
    lines: list[QuoteLineOut]


class StatusLinkOut(Schema):
    url: str
    issued_at: dt.datetime


class OrderListQuery(Schema):
    cursor: CursorStr | None = None
    limit: PageSize = 50
    status: Str50 = ""


def _summary(order: Order) -> dict[str, Any]:
    return {
        "id": order.pk,
        "number": order.number,
        "deal_id": order.deal_id,
        "person_id": order.person_id,
        "status": order.status.code,
        "status_name": order.status.name,
        "status_changed_at": order.status_changed_at,
        "expected_date": order.expected_date,
        "gross_total": order.gross_total,
        "currency": order.currency,
        "created_at": order.created_at,
    }


def order_out(order: Order) -> dict[str, Any]:
    return {
        **_summary(order),
        **{
            name: getattr(order, name)
            for name in (
                "quote_id",
                "company_id",
                "source",
                "language",
                "vat_rate",
                "net_total",
                "vat_total",
                "notes",
                "vehicle_vin",
                "delivered_at",
                "delivered_asset_id",
            )
        },
        "created_by": user_ref(order.created_by),
        "allowed_next": [s.code for s in services.allowed_next_statuses(order)],
        "lines": [
            {
                name: getattr(line, name)
                for name in (
                    "position",
                    "product_id",
                    "sku",
                    "name",
                    "is_vehicle",
                    "configuration",
                    "quantity",
                    "unit_price",
                    "discount_percent",
                    "net_amount",
                    "vat_amount",
                    "gross_amount",
                )
            }
            for line in order.lines.all()
        ],
    }


def _change_out(change: OrderStatusChange) -> dict[str, Any]:
    return {
        "id": change.pk,
        "from_status": change.from_status.code if change.from_status else None,
        "to_status": change.to_status.code,
        "at": change.at,
        "actor": user_ref(change.actor),
        "note": change.note,
        "expected_date": change.expected_date,
    }


def _get(request: HttpRequest, order_id: int) -> Order:
    return selectors.order_for(actor=actor_of(request), order_id=order_id)


@router.get(
    "/order-statuses",
    response={200: list[StatusOut], **ERRORS},
    summary="The order workflow: steps in order with the steps allowed after each",
    operation_id=OP + "list_order_statuses",
)
def list_order_statuses(request: HttpRequest) -> list[dict[str, Any]]:
    statuses = OrderStatus.objects.filter(is_active=True).prefetch_related("allowed_next")
    return [
        {
            "code": s.code,
            "name": s.name,
            "name_ru": s.name_ru,
            "name_en": s.name_en,
            "position": s.position,
            "is_initial": s.is_initial,
            "meaning": s.meaning,
            "allowed_next": [n.code for n in s.allowed_next.all() if n.is_active],
        }
        for s in statuses.order_by("position", "id")
    ]


@router.get(
    "/orders",
    response={200: PageOut[OrderSummaryOut], **ERRORS},
    summary="Orders the user may see, newest first (cursor paging)",
    operation_id=OP + "list_orders",
)
def list_orders(request: HttpRequest, params: Query[OrderListQuery]) -> dict[str, Any]:
    page = selectors.order_page(
        actor=actor_of(request), cursor=params.cursor, size=params.limit, status=params.status
    )
    return {"items": [_summary(o) for o in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/orders",
    response={201: OrderOut, **ERRORS},
    summary="Take an order for a deal directly (a call, the showroom, an integration)",
    operation_id=OP + "create_order",
)
def create_order(request: HttpRequest, payload: OrderIn) -> Status[Any]:
    actor = actor_of(request)
    deal = deal_get(actor=actor, deal_id=payload.deal_id)
    order = services.order_create(
        actor=actor,
        deal=deal,
        lines=[line.model_dump() for line in payload.lines],
        source=payload.source,
        vat_rate=payload.vat_rate,
        expected_date=payload.expected_date,
        language=payload.language,
        notes=payload.notes,
    )
    return Status(201, order_out(_get(request, order.pk)))


@router.post(
    "/quotes/{quote_id}/order",
    response={201: OrderOut, **ERRORS},
    summary="Turn an accepted quote into an order",
    operation_id=OP + "create_order_from_quote",
)
def create_order_from_quote(
    request: HttpRequest, quote_id: Id, payload: OrderFromQuoteIn
) -> Status[Any]:
    actor = actor_of(request)
    quote = quote_for(actor=actor, quote_id=quote_id)
    order = services.order_create_from_quote(
        actor=actor,
        quote=quote,
        expected_date=payload.expected_date,
        language=payload.language,
        notes=payload.notes,
    )
    return Status(201, order_out(_get(request, order.pk)))


@router.get(
    "/orders/{order_id}",
    response={200: OrderOut, **ERRORS},
    summary="One order with its lines, totals and the steps allowed next",
    operation_id=OP + "get_order",
)
def get_order(request: HttpRequest, order_id: Id) -> dict[str, Any]:
    return order_out(_get(request, order_id))


@router.patch(
    "/orders/{order_id}",
    response={200: OrderOut, **ERRORS},
    summary="Change the expected date, the customer's language, notes or the VIN",
    operation_id=OP + "update_order",
)
def update_order(request: HttpRequest, order_id: Id, payload: OrderPatch) -> dict[str, Any]:
    order = _get(request, order_id)
    services.order_update(
        actor=actor_of(request), order=order, data=payload.model_dump(exclude_unset=True)
    )
    return order_out(_get(request, order_id))


@router.post(
    "/orders/{order_id}/status",
    response={200: OrderOut, **ERRORS},
    summary="Move the order to a step allowed next (records the change and its event)",
    operation_id=OP + "change_order_status",
)
def change_order_status(
    request: HttpRequest, order_id: Id, payload: OrderStatusIn
) -> dict[str, Any]:
    order = _get(request, order_id)
    services.order_change_status(
        actor=actor_of(request),
        order=order,
        to=payload.status,
        note=payload.note,
        expected_date=payload.expected_date,
        vin=payload.vin,
    )
    return order_out(_get(request, order_id))


@router.get(
    "/orders/{order_id}/history",
    response={200: list[ChangeOut], **ERRORS},
    summary="The order's status changes, oldest first",
    operation_id=OP + "order_history",
)
def order_history(request: HttpRequest, order_id: Id) -> list[dict[str, Any]]:
    changes = selectors.order_history(actor=actor_of(request), order_id=order_id)
    return [_change_out(c) for c in changes]


@router.post(
    "/orders/{order_id}/status-link",
    response={201: StatusLinkOut, **ERRORS},
    summary="Issue the customer's status link (any earlier link stops working)",
    operation_id=OP + "issue_order_status_link",
)
def issue_order_status_link(request: HttpRequest, order_id: Id) -> Status[Any]:
    order = _get(request, order_id)
    link = services.order_link_issue(actor=actor_of(request), order=order)
    url = request.build_absolute_uri(
        reverse("sales:order_status_page", args=[services.status_link_token(link)])
    )
    return Status(201, {"url": url, "issued_at": link.issued_at})


@router.delete(
    "/orders/{order_id}/status-link",
    response={204: None, **ERRORS},
    summary="Revoke the customer's status link (the page answers 404 from now on)",
    operation_id=OP + "revoke_order_status_link",
)
def revoke_order_status_link(request: HttpRequest, order_id: Id) -> Status[None]:
    order = _get(request, order_id)
    services.order_link_revoke(actor=actor_of(request), order=order)
    return Status(204, None)
