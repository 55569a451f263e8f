"""Sales reactions to domain events: the deals' timeline projection and merges.

The timeline entries follow the activities app's own projection of stage changes
(sputnik/activities/handlers.py): they run in the publishing service's transaction, so
a deal and its timeline entry commit or roll back together.
"""

from __future__ import annotations

from typing import Any

from sputnik.activities.models import Interaction
from sputnik.core.events import subscribe


def _project(
    *,
    deal_id: int,
    person_id: int | None,
    company_id: int | None,
    centre_id: int | None,
    actor_id: int | None,
    event: str,
    subject: str,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    if person_id is None and company_id is None:
        return
    Interaction.objects.create(
        person_id=person_id,
        company_id=company_id,
        centre_id=centre_id,
        actor_id=actor_id,
        kind=Interaction.Kind.DEAL,
        subject=subject[:300],
        body=body,
        data={"deal_id": deal_id, "event": event, **(data or {})},
    )


def _stage_names(from_id: int | None, to_id: int | None) -> dict[str, str]:
    """Both languages of the stages a move went between: the entry reads right in the
    reader's language, whichever language the mover used."""
    from sputnik.sales.models import PipelineStage

    names = {s.pk: s for s in PipelineStage.objects.filter(pk__in=[from_id, to_id])}
    out: dict[str, str] = {}
    for key, pk in (("from", from_id), ("to", to_id)):
        stage = names.get(pk) if pk is not None else None
        if stage is not None:
            out[f"{key}_ru"], out[f"{key}_en"] = stage.name_ru, stage.name_en
    return out


def _reason_names(reason_id: int | None) -> dict[str, str]:
    from sputnik.sales.models import LostReason

    reason = LostReason.objects.filter(pk=reason_id).first() if reason_id else None
    return {"reason_ru": reason.name_ru, "reason_en": reason.name_en} if reason else {}


@subscribe("deal.created")
def on_deal_created(
    *, deal_id: int, title: str, amount: str, currency: str, **payload: Any
) -> None:
    _project(
        deal_id=deal_id,
        person_id=payload.get("person_id"),
        company_id=payload.get("company_id"),
        centre_id=payload.get("centre_id"),
        actor_id=payload.get("actor_id"),
        event="created",
        subject=title,
        data={"amount": amount, "currency": currency},
    )


@subscribe("deal.stage_changed")
def on_deal_stage_changed(
    *, deal_id: int, title: str, from_stage: str, to_stage: str, status: str, **payload: Any
) -> None:
    if status != "open":
        return  # a close is projected once, by deal.won / deal.lost, with its outcome
    _project(
        deal_id=deal_id,
        person_id=payload.get("person_id"),
        company_id=payload.get("company_id"),
        centre_id=payload.get("centre_id"),
        actor_id=payload.get("actor_id"),
        event="stage_changed",
        subject=title,
        data={
            "from": from_stage,
            "to": to_stage,
            **_stage_names(payload.get("from_stage_id"), payload.get("to_stage_id")),
        },
    )


@subscribe("deal.won")
def on_deal_won(
    *, deal_id: int, title: str, from_stage: str, to_stage: str, **payload: Any
) -> None:
    _project(
        deal_id=deal_id,
        person_id=payload.get("person_id"),
        company_id=payload.get("company_id"),
        centre_id=payload.get("centre_id"),
        actor_id=payload.get("actor_id"),
        event="won",
        subject=title,
        data={
            "from": from_stage,
            "to": to_stage,
            **_stage_names(payload.get("from_stage_id"), payload.get("to_stage_id")),
            "amount": payload.get("amount"),
            "currency": payload.get("currency"),
        },
    )


@subscribe("deal.lost")
def on_deal_lost(
    *,
    deal_id: int,
    title: str,
    from_stage: str,
    to_stage: str,
    lost_reason: str = "",
    note: str = "",
    **payload: Any,
) -> None:
    _project(
        deal_id=deal_id,
        person_id=payload.get("person_id"),
        company_id=payload.get("company_id"),
        centre_id=payload.get("centre_id"),
        actor_id=payload.get("actor_id"),
        event="lost",
        subject=title,
        body=note,
        data={
            "from": from_stage,
            "to": to_stage,
            "reason": lost_reason,
            **_stage_names(payload.get("from_stage_id"), payload.get("to_stage_id")),
            **_reason_names(payload.get("lost_reason_id")),
        },
    )


@subscribe("person.merged")
def on_person_merged(*, survivor_id: int, merged_id: int, actor: Any = None, **_: Any) -> None:
    from sputnik.sales.services.deals import deals_move_to_person

    deals_move_to_person(actor=actor, from_person_id=merged_id, to_person_id=survivor_id)


# --- quotes and orders (projected like the deals' entries, marked by their own event) ---


@subscribe("quote.created")
def on_quote_created(*, quote_id: int, deal_id: int, number: str, **payload: Any) -> None:
    _project(
        deal_id=deal_id,
        person_id=payload.get("person_id"),
        company_id=payload.get("company_id"),
        centre_id=payload.get("centre_id"),
        actor_id=payload.get("actor_id"),
        event="quote_created",
        subject=number,
        data={
            "quote_id": quote_id,
            "amount": payload.get("gross_total"),
            "currency": payload.get("currency"),
        },
    )


@subscribe("quote.status_changed")
def on_quote_status_changed(
    *, quote_id: int, deal_id: int, number: str, from_status: str, to_status: str, **payload: Any
) -> None:
    _project(
        deal_id=deal_id,
        person_id=payload.get("person_id"),
        company_id=payload.get("company_id"),
        centre_id=payload.get("centre_id"),
        actor_id=payload.get("actor_id"),
        event="quote_status_changed",
        subject=number,
        data={"quote_id": quote_id, "from": from_status, "to": to_status},
    )


@subscribe("order.created")
def on_order_created(*, order_id: int, deal_id: int, number: str, **payload: Any) -> None:
    _project(
        deal_id=deal_id,
        person_id=payload.get("person_id"),
        company_id=payload.get("company_id"),
        centre_id=payload.get("centre_id"),
        actor_id=payload.get("actor_id"),
        event="order_created",
        subject=number,
        data={
            "order_id": order_id,
            "amount": payload.get("gross_total"),
            "currency": payload.get("currency"),
        },
    )


@subscribe("order.status_changed")
def on_order_status_changed(*, order_id: int, deal_id: int, number: str, **payload: Any) -> None:
    if payload.get("from") is None:
        return  # the first step is the order's creation, projected by order.created
    _project(
        deal_id=deal_id,
        person_id=payload.get("person_id"),
        company_id=payload.get("company_id"),
        centre_id=payload.get("centre_id"),
        actor_id=payload.get("actor_id"),
        event="order_status_changed",
        subject=number,
        data={
            "order_id": order_id,
            "from": payload.get("from"),
            "to": payload.get("to"),
            **_status_names(payload.get("from"), payload.get("to")),
        },
    )


def _status_names(from_code: str | None, to_code: str | None) -> dict[str, str]:
    """The statuses' names in both languages as they are now (the workflow is
    configurable, so the entry keeps the names it was written with)."""
    from sputnik.sales.models import OrderStatus

    names = {
        s.code: s
        for s in OrderStatus.objects.filter(code__in=[c for c in (from_code, to_code) if c])
    }
    data: dict[str, str] = {}
    for key, code in (("from", from_code), ("to", to_code)):
        status = names.get(code or "")
        if status is not None:
            data[f"{key}_ru"], data[f"{key}_en"] = status.name_ru, status.name_en
    return data


@subscribe("person.merged")
def on_person_merged_quotes_orders(*, survivor_id: int, merged_id: int, **_: Any) -> None:
    from sputnik.sales.services.orders import orders_move_to_person

    orders_move_to_person(from_person_id=merged_id, to_person_id=survivor_id)
