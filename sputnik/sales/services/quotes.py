"""Writes on quotes: create from a deal, edit a draft, revise, send, accept, decline,
expire, and produce the PDF.

Status workflow: draft → sent → accepted | declined | expired. Only a draft is edited;
revising any version that is not accepted creates the next version (a draft with the
same number) and the revised one, if still open, becomes "superseded" — read-only, kept.
Each service runs in one transaction: access check (the deal must be visible and the
actor must have the right), validation with per-field messages, audit entry, and a
domain event ("quote.created", "quote.status_changed") the timeline projects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.audit import audit_record, snapshot
from sputnik.core.events import publish
from sputnik.core.models import User
from sputnik.parties.errors import AccessDenied
from sputnik.sales.models import Deal, NumberSequence, Quote, QuoteLine
from sputnik.sales.selectors.deals import visible_deals
from sputnik.sales.selectors.quotes import visible_quotes
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

DEFAULT_VALIDITY_DAYS = 14
LANGUAGES = ("ru", "en")


# --- helpers --------------------------------------------------------------------------


def _lock_deal(actor: User, deal: Deal | int) -> Deal:
    deal_id = deal if isinstance(deal, int) else deal.pk
    locked = visible_deals(actor).select_for_update().filter(pk=deal_id).first()
    if locked is None:
        raise AccessDenied("not visible")
    return locked


def _lock_quote(actor: User, quote: Quote | int) -> Quote:
    quote_id = quote if isinstance(quote, int) else quote.pk
    locked = visible_quotes(actor).select_for_update().filter(pk=quote_id).first()
    if locked is None:
        raise AccessDenied("not visible")
    return locked


def _deal_lines(deal: Deal) -> list[CleanLine]:
    """The deal's lines as quote lines (same product, price, discount and configuration)."""
    from sputnik.sales.models import Product

    lines = list(deal.lines.select_related("product").order_by("position", "id"))
    return [
        CleanLine(
            name=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_pct,
            product_id=line.product_id,
            sku=line.product.sku if line.product else "",
            is_vehicle=bool(line.product and line.product.kind == Product.Kind.VEHICLE),
            configuration=line.configuration or {},
        )
        for line in lines
    ]


def _existing_lines(quote: Quote) -> list[CleanLine]:
    return [
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
        for line in quote.lines.order_by("position", "id")
    ]


def _store_lines(quote: Quote, lines: Sequence[CleanLine]) -> None:
    quote.lines.all().delete()
    QuoteLine.objects.bulk_create(
        [QuoteLine(quote=quote, **line.fields(quote.vat_rate, i)) for i, line in enumerate(lines)]
    )
    totals = totals_of(line.amounts(quote.vat_rate) for line in lines)
    quote.net_total, quote.vat_total, quote.gross_total = totals.net, totals.vat, totals.gross


def _clean_header(
    errors: dict[str, list[str]], data: Mapping[str, Any], *, partial: bool
) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "valid_until" in data or not partial:
        raw = data.get("valid_until")
        if raw in (None, ""):
            if partial:
                errors.setdefault("valid_until", []).append(_("This field is required."))
            else:
                cleaned["valid_until"] = timezone.localdate() + dt.timedelta(
                    days=DEFAULT_VALIDITY_DAYS
                )
        else:
            day = _as_date(raw)
            if day is None:
                errors.setdefault("valid_until", []).append(_("Enter a date as DD.MM.YYYY."))
            elif day < timezone.localdate():
                errors.setdefault("valid_until", []).append(_("The date cannot be in the past."))
            elif day > timezone.localdate() + dt.timedelta(days=366):
                errors.setdefault("valid_until", []).append(_("At most a year ahead."))
            else:
                cleaned["valid_until"] = day
    if "vat_rate" in data or not partial:
        raw = data.get("vat_rate")
        cleaned["vat_rate"] = (
            default_vat_rate()
            if raw in (None, "")
            else clean_percent(errors, "vat_rate", raw, what="vat")
        )
    if "language" in data or not partial:
        language = str(data.get("language") or "ru")
        if language not in LANGUAGES:
            errors.setdefault("language", []).append(_("Choose a valid option."))
        cleaned["language"] = language
    if "notes" in data:
        notes = str(data.get("notes") or "").replace("\x00", "").strip()
        if len(notes) > 5000:
            errors.setdefault("notes", []).append(_("At most %(n)d characters.") % {"n": 5000})
        cleaned["notes"] = notes
    return cleaned


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _audit(
    actor: User, action: str, quote: Quote, before: dict[str, Any] | None, summary: str
) -> None:
    audit_record(
        actor=actor,
        action=action,
        instance=quote,
        before=before,
        after=snapshot(quote),
        person_id=quote.person_id,
        company_id=quote.company_id,
        summary=summary,
    )


