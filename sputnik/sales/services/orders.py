"""Writes on orders: create (from an accepted quote, or directly for a deal, e.g. during a
call), change status along the configured workflow, update the expected date, and issue
or revoke the customer's status link.

Every status change is one OrderStatusChange row (who, when, from, to, note) and one
domain event "order.status_changed" with {order_id, person_id, from, to, at}; the event
is recorded in the OrderEvent outbox in the same transaction (order_outbox.py) for the
messaging channel, and projected onto the customer's timeline. Reaching the "delivered"
step completes the deal's trade-in and adds the new vehicle to the customer's assets.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.audit import audit_record, snapshot
from sputnik.core.events import publish
from sputnik.core.models import User
from sputnik.core.normalize import normalize_vin
from sputnik.parties.errors import AccessDenied
from sputnik.sales.models import (
    Deal,
    NumberSequence,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    OrderStatusLink,
    Quote,
)
from sputnik.sales.selectors.deals import visible_deals
from sputnik.sales.selectors.orders import visible_orders
from sputnik.sales.selectors.quotes import visible_quotes
from sputnik.sales.services import order_outbox  # noqa: F401  (records order events)
from sputnik.sales.services.numbering import next_number
from sputnik.sales.services.quote_lines import (
    CleanLine,
    clean_lines,
    clean_percent,
    default_vat_rate,
    raise_if,
    totals_of,
)
from sputnik.sales.services.sales_access import require_sales_edit

LANGUAGES = ("ru", "en")
_LINK_SALT = "sputnik.sales.order-status-link"


# --- helpers --------------------------------------------------------------------------


def _lock_order(actor: User, order: Order | int) -> Order:
    order_id = order if isinstance(order, int) else order.pk
    locked = (
        visible_orders(actor)
        .select_for_update()
        .select_related("status")
        .filter(pk=order_id)
        .first()
    )
    if locked is None:
        raise AccessDenied("not visible")
    return locked


def initial_status() -> OrderStatus | None:
    return OrderStatus.objects.filter(is_initial=True, is_active=True).first()


def _clean_expected(errors: dict[str, list[str]], value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = str(value).strip()
        for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                value = dt.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            errors.setdefault("expected_date", []).append(_("Enter a date as DD.MM.YYYY."))
            return None
    if not 2000 <= value.year <= 2100:
        errors.setdefault("expected_date", []).append(_("Enter a realistic date."))
        return None
    return value


def _clean_language(errors: dict[str, list[str]], value: Any, default: str = "ru") -> str:
    language = str(value or default)
    if language not in LANGUAGES:
        errors.setdefault("language", []).append(_("Choose a valid option."))
    return language


def _clean_note(
    errors: dict[str, list[str]], value: Any, field: str = "note", limit: int = 500
) -> str:
    text = " ".join(str(value or "").replace("\x00", "").split())
    if len(text) > limit:
        errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": limit})
    return text


def _audit(
    actor: User, action: str, order: Order, before: dict[str, Any] | None, summary: str
) -> None:
    audit_record(
        actor=actor,
        action=action,
        instance=order,
        before=before,
        after=snapshot(order),
        person_id=order.person_id,
        company_id=order.company_id,
        summary=summary,
    )


def _record_change(
    actor: User,
    order: Order,
    from_status: OrderStatus | None,
    to_status: OrderStatus,
    note: str = "",
) -> OrderStatusChange:
    now = timezone.now()
    change = OrderStatusChange.objects.create(
        order=order,
        from_status=from_status,
        to_status=to_status,
        at=now,
        actor=actor if actor and actor.pk else None,
        note=note,
        expected_date=order.expected_date,
    )
    publish(
        "order.status_changed",
        order_id=order.pk,
        person_id=order.person_id,
        company_id=order.company_id,
        centre_id=order.centre_id,
        deal_id=order.deal_id,
        actor_id=actor.pk if actor and actor.pk else None,
        change_id=change.pk,
        number=order.number,
        **{"from": from_status.code if from_status else None, "to": to_status.code},
        at=now.isoformat(),
        expected_date=order.expected_date.isoformat() if order.expected_date else None,
    )
    return change


def _create(
    *,
    actor: User,
    deal: Deal,
    lines: Sequence[CleanLine],
    vat_rate: Any,
    source: str,
    quote: Quote | None,
    header: Mapping[str, Any],
) -> Order:
    status = initial_status()
    if status is None:
        raise ValidationError(
            {"status": [_("No order status is marked as the starting one; ask an administrator.")]}
        )
    order = Order(
        deal=deal,
        quote=quote,
        centre_id=deal.centre_id,
        person_id=deal.person_id,
        company_id=deal.company_id,
        number=next_number(centre=deal.centre, kind=NumberSequence.Kind.ORDER),
        source=source,
        status=status,
        currency=(quote.currency if quote else deal.currency) or "RUB",
        vat_rate=vat_rate,
        created_by=actor if actor.pk else None,
        **header,
    )
    order.save()
    OrderLine.objects.bulk_create(
        [OrderLine(order=order, **line.fields(order.vat_rate, i)) for i, line in enumerate(lines)]
    )
    totals = totals_of(line.amounts(order.vat_rate) for line in lines)
    order.net_total, order.vat_total, order.gross_total = totals.net, totals.vat, totals.gross
    order.save(update_fields=["net_total", "vat_total", "gross_total"])
    _audit(actor, "create", order, None, f"order {order.number}")
    publish(
        "order.created",
        order_id=order.pk,
        person_id=order.person_id,
        company_id=order.company_id,
        centre_id=order.centre_id,
        deal_id=order.deal_id,
        actor_id=actor.pk if actor.pk else None,
        number=order.number,
        gross_total=str(order.gross_total),
        currency=order.currency,
    )
    _record_change(actor, order, None, status)
    return order


# --- creation -------------------------------------------------------------------------


@transaction.atomic
def order_create_from_quote(
    *,
    actor: User,
    quote: Quote | int,
    expected_date: Any = None,
    language: str | None = None,
    notes: str = "",
) -> Order:
    """The order for an accepted quote: its lines, prices and VAT exactly as accepted."""
    require_sales_edit(actor)
    quote_id = quote if isinstance(quote, int) else quote.pk
    locked = visible_quotes(actor).select_for_update().filter(pk=quote_id).first()
    if locked is None:
        raise AccessDenied("not visible")
    errors: dict[str, list[str]] = {}
    if locked.status != Quote.Status.ACCEPTED:
        errors.setdefault("quote_id", []).append(_("Only an accepted quote becomes an order."))
    elif Order.objects.filter(quote=locked).exists():
        errors.setdefault("quote_id", []).append(_("This quote already has an order."))
    header = {
        "expected_date": _clean_expected(errors, expected_date),
        "language": _clean_language(errors, language, locked.language),
        "notes": _clean_note(errors, notes, "notes", 5000),
    }
    raise_if(errors)
    deal = visible_deals(actor).select_related("centre").get(pk=locked.deal_id)
    lines = [
        CleanLine(
            name=line.name,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            product_id=line.product_id,
            sku=line.sku,
            is_vehicle=line.is_vehicle,
            configuration=line.configuration,
        )
        for line in locked.lines.order_by("position", "id")
    ]
    try:
        with transaction.atomic():
            return _create(
                actor=actor,
                deal=deal,
                lines=lines,
                vat_rate=locked.vat_rate,
                source=Order.Source.QUOTE,
                quote=locked,
                header=header,
            )
    except IntegrityError as exc:  # a concurrent request made the order first
        raise ValidationError({"quote_id": [_("This quote already has an order.")]}) from exc


@transaction.atomic
def order_create(
    *,
    actor: User,
    deal: Deal | int,
    lines: Sequence[Mapping[str, Any]],
    source: str = Order.Source.CALL,
    vat_rate: Any = None,
    expected_date: Any = None,
    language: str = "ru",
    notes: str = "",
) -> Order:
    """An order taken directly for a deal (a call, the showroom, the API), without a quote."""
    require_sales_edit(actor)
    deal_id = deal if isinstance(deal, int) else deal.pk
    locked = (
        visible_deals(actor).select_for_update().select_related("centre").filter(pk=deal_id).first()
    )
    if locked is None:
        raise AccessDenied("not visible")
    errors: dict[str, list[str]] = {}
    if locked.status == "lost":
        errors.setdefault("deal_id", []).append(_("The deal is lost; reopen it to take an order."))
    if source not in Order.Source.values or source == Order.Source.QUOTE:
        errors.setdefault("source", []).append(_("Choose a valid option."))
    rate = (
        default_vat_rate()
        if vat_rate in (None, "")
        else clean_percent(errors, "vat_rate", vat_rate, what="vat")
    )
    clean = clean_lines(errors, lines)
    header = {
        "expected_date": _clean_expected(errors, expected_date),
        "language": _clean_language(errors, language),
        "notes": _clean_note(errors, notes, "notes", 5000),
    }
    raise_if(errors)
    return _create(
        actor=actor,
        deal=locked,
        lines=clean,
        vat_rate=rate,
        source=source,
        quote=None,
        header=header,
    )


# --- status workflow ------------------------------------------------------------------


def allowed_next_statuses(order: Order) -> list[OrderStatus]:
    return list(order.status.allowed_next.filter(is_active=True).order_by("position", "id"))


@transaction.atomic
def order_change_status(
    *,
    actor: User,
    order: Order | int,
    to: str | OrderStatus,
    note: str = "",
    expected_date: Any = None,
    vin: str = "",
) -> Order:
    """Move an order to an allowed next status; on "delivered" the vehicle is handed over."""
    require_sales_edit(actor)
    locked = _lock_order(actor, order)
    errors: dict[str, list[str]] = {}
    code = to.code if isinstance(to, OrderStatus) else str(to or "")
    target = OrderStatus.objects.filter(code=code, is_active=True).first()
    current = locked.status
    if target is None:
        errors.setdefault("status", []).append(_("Choose a valid status."))
    elif not current.allowed_next.filter(pk=target.pk).exists():
        allowed = ", ".join(s.name for s in allowed_next_statuses(locked)) or "—"
        errors.setdefault("status", []).append(
            _("An order cannot go from “%(from)s” to “%(to)s”. Allowed next: %(allowed)s.")
            % {"from": current.name, "to": target.name, "allowed": allowed}
        )
    note = _clean_note(errors, note)
    expected = _clean_expected(errors, expected_date)
    clean_vin = ""
    if vin:
        try:
            clean_vin = normalize_vin(str(vin))
        except ValidationError as exc:
            errors.setdefault("vin", []).extend(exc.messages)
    raise_if(errors)
    assert target is not None
    before = snapshot(locked)
    locked.status = target
    locked.status_changed_at = timezone.now()
    if expected is not None:
        locked.expected_date = expected
    if clean_vin:
        locked.vehicle_vin = clean_vin
    if target.meaning == OrderStatus.Meaning.DELIVERED:
        locked.delivered_at = locked.status_changed_at
        from sputnik.sales.services.order_delivery import hand_over

        locked.delivered_asset_id = hand_over(actor=actor, order=locked)
    locked.save()
    _audit(
        actor, "update", locked, before, f"order {locked.number}: {current.code} → {target.code}"
    )
    _record_change(actor, locked, current, target, note)
    return locked


@transaction.atomic
def order_update(*, actor: User, order: Order | int, data: Mapping[str, Any]) -> Order:
    """Change what staff may change outside the workflow: expected date, language, notes, VIN."""
    require_sales_edit(actor)
    locked = _lock_order(actor, order)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "expected_date" in data:
        cleaned["expected_date"] = _clean_expected(errors, data["expected_date"])
    if "language" in data:
        cleaned["language"] = _clean_language(errors, data["language"])
    if "notes" in data:
        cleaned["notes"] = _clean_note(errors, data["notes"], "notes", 5000)
    if data.get("vin"):
        try:
            cleaned["vehicle_vin"] = normalize_vin(str(data["vin"]))
        except ValidationError as exc:
            errors.setdefault("vin", []).extend(exc.messages)
    raise_if(errors)
    before = snapshot(locked)
    for name, value in cleaned.items():
        setattr(locked, name, value)
    locked.save()
    _audit(actor, "update", locked, before, f"order {locked.number}")
    return locked


# --- the customer's status link -------------------------------------------------------


def _signer() -> signing.Signer:
    # "." never occurs in a URL-safe base64 nonce or signature, so the token is URL-safe.
    return signing.Signer(salt=_LINK_SALT, sep=".")


def status_link_token(link: OrderStatusLink) -> str:
    return _signer().sign(link.nonce)


def live_status_link(order: Order) -> OrderStatusLink | None:
    return OrderStatusLink.objects.filter(order=order, revoked_at__isnull=True).first()


@transaction.atomic
def order_link_issue(*, actor: User, order: Order | int) -> OrderStatusLink:
    """A new status link for the customer; any earlier live link stops working."""
    require_sales_edit(actor)
    locked = _lock_order(actor, order)
    now = timezone.now()
    OrderStatusLink.objects.filter(order=locked, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor if actor.pk else None
    )
    link = OrderStatusLink.objects.create(
        order=locked,
        nonce=secrets.token_urlsafe(24),
        issued_at=now,
        issued_by=actor if actor.pk else None,
    )
    audit_record(
        actor=actor,
        action="create",
        instance=link,
        after={"order": locked.pk, "issued_at": now},
        person_id=locked.person_id,
        summary=f"status link for order {locked.number}",
    )
    return link


@transaction.atomic
def order_link_revoke(*, actor: User, order: Order | int) -> int:
    """Stop the order's live status link; returns how many links were revoked (0 or 1)."""
    require_sales_edit(actor)
    locked = _lock_order(actor, order)
    links = list(OrderStatusLink.objects.filter(order=locked, revoked_at__isnull=True))
    now = timezone.now()
    for link in links:
        link.revoked_at = now
        link.revoked_by = actor if actor.pk else None
        link.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            action="update",
            instance=link,
            before={"revoked_at": None},
            after={"revoked_at": now},
            person_id=locked.person_id,
            summary=f"status link of order {locked.number} revoked",
        )
    return len(links)


def resolve_status_token(token: str) -> OrderStatusLink | None:
    """The live link a token names, or None — for a tampered, unknown or revoked token alike."""
    if not token or len(token) > 200 or not token.isascii():
        return None
    try:
        nonce = _signer().unsign(token)
    except signing.BadSignature:
        return None
    return (
        OrderStatusLink.objects.select_related("order", "order__status", "order__centre")
        .filter(nonce=nonce, revoked_at__isnull=True)
        .first()
    )


def orders_move_to_person(*, from_person_id: int, to_person_id: int) -> None:
    """After a merge, the merged person's quotes, orders and saved configurations belong
    to the survivor (their deals move with the deals service; these copies of the person
    id follow)."""
    Quote.objects.filter(person_id=from_person_id).update(person_id=to_person_id)
    Order.objects.filter(person_id=from_person_id).update(person_id=to_person_id)
    from sputnik.sales.models import OrderEvent, SavedConfiguration

    SavedConfiguration.objects.filter(person_id=from_person_id).update(person_id=to_person_id)

    OrderEvent.objects.filter(person_id=from_person_id, processed_at__isnull=True).update(
        person_id=to_person_id
    )
