"""Quotes: create from a deal, read, edit a draft, revise, change status, download the PDF.

A quote the user may not see (its deal is outside their ladder) is a 404 exactly like a
missing id; bad lines, an illegal status step or an expired quote are 422 per field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, Router, Schema, Status

from sputnik.core.api import ERRORS, Id, InSchema, Str300, Str5000, UserRef, actor_of, user_ref
from sputnik.sales.models import Quote
from sputnik.sales.selectors import quotes as selectors
from sputnik.sales.selectors.deals import deal_get
from sputnik.sales.services import quotes as services
from sputnik.sales.services.quote_lines import MAX_LINES
from sputnik.sales.services.quote_pdf import quote_pdf_filename, render_quote_pdf, stored_quote_pdf

router = Router(tags=["quotes"])
OP = "sputnik_sales_api_"
Number = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=20)]


class QuoteLineIn(InSchema):
    product_id: Id | None = None
    name: Str300 = ""
    quantity: Number = Decimal(1)
    unit_price: Number | None = None
    discount_percent: Number = Decimal(0)
    configuration: dict[str, Any] = Field(default_factory=dict)


class QuoteIn(InSchema):
    """`lines` omitted: the deal's own lines are copied."""

    lines: Annotated[list[QuoteLineIn], Field(max_length=MAX_LINES)] | None = None
    valid_until: dt.date | None = None
    vat_rate: Number | None = None
    language: Literal["ru", "en"] = "ru"
    notes: Str5000 = ""


class QuotePatch(InSchema):
    lines: Annotated[list[QuoteLineIn], Field(max_length=MAX_LINES)] | None = None
    valid_until: dt.date | None = None
    vat_rate: Number | None = None
    language: Literal["ru", "en"] | None = None
    notes: Str5000 | None = None


class QuoteStatusIn(InSchema):
    status: Literal["sent", "accepted", "declined"]
    reason: Str300 = ""


class QuoteLineOut(Schema):
    position: int
    product_id: int | None
    sku: str
    name: str
    is_vehicle: bool
    configuration: dict[str, Any]
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    net_amount: Decimal
    vat_amount: Decimal
    gross_amount: Decimal


class QuoteOut(Schema):
    id: int
    deal_id: int
    person_id: int | None
    company_id: int | None
    number: str
    version: int
    display_number: str
    previous_id: int | None
    status: str
    currency: str
    vat_rate: Decimal
    valid_until: dt.date
    language: str
    notes: str
    net_total: Decimal
    vat_total: Decimal
    gross_total: Decimal
    document_id: int | None
    created_by: UserRef | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    decided_at: dt.datetime | None
    decline_reason: str
    lines: list[QuoteLineOut]


def quote_out(quote: Quote) -> dict[str, Any]:
    return {
        **{
            name: getattr(quote, name)
            for name in (
                "id",
                "deal_id",
                "person_id",
                "company_id",
                "number",
                "version",
                "display_number",
                "previous_id",
                "status",
                "currency",
                "vat_rate",
                "valid_until",
                "language",
                "notes",
                "net_total",
                "vat_total",
                "gross_total",
                "document_id",
                "created_at",
                "sent_at",
                "decided_at",
                "decline_reason",
            )
        },
        "created_by": user_ref(quote.created_by),
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
            for line in quote.lines.all()
        ],
    }


def _lines(payload: QuoteIn | QuotePatch) -> list[dict[str, Any]] | None:
    if payload.lines is None:
        return None
    return [line.model_dump() for line in payload.lines]


def _get(request: HttpRequest, quote_id: int) -> Quote:
    return selectors.quote_for(actor=actor_of(request), quote_id=quote_id)


@router.get(
    "/deals/{deal_id}/quotes",
    response={200: list[QuoteOut], **ERRORS},
    summary="A deal's quotes, every version, newest first",
    operation_id=OP + "list_deal_quotes",
)
def list_deal_quotes(request: HttpRequest, deal_id: Id) -> list[dict[str, Any]]:
    actor = actor_of(request)
    deal_get(actor=actor, deal_id=deal_id)  # a hidden deal is a 404, not an empty list
    quotes = selectors.quotes_of_deal(actor=actor, deal_id=deal_id)
    return [quote_out(selectors.quote_for(actor=actor, quote_id=q.pk)) for q in quotes]