def _event(name: str, actor: User, quote: Quote, **extra: Any) -> None:
    publish(
        name,
        quote_id=quote.pk,
        deal_id=quote.deal_id,
        person_id=quote.person_id,
        company_id=quote.company_id,
        centre_id=quote.centre_id,
        actor_id=actor.pk if actor and actor.pk else None,
        number=quote.display_number,
        status=quote.status,
        gross_total=str(quote.gross_total),
        currency=quote.currency,
        **extra,
    )


def _change_status(actor: User, quote: Quote, status: str, summary: str, **fields: Any) -> Quote:
    before = snapshot(quote)
    old = quote.status
    quote.status = status
    for name, value in fields.items():
        setattr(quote, name, value)
    quote.save()
    _audit(actor, "update", quote, before, summary)
    _event("quote.status_changed", actor, quote, from_status=old, to_status=status)
    return quote


def _refuse_expired(quote: Quote) -> None:
    if quote.valid_until < timezone.localdate():
        raise ValidationError(
            {
                "status": [
                    _("This quote expired on %(date)s; revise it to make a new offer.")
                    % {"date": quote.valid_until.strftime("%d.%m.%Y")}
                ]
            }
        )


# --- services -------------------------------------------------------------------------


@transaction.atomic
def quote_create(
    *,
    actor: User,
    deal: Deal | int,
    lines: Sequence[Mapping[str, Any]] | None = None,
    valid_until: Any = None,
    vat_rate: Any = None,
    language: str = "ru",
    notes: str = "",
) -> Quote:
    """A draft quote for a deal: `lines` given, or the deal's own lines copied (None)."""
    require_sales_edit(actor)
    locked = _lock_deal(actor, deal)
    errors: dict[str, list[str]] = {}
    if locked.status == "lost":
        errors.setdefault("deal_id", []).append(_("The deal is lost; reopen it to quote."))
    header = _clean_header(
        errors,
        {"valid_until": valid_until, "vat_rate": vat_rate, "language": language, "notes": notes},
        partial=False,
    )
    if lines is None:
        clean = _deal_lines(locked)
        if not clean:
            errors.setdefault("lines", []).append(
                _("The deal has no lines: add products to the deal or to the quote.")
            )
    else:
        clean = clean_lines(errors, lines)
    raise_if(errors)
    quote = Quote(
        deal=locked,
        centre_id=locked.centre_id,
        person_id=locked.person_id,
        company_id=locked.company_id,
        currency=locked.currency or "RUB",
        created_by=actor if actor.pk else None,
        number=next_number(centre=locked.centre, kind=NumberSequence.Kind.QUOTE),
        **header,
    )
    quote.save()
    _store_lines(quote, clean)
    quote.save(update_fields=["net_total", "vat_total", "gross_total"])
    _audit(actor, "create", quote, None, f"quote {quote.display_number}")
    _event("quote.created", actor, quote)
    return quote


@transaction.atomic
def quote_update(*, actor: User, quote: Quote | int, data: Mapping[str, Any]) -> Quote:
    """Change a draft: lines (replaced as a whole), validity, VAT rate, language, notes."""
    require_sales_edit(actor)
    locked = _lock_quote(actor, quote)
    if not locked.is_editable:
        raise ValidationError(
            {"status": [_("Only a draft can be changed; revise the quote to make a new version.")]}
        )
    errors: dict[str, list[str]] = {}
    header = _clean_header(errors, data, partial=True)
    clean = clean_lines(errors, data["lines"]) if "lines" in data else None
    raise_if(errors)
    before = snapshot(locked)
    for name, value in header.items():
        setattr(locked, name, value)
    if clean is None:
        clean = _existing_lines(locked)
    _store_lines(locked, clean)  # VAT rate may have changed: recompute every line
    locked.save()
    _audit(actor, "update", locked, before, f"quote {locked.display_number}")
    return locked


