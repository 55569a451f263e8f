"""Reads of orders, scoped by the acting user through their deal's visibility, and the
one public read: the customer's status page by link, which shows nothing about the
customer but a first name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from sputnik.core.models import User
from sputnik.core.paging import Page, keyset_page
from sputnik.sales.models import Order, OrderLine, OrderStatus, OrderStatusChange, OrderStatusLink
from sputnik.sales.selectors.deals import deal_scope


def visible_orders(actor: User) -> QuerySet[Order]:
    """Orders of the deals the actor sees (the deals' ladder, through the join)."""
    rule = deal_scope(actor)
    if rule is None:
        return Order.objects.none()
    return Order.objects.filter(**{f"deal__{column}": value for column, value in rule.items()})


def order_for(*, actor: User, order_id: int) -> Order:
    """One visible order with lines and history (Order.DoesNotExist otherwise)."""
    return (
        visible_orders(actor)
        .select_related("status", "deal", "centre", "quote", "created_by")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("position", "id")),
            Prefetch(
                "status_changes",
                queryset=OrderStatusChange.objects.select_related(
                    "from_status", "to_status", "actor"
                ).order_by("at", "id"),
            ),
        )
        .get(pk=order_id)
    )


def order_history(*, actor: User, order_id: int) -> list[OrderStatusChange]:
    order = visible_orders(actor).get(pk=order_id)
    return list(
        OrderStatusChange.objects.filter(order=order)
        .select_related("from_status", "to_status", "actor")
        .order_by("at", "id")
    )


def orders_of_deal(*, actor: User, deal_id: int) -> list[Order]:
    return list(
        visible_orders(actor)
        .filter(deal_id=deal_id)
        .select_related("status")
        .order_by("-created_at", "-id")
    )


def orders_of_person(*, actor: User, person_id: int, limit: int = 20) -> list[Order]:
    return list(
        visible_orders(actor)
        .filter(person_id=person_id)
        .select_related("status")
        .order_by("-created_at", "-id")[:limit]
    )


def order_page(*, actor: User, cursor: str | None, size: int = 50, status: str = "") -> Page[Order]:
    qs = visible_orders(actor).select_related("status", "centre")
    if status:
        qs = qs.filter(status__code=status)
    return keyset_page(qs, order=("-created_at", "-id"), cursor=cursor, size=size)


def order_statuses() -> list[OrderStatus]:
    return list(OrderStatus.objects.filter(is_active=True).order_by("position", "id"))


# --- the public status page -------------------------------------------------------------


@dataclass(frozen=True)
class PublicStep:
    name: str
    description: str
    at: dt.datetime


@dataclass(frozen=True)
class PublicOrderStatus:
    """Everything the customer's page may show — and nothing else (no last name, phone,
    e-mail, address, price or staff note: the link may be forwarded or overlooked)."""

    number: str
    first_name: str
    items: list[str]
    status: str
    status_description: str
    status_since: dt.datetime
    is_final: bool
    is_cancelled: bool
    expected_date: dt.date | None
    dealer: str
    dealer_city: str
    language: str
    history: list[PublicStep] = field(default_factory=list)
    upcoming: list[str] = field(default_factory=list)


def public_order_status(link: OrderStatusLink, language: str) -> PublicOrderStatus:
    """The page's content for a live link, in `language` (ru/en)."""
    from sputnik.parties.models import Person

    order = link.order
    first_name = ""
    if order.person_id:
        first_name = (
            Person.objects.filter(pk=order.person_id).values_list("first_name", flat=True).first()
            or ""
        )
    changes = list(
        OrderStatusChange.objects.filter(order=order)
        .select_related("to_status")
        .order_by("at", "id")
    )
    # The ordinary steps still ahead, in the workflow's order, so the customer sees the road.
    status = order.status
    upcoming: list[str] = []
    if not status.is_final:
        upcoming = [
            s.name_in(language)
            for s in OrderStatus.objects.filter(
                is_active=True, position__gt=status.position, meaning=""
            ).order_by("position", "id")
        ]
        final = OrderStatus.objects.filter(
            is_active=True, meaning=OrderStatus.Meaning.DELIVERED
        ).first()
        if final is not None:
            upcoming.append(final.name_in(language))
    return PublicOrderStatus(
        number=order.number,
        first_name=first_name,
        items=list(order.lines.order_by("position", "id").values_list("name", flat=True)),
        status=status.name_in(language),
        status_description=status.description_in(language),
        status_since=order.status_changed_at,
        is_final=status.is_final,
        is_cancelled=status.meaning == OrderStatus.Meaning.CANCELLED,
        expected_date=order.expected_date,
        dealer=order.centre.name,
        dealer_city=order.centre.city,
        language=language,
        history=[
            PublicStep(
                name=c.to_status.name_in(language),
                description=c.to_status.description_in(language),
                at=c.at,
            )
            for c in changes
        ],
        upcoming=upcoming,
    )