@router.post(
    "/deals/{deal_id}/quotes",
    response={201: QuoteOut, **ERRORS},
    summary="Create a draft quote for a deal (its lines copied unless lines are given)",
    operation_id=OP + "create_quote",
)
def create_quote(request: HttpRequest, deal_id: Id, payload: QuoteIn) -> Status[Any]:
    actor = actor_of(request)
    deal = deal_get(actor=actor, deal_id=deal_id)
    quote = services.quote_create(
        actor=actor,
        deal=deal,
        lines=_lines(payload),
        valid_until=payload.valid_until,
        vat_rate=payload.vat_rate,
        language=payload.language,
        notes=payload.notes,
    )
    return Status(201, quote_out(_get(request, quote.pk)))


@router.get(
    "/quotes/{quote_id}",
    response={200: QuoteOut, **ERRORS},
    summary="One quote with its lines and totals",
    operation_id=OP + "get_quote",
)
def get_quote(request: HttpRequest, quote_id: Id) -> dict[str, Any]:
    return quote_out(_get(request, quote_id))


@router.patch(
    "/quotes/{quote_id}",
    response={200: QuoteOut, **ERRORS},
    summary="Change a draft (lines are replaced as a whole)",
    operation_id=OP + "update_quote",
)
def update_quote(request: HttpRequest, quote_id: Id, payload: QuotePatch) -> dict[str, Any]:
    quote = _get(request, quote_id)
    data = payload.model_dump(exclude_unset=True)
    if "lines" in data:
        data["lines"] = _lines(payload) or []
    services.quote_update(actor=actor_of(request), quote=quote, data=data)
    return quote_out(_get(request, quote_id))


@router.post(
    "/quotes/{quote_id}/revise",
    response={201: QuoteOut, **ERRORS},
    summary="Make the next version (a draft); the revised one becomes read-only",
    operation_id=OP + "revise_quote",
)
def revise_quote(request: HttpRequest, quote_id: Id, payload: QuotePatch) -> Status[Any]:
    quote = _get(request, quote_id)
    data = payload.model_dump(exclude_unset=True)
    if "lines" in data:
        data["lines"] = _lines(payload) or []
    new = services.quote_revise(actor=actor_of(request), quote=quote, data=data)
    return Status(201, quote_out(_get(request, new.pk)))


@router.post(
    "/quotes/{quote_id}/status",
    response={200: QuoteOut, **ERRORS},
    summary="Send, accept or decline a quote",
    operation_id=OP + "change_quote_status",
)
def change_quote_status(
    request: HttpRequest, quote_id: Id, payload: QuoteStatusIn
) -> dict[str, Any]:
    actor = actor_of(request)
    quote = _get(request, quote_id)
    if payload.status == "sent":
        services.quote_send(actor=actor, quote=quote)
    elif payload.status == "accepted":
        services.quote_accept(actor=actor, quote=quote)
    else:
        services.quote_decline(actor=actor, quote=quote, reason=payload.reason)
    return quote_out(_get(request, quote_id))


@router.get(
    "/quotes/{quote_id}/pdf",
    response={200: None, **ERRORS},
    summary="The quote as PDF (the stored document once sent, rendered for a draft)",
    operation_id=OP + "quote_pdf",
    openapi_extra={
        "responses": {
            "200": {
                "description": "PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def quote_pdf(request: HttpRequest, quote_id: Id) -> HttpResponse:
    quote = _get(request, quote_id)
    content = stored_quote_pdf(quote) or render_quote_pdf(quote)
    response = HttpResponse(content, content_type="application/pdf")
    disposition = content_disposition_header(True, quote_pdf_filename(quote))
    response["Content-Disposition"] = disposition or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response