@transaction.atomic
def quote_revise(
    *, actor: User, quote: Quote | int, data: Mapping[str, Any] | None = None
) -> Quote:
    """The next version of a quote, as a draft; the revised version becomes read-only."""
    require_sales_edit(actor)
    old = _lock_quote(actor, quote)
    if Quote.objects.filter(previous=old).exists():
        raise ValidationError(
            {"status": [_("This version has already been revised; revise the latest one.")]}
        )
    if old.status == Quote.Status.ACCEPTED:
        raise ValidationError({"status": [_("An accepted quote cannot be revised.")]})
    data = dict(data or {})
    errors: dict[str, list[str]] = {}
    header = _clean_header(
        errors,
        {
            "valid_until": data.get("valid_until"),
            "vat_rate": data.get("vat_rate", old.vat_rate),
            "language": data.get("language", old.language),
            "notes": data.get("notes", old.notes),
        },
        partial=False,
    )
    clean = clean_lines(errors, data["lines"]) if "lines" in data else _existing_lines(old)
    raise_if(errors)
    new = Quote(
        deal_id=old.deal_id,
        centre_id=old.centre_id,
        person_id=old.person_id,
        company_id=old.company_id,
        currency=old.currency,
        number=old.number,
        version=old.version + 1,
        previous=old,
        created_by=actor if actor.pk else None,
        **header,
    )
    new.save()
    _store_lines(new, clean)
    new.save(update_fields=["net_total", "vat_total", "gross_total"])
    if old.status in Quote.OPEN:
        _change_status(
            actor,
            old,
            Quote.Status.SUPERSEDED,
            f"quote {old.display_number} superseded by version {new.version}",
        )
    _audit(actor, "create", new, None, f"quote {new.display_number} (revision)")
    _event("quote.created", actor, new, revises=old.pk)
    return new


@transaction.atomic
def quote_send(*, actor: User, quote: Quote | int) -> Quote:
    """Mark a draft as sent to the customer, producing its PDF if it has none yet."""
    require_sales_edit(actor)
    locked = _lock_quote(actor, quote)
    if locked.status != Quote.Status.DRAFT:
        raise ValidationError({"status": [_("Only a draft can be sent.")]})
    _refuse_expired(locked)
    if not locked.lines.exists():
        raise ValidationError({"lines": [_("Add at least one line.")]})
    if locked.document_id is None:
        from sputnik.sales.services.quote_pdf import store_quote_pdf

        store_quote_pdf(actor=actor, quote=locked)
    return _change_status(
        actor,
        locked,
        Quote.Status.SENT,
        f"quote {locked.display_number} sent",
        sent_at=timezone.now(),
    )


@transaction.atomic
def quote_accept(*, actor: User, quote: Quote | int) -> Quote:
    """The customer accepted a sent quote (refused once it expired)."""
    require_sales_edit(actor)
    locked = _lock_quote(actor, quote)
    if locked.status != Quote.Status.SENT:
        raise ValidationError(
            {
                "status": [
                    _("Only a sent quote can be accepted (this one is %(status)s).")
                    % {"status": locked.get_status_display()}
                ]
            }
        )
    _refuse_expired(locked)
    return _change_status(
        actor,
        locked,
        Quote.Status.ACCEPTED,
        f"quote {locked.display_number} accepted",
        decided_at=timezone.now(),
    )


@transaction.atomic
def quote_decline(*, actor: User, quote: Quote | int, reason: str = "") -> Quote:
    require_sales_edit(actor)
    locked = _lock_quote(actor, quote)
    if locked.status != Quote.Status.SENT:
        raise ValidationError(
            {
                "status": [
                    _("Only a sent quote can be declined (this one is %(status)s).")
                    % {"status": locked.get_status_display()}
                ]
            }
        )
    reason = " ".join(str(reason or "").replace("\x00", "").split())
    if len(reason) > 300:
        raise ValidationError({"reason": [_("At most %(n)d characters.") % {"n": 300}]})
    return _change_status(
        actor,
        locked,
        Quote.Status.DECLINED,
        f"quote {locked.display_number} declined",
        decided_at=timezone.now(),
        decline_reason=reason,
    )


def quote_expire_due(*, actor: User, today: dt.date | None = None) -> int:
    """Mark open quotes past their validity as expired (the nightly sweep); returns how many.

    One short transaction per quote, so a long sweep never holds many locks.
    """
    day = today or timezone.localdate()
    ids = list(
        Quote.objects.filter(status__in=list(Quote.OPEN), valid_until__lt=day)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            quote = Quote.objects.select_for_update().filter(pk=pk).first()
            if quote is None or quote.status not in Quote.OPEN or quote.valid_until >= day:
                continue
            _change_status(
                actor, quote, Quote.Status.EXPIRED, f"quote {quote.display_number} expired"
            )
            done += 1
    return done


def quote_totals_preview(
    lines: Sequence[Mapping[str, Any]], vat_rate: Any = None
) -> tuple[dict[str, list[str]], list[CleanLine], Decimal]:
    """Validate lines and return (errors, clean lines, rate) without writing anything."""
    errors: dict[str, list[str]] = {}
    rate = (
        default_vat_rate()
        if vat_rate in (None, "")
        else clean_percent(errors, "vat_rate", vat_rate, what="vat")
    )
    clean = clean_lines(errors, lines)
    return errors, clean, rate
