"""Writes on deals: create, update, transfer, move between stages, win, lose, lines.

Each service: one transaction, the access check, validation with messages per field
(nothing is written when a check fails), an audit entry and domain events
(`deal.created`, `deal.updated`, `deal.stage_changed`, `deal.won`, `deal.lost`).

Who may write: the everyday edit right (sales managers, service advisors, operators,
centre heads, administrators) on a deal they see; read-only roles (marketing,
executives) see deals and change none. Customers are validated through the parties
selectors: a person or company the actor may not see is refused exactly like a missing
one.

Amounts: a deal with product lines is worth the sum of its lines (kept in step by every
line service); a deal without lines carries the amount typed in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.audit import audit_record, snapshot
from sputnik.core.events import publish
from sputnik.core.models import Centre, User
from sputnik.core.normalize import normalize_vin
from sputnik.core.roles import Right, Scope
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import Company, Person
from sputnik.parties.selectors import company_get, person_get
from sputnik.sales.models import (
    Deal,
    DealLine,
    DealSource,
    DealStageChange,
    LostReason,
    Pipeline,
    PipelineStage,
    StageKind,
    TradeIn,
)
from sputnik.sales.selectors.deals import visible_deals

KOPECK = Decimal("0.01")
HUNDRED = Decimal(100)
MAX_AMOUNT = Decimal("999999999999.99")
MAX_QUANTITY = Decimal("999999")
MAX_LINES = 200
CURRENCIES = ("RUB", "USD", "EUR", "CNY", "KZT", "BYN")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Errors = dict[str, list[str]]

DEAL_AUDIT_FIELDS = [
    "pipeline",
    "stage",
    "status",
    "person",
    "company",
    "centre",
    "owner",
    "title",
    "amount",
    "currency",
    "probability",
    "expected_close",
    "source",
    "lost_reason",
    "lost_note",
    "closed_at",
]


# --- helpers ----------------------------------------------------------------------------


def _require_edit(actor: User | None) -> User:
    if actor is None or not actor.has_right(Right.PARTY_EDIT):
        raise AccessDenied(Right.PARTY_EDIT)
    return actor


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _as_pk(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None
    if hasattr(value, "pk"):
        return _as_pk(value.pk)
    text = str(value if value is not None else "").strip()
    if text.isascii() and text.isdigit() and len(text) < 19:
        return int(text) or None
    return None


def _text(errors: Errors, field: str, value: Any, limit: int, required: bool = False) -> str:
    text = _CONTROL.sub("", str(value if value is not None else "")).strip()
    if required and not text:
        _add(errors, field, _("This field is required."))
    if len(text) > limit:
        _add(errors, field, _("At most %(n)d characters.") % {"n": limit})
    return text


def _decimal(
    errors: Errors,
    field: str,
    value: Any,
    *,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    places: int = 2,
    low_message: str | None = None,
    high_message: str | None = None,
) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        if isinstance(value, float):
            value = repr(value)
        number = Decimal(
            str(value).strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
        )
    except (InvalidOperation, ValueError):
        _add(errors, field, _("Enter a number."))
        return None
    if not number.is_finite():
        _add(errors, field, _("Enter a number."))
        return None
    if minimum is not None and number < minimum:
        _add(errors, field, low_message or _("The number is too small."))
        return None
    if maximum is not None and number > maximum:
        _add(errors, field, high_message or _("The number is too large."))
        return None
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _probability(errors: Errors, value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        _add(errors, "probability", _("Enter a whole number from 0 to 100."))
        return None
    if not 0 <= number <= 100:
        _add(errors, "probability", _("Enter a whole number from 0 to 100."))
        return None
    return number


def _date(errors: Errors, field: str, value: Any) -> dt.date | None:
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
            _add(errors, field, _("Enter a date as DD.MM.YYYY."))
            return None
    if not 1900 <= value.year <= 2100:
        _add(errors, field, _("Enter a realistic date."))
        return None
    return value


def _visible_person(errors: Errors, actor: User, value: Any) -> Person | None:
    pk = _as_pk(value)
    if pk is None:
        if value not in (None, ""):
            _add(errors, "person_id", _("Choose a valid person."))
        return None
    try:
        return person_get(actor=actor, person_id=pk)
    except Person.DoesNotExist:
        # The same answer for a hidden and a missing person.
        _add(errors, "person_id", _("Choose a valid person."))
        return None


def _visible_company(errors: Errors, actor: User, value: Any) -> Company | None:
    pk = _as_pk(value)
    if pk is None:
        if value not in (None, ""):
            _add(errors, "company_id", _("Choose a valid company."))
        return None
    try:
        return company_get(actor=actor, company_id=pk)
    except Company.DoesNotExist:
        _add(errors, "company_id", _("Choose a valid company."))
        return None


def _lock_visible(actor: User, deal: Deal) -> Deal:
    """The deal, locked for this transaction, if the actor still sees it."""
    locked = (
        visible_deals(actor)
        .select_for_update()
        .select_related("pipeline", "stage")
        .filter(pk=deal.pk)
        .first()
    )
    if locked is None:
        raise AccessDenied("not visible")
    return locked


def _placement(
    errors: Errors,
    actor: User,
    person: Person | None,
    company: Company | None,
    data: Mapping[str, Any],
) -> tuple[Centre | None, User | None]:
    """Where a new deal lives. Roles that route work (centre heads, network-wide roles)
    may name a centre and an owner; everyone else creates deals in their own centre,
    and a sales manager owns what they create."""
    may_place = actor.has_right(Right.PARTY_TRANSFER) or actor.scope == Scope.ALL
    centre: Centre | None = None
    centre_id = data.get("centre_id")
    if centre_id not in (None, "") and may_place:
        centre = Centre.objects.filter(pk=_as_pk(centre_id) or 0, is_active=True).first()
        if centre is None or (actor.scope != Scope.ALL and centre.pk != actor.centre_id):
            _add(errors, "centre_id", _("Choose a valid centre."))
            centre = None
    elif actor.scope == Scope.ALL and (person or company):
        # The call centre and head office work for every centre: the deal goes where the
        # customer is served.
        centre = (person or company).centre  # type: ignore[union-attr]
    elif actor.centre_id:
        centre = actor.centre
    if centre is None and "centre_id" not in errors:
        _add(errors, "centre_id", _("Choose a centre."))
    owner: User | None = actor if actor.scope == Scope.OWN else None
    owner_id = data.get("owner_id")
    if owner_id not in (None, "") and may_place:
        owner = User.objects.filter(pk=_as_pk(owner_id) or 0, is_active=True).first()
        if owner is None or (centre is not None and owner.centre_id != centre.pk):
            _add(errors, "owner_id", _("Choose an active user of this centre."))
    elif owner is None and centre is not None and actor.centre_id == centre.pk:
        owner = actor
    elif (
        owner is None
        and centre is not None
        and person is not None
        and person.owner_id
        and person.centre_id == centre.pk
    ):
        # Taken by the call centre for a customer who has a manager: the manager gets it.
        owner = person.owner
    return centre, owner


def _entry_rank(now: dt.datetime) -> float:
    """A card entering a column goes on top: ranks ascend, newer arrivals are smaller."""
    return -now.timestamp()


def _pipeline_and_stage(
    errors: Errors, data: Mapping[str, Any]
) -> tuple[Pipeline | None, PipelineStage | None]:
    pipeline = None
    pipeline_pk = _as_pk(data.get("pipeline_id"))
    stage_pk = _as_pk(data.get("stage_id"))
    stage = None
    if stage_pk is not None:
        stage = PipelineStage.objects.select_related("pipeline").filter(pk=stage_pk).first()
        if stage is None or not stage.pipeline.is_active:
            _add(errors, "stage_id", _("Choose a valid stage."))
            stage = None
    if pipeline_pk is not None:
        pipeline = Pipeline.objects.filter(pk=pipeline_pk, is_active=True).first()
        if pipeline is None:
            _add(errors, "pipeline_id", _("Choose a valid pipeline."))
    elif data.get("pipeline_id") not in (None, ""):
        _add(errors, "pipeline_id", _("Choose a valid pipeline."))
    elif stage is not None:
        pipeline = stage.pipeline
    elif data.get("pipeline") not in (None, ""):
        pipeline = Pipeline.objects.filter(slug=str(data["pipeline"])[:50], is_active=True).first()
        if pipeline is None:
            _add(errors, "pipeline_id", _("Choose a valid pipeline."))
    else:
        pipeline = Pipeline.objects.filter(is_active=True).order_by("position", "id").first()
        if pipeline is None:
            _add(errors, "pipeline_id", _("Choose a valid pipeline."))
    if pipeline is not None and stage is not None and stage.pipeline_id != pipeline.pk:
        _add(errors, "stage_id", _("The stage belongs to another pipeline."))
        stage = None
    if pipeline is not None and stage is None and "stage_id" not in errors:
        stage = pipeline.stages.filter(kind=StageKind.OPEN).order_by("position", "id").first()
        if stage is None:
            _add(errors, "stage_id", _("The pipeline has no open stage."))
    if stage is not None and stage.is_closed:
        _add(
            errors, "stage_id", _("A new deal starts in an open stage; win or lose it afterwards.")
        )
    return pipeline, stage


# --- lines ------------------------------------------------------------------------------


def line_amount(quantity: Decimal, unit_price: Decimal, discount_pct: Decimal) -> Decimal:
    """quantity × unit price × (1 − discount / 100), rounded to kopecks (half up)."""
    return (quantity * unit_price * (HUNDRED - discount_pct) / HUNDRED).quantize(
        KOPECK, rounding=ROUND_HALF_UP
    )


def _clean_line(
    errors: Errors, prefix: str, data: Mapping[str, Any], line: DealLine | None = None
) -> dict[str, Any]:
    """Validate one line's fields into model values; `prefix` keys the messages
    ("lines.0.quantity" on create, "quantity" on a single line)."""
    from sputnik.sales.models import Product

    def key(name: str) -> str:
        return f"{prefix}{name}"

    cleaned: dict[str, Any] = {}
    product = line.product if line is not None else None
    if "product_id" in data:
        product = None
        if data["product_id"] not in (None, ""):
            product = Product.objects.filter(
                pk=_as_pk(data["product_id"]) or 0, is_active=True
            ).first()
            if product is None:
                _add(errors, key("product_id"), _("Choose a valid product."))
        cleaned["product"] = product
    if "description" in data or line is None:
        description = _text(errors, key("description"), data.get("description"), 300)
        if not description and product is not None:
            description = product.name[:300]
        if not description:
            _add(errors, key("description"), _("Describe the line or choose a product."))
        cleaned["description"] = description
    if "quantity" in data or line is None:
        quantity = _decimal(
            errors,
            key("quantity"),
            data.get("quantity", 1),
            minimum=Decimal("0.001"),
            maximum=MAX_QUANTITY,
            places=3,
            low_message=_("The quantity must be greater than zero."),
        )
        if quantity is None and key("quantity") not in errors:
            _add(errors, key("quantity"), _("This field is required."))
        if quantity is not None and quantity <= 0:
            _add(errors, key("quantity"), _("The quantity must be greater than zero."))
        cleaned["quantity"] = quantity
    if "unit_price" in data or line is None:
        price = _decimal(
            errors,
            key("unit_price"),
            data.get("unit_price"),
            minimum=Decimal(0),
            maximum=MAX_AMOUNT,
            low_message=_("The price cannot be negative."),
        )
        if price is None and key("unit_price") not in errors:
            if product is not None:
                price = product.base_price
            else:
                _add(errors, key("unit_price"), _("This field is required."))
        cleaned["unit_price"] = price
    if "discount_pct" in data or line is None:
        discount = _decimal(
            errors,
            key("discount_pct"),
            data.get("discount_pct") or 0,
            minimum=Decimal(0),
            maximum=HUNDRED,
            low_message=_("The discount cannot be negative."),
            high_message=_("The discount cannot exceed 100%."),
        )
        cleaned["discount_pct"] = discount if discount is not None else Decimal(0)
    if "vin" in data:
        raw = str(data.get("vin") or "").strip()
        cleaned["vin"] = ""
        if raw:
            try:
                cleaned["vin"] = normalize_vin(raw)
            except ValidationError as exc:
                errors.setdefault(key("vin"), []).extend(exc.messages)
    if "configuration" in data:
        configuration = data.get("configuration") or {}
        if not isinstance(configuration, dict):
            _add(errors, key("configuration"), _("Enter an object."))
            configuration = {}
        elif "option_codes" in configuration:
            _check_configuration(errors, key("configuration"), product, configuration)
        cleaned["configuration"] = configuration
    if "position" in data:
        position = _as_pk(data.get("position"))
        cleaned["position"] = position or 0
    quantity = cleaned.get("quantity", line.quantity if line else None)
    price = cleaned.get("unit_price", line.unit_price if line else None)
    discount = cleaned.get("discount_pct", line.discount_pct if line else Decimal(0))
    if quantity is not None and price is not None and discount is not None:
        amount = line_amount(quantity, price, discount)
        if amount > MAX_AMOUNT:
            _add(errors, key("unit_price"), _("The number is too large."))
        cleaned["amount"] = amount
    return cleaned


def _check_configuration(
    errors: Errors, field: str, product: Any, configuration: dict[str, Any]
) -> None:
    """A line that names options carries a configuration the configurator accepts for its
    product: the rules hold whoever writes the line (the configurator, a form, the API)."""
    from sputnik.sales.services.configurator import configuration_validate

    if product is None:
        _add(errors, field, _("A configuration needs the line's product."))
        return
    try:
        result = configuration_validate(product=product, option_codes=configuration["option_codes"])
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
        return
    for error in result.errors:
        _add(errors, field, error.message)


def _recompute_amount(deal: Deal) -> None:
    """A deal with lines is worth their sum (a deal without lines keeps its own amount)."""
    total = DealLine.objects.filter(deal=deal).aggregate(s=Sum("amount"))["s"]
    if total is not None:
        deal.amount = Decimal(total).quantize(KOPECK)


def _line_audit(
    actor: User, action: str, line: DealLine, deal: Deal, before: dict[str, Any] | None
) -> None:
    audit_record(
        actor=actor,
        action=action,
        instance=line,
        person_id=deal.person_id,
        company_id=deal.company_id,
        before=before,
        after=snapshot(line) if action != "delete" else None,
        summary=f"{deal.title}: {line.description}",
    )


def _refuse_closed(deal: Deal, field: str = "stage_id") -> None:
    if deal.is_closed:
        raise ValidationError({field: [_("The deal is closed and can no longer be changed.")]})


# --- create / update --------------------------------------------------------------------


@transaction.atomic
def deal_create(*, actor: User, data: Mapping[str, Any]) -> Deal:
    """Create a deal for a visible person and/or company.

    `data`: person_id and/or company_id (one required), title, pipeline_id (or a pipeline
    slug as `pipeline`; default the first pipeline), stage_id (default its first open
    stage), amount, currency, probability (default the stage's), expected_close, source,
    centre_id and owner_id (for roles that route work), and `lines`: a list of
    {product_id, description, quantity, unit_price, discount_pct, vin, configuration}.
    """
    _require_edit(actor)
    errors: Errors = {}
    person = _visible_person(errors, actor, data.get("person_id"))
    company = _visible_company(errors, actor, data.get("company_id"))
    if person is None and company is None and not errors:
        _add(errors, "person_id", _("Choose a person or a company."))
    pipeline, stage = _pipeline_and_stage(errors, data)
    title = _text(errors, "title", data.get("title"), 200)
    if not title and pipeline is not None and (person or company):
        who = person.display_name if person else company.name  # type: ignore[union-attr]
        title = f"{pipeline.name}: {who}"[:200]
    if not title and "title" not in errors:
        _add(errors, "title", _("This field is required."))
    currency = str(data.get("currency") or "RUB").strip().upper()
    if currency not in CURRENCIES:
        _add(errors, "currency", _("Choose a valid currency."))
    amount = _decimal(
        errors,
        "amount",
        data.get("amount"),
        minimum=Decimal(0),
        maximum=MAX_AMOUNT,
        low_message=_("The amount cannot be negative."),
    )
    probability = _probability(errors, data.get("probability"))
    expected_close = _date(errors, "expected_close", data.get("expected_close"))
    source = str(data.get("source") or DealSource.OTHER)
    if source not in DealSource.values:
        _add(errors, "source", _("Choose a valid option."))
    raw_lines = data.get("lines") or []
    if not isinstance(raw_lines, list | tuple):
        _add(errors, "lines", _("Enter a list."))
        raw_lines = []
    if len(raw_lines) > MAX_LINES:
        _add(errors, "lines", _("At most %(n)d items.") % {"n": MAX_LINES})
        raw_lines = []
    cleaned_lines = []
    for i, raw in enumerate(raw_lines):
        if not isinstance(raw, Mapping):
            _add(errors, f"lines.{i}", _("Enter an object."))
            continue
        cleaned_lines.append(_clean_line(errors, f"lines.{i}.", raw))
    centre, owner = _placement(errors, actor, person, company, data)
    if stage is not None and not errors:
        lines_total = sum((line["amount"] for line in cleaned_lines), Decimal(0))
        problems = _entry_problems(
            stage,
            has_lines=bool(cleaned_lines),
            amount=lines_total if cleaned_lines else (amount or Decimal(0)),
            expected_close=expected_close,
            trade_in=None,
        )
        if problems:
            errors["stage_id"] = problems
    _raise(errors)
    assert pipeline is not None and stage is not None and centre is not None
    now = timezone.now()
    deal = Deal.objects.create(
        pipeline=pipeline,
        stage=stage,
        status=stage.kind,
        person=person,
        company=company,
        centre=centre,
        owner=owner,
        title=title,
        amount=amount or Decimal(0),
        currency=currency,
        probability=stage.probability if probability is None else probability,
        expected_close=expected_close,
        source=source,
        rank=_entry_rank(now),
        furthest_position=_furthest(0, stage),
        stage_entered_at=now,
        created_at=now,
        updated_at=now,
        created_by=actor,
    )
    for position, line in enumerate(cleaned_lines):
        DealLine.objects.create(deal=deal, **{"position": position, **line})
    if cleaned_lines:
        _recompute_amount(deal)
        deal.save(update_fields=["amount"])
    DealStageChange.objects.create(
        deal=deal, from_stage=None, stage=stage, entered_at=now, actor=actor
    )
    audit_record(
        actor=actor,
        action="create",
        instance=deal,
        person_id=deal.person_id,
        company_id=deal.company_id,
        after={**snapshot(deal, DEAL_AUDIT_FIELDS), "lines": len(cleaned_lines)},
        summary=deal.title,
    )
    publish("deal.created", **_payload(deal, actor))
    return deal


def _payload(deal: Deal, actor: User) -> dict[str, Any]:
    return {
        "deal_id": deal.pk,
        "person_id": deal.person_id,
        "company_id": deal.company_id,
        "centre_id": deal.centre_id,
        "actor_id": actor.pk,
        "title": deal.title,
        "pipeline_id": deal.pipeline_id,
        "stage_id": deal.stage_id,
        "status": deal.status,
        "amount": str(deal.amount),
        "currency": deal.currency,
    }


@transaction.atomic
def deal_update(*, actor: User, deal: Deal, data: Mapping[str, Any]) -> Deal:
    """Change a deal's details: only the keys present in `data` change.

    Allowed: title, person_id, company_id, amount (only without lines), currency,
    probability, expected_close, source. Stage, centre and owner change through
    deal_move and deal_transfer; closed deals are not changed.
    """
    _require_edit(actor)
    deal = _lock_visible(actor, deal)
    _refuse_closed(deal, field="__all__")
    errors: Errors = {}
    changes: dict[str, Any] = {}
    if "person_id" in data:
        changes["person"] = _visible_person(errors, actor, data["person_id"])
    if "company_id" in data:
        changes["company"] = _visible_company(errors, actor, data["company_id"])
    person = changes.get("person", deal.person)
    company = changes.get("company", deal.company)
    if (
        ("person" in changes or "company" in changes)
        and person is None
        and company is None
        and "person_id" not in errors
        and "company_id" not in errors
    ):
        _add(errors, "person_id", _("Choose a person or a company."))
    if "title" in data:
        changes["title"] = _text(errors, "title", data["title"], 200, required=True)
    if "amount" in data:
        amount = _decimal(
            errors,
            "amount",
            data["amount"],
            minimum=Decimal(0),
            maximum=MAX_AMOUNT,
            low_message=_("The amount cannot be negative."),
        )
        has_lines = DealLine.objects.filter(deal=deal).exists()
        if has_lines and amount is not None and amount != deal.amount:
            _add(
                errors, "amount", _("The amount is the sum of the product lines; change the lines.")
            )
        elif not has_lines:
            changes["amount"] = amount or Decimal(0)
    if "currency" in data:
        currency = str(data["currency"] or "").strip().upper()
        if currency not in CURRENCIES:
            _add(errors, "currency", _("Choose a valid currency."))
        changes["currency"] = currency
    if "probability" in data:
        probability = _probability(errors, data["probability"])
        if probability is None and "probability" not in errors:
            probability = deal.stage.probability
        changes["probability"] = probability
    if "expected_close" in data:
        changes["expected_close"] = _date(errors, "expected_close", data["expected_close"])
    if "source" in data:
        source = str(data["source"] or "")
        if source not in DealSource.values:
            _add(errors, "source", _("Choose a valid option."))
        changes["source"] = source
    _raise(errors)
    before = snapshot(deal, DEAL_AUDIT_FIELDS)
    for name, value in changes.items():
        setattr(deal, name, value)
    deal.updated_at = timezone.now()
    deal.save()
    audit_record(
        actor=actor,
        action="update",
        instance=deal,
        person_id=deal.person_id,
        company_id=deal.company_id,
        before=before,
        after=snapshot(deal, DEAL_AUDIT_FIELDS),
        summary=deal.title,
    )
    publish("deal.updated", **_payload(deal, actor))
    return deal


@transaction.atomic
def deal_transfer(*, actor: User, deal: Deal, centre_id: Any, owner_id: Any = None) -> Deal:
    """Hand a deal to another owner and/or centre (centre heads within their centre,
    network-wide roles anywhere): its own audited action."""
    if actor is None or not actor.has_right(Right.PARTY_TRANSFER):
        raise AccessDenied(Right.PARTY_TRANSFER)
    deal = _lock_visible(actor, deal)
    errors: Errors = {}
    centre = Centre.objects.filter(pk=_as_pk(centre_id) or 0, is_active=True).first()
    if centre is None or (actor.scope != Scope.ALL and centre.pk != actor.centre_id):
        _add(errors, "centre_id", _("Choose a valid centre."))
    owner = None
    if owner_id not in (None, ""):
        owner = User.objects.filter(pk=_as_pk(owner_id) or 0, is_active=True, centre=centre).first()
        if owner is None:
            _add(errors, "owner_id", _("Choose an active user of this centre."))
    _raise(errors)
    before = {"centre": deal.centre_id, "owner": deal.owner_id}
    deal.centre = centre  # type: ignore[assignment]
    deal.owner = owner
    deal.updated_at = timezone.now()
    deal.save(update_fields=["centre", "owner", "updated_at"])
    audit_record(
        actor=actor,
        action="transfer",
        instance=deal,
        person_id=deal.person_id,
        company_id=deal.company_id,
        before=before,
        after={"centre": deal.centre_id, "owner": deal.owner_id},
        summary=deal.title,
    )
    return deal


@transaction.atomic
def deal_delete(*, actor: User, deal: Deal) -> None:
    """Delete a deal with its lines, stage history and trade-in (centre heads and
    administrators): audited with its last state."""
    if actor is None or not actor.has_right(Right.PARTY_DELETE):
        raise AccessDenied(Right.PARTY_DELETE)
    deal = _lock_visible(actor, deal)
    audit_record(
        actor=actor,
        action="delete",
        instance=deal,
        person_id=deal.person_id,
        company_id=deal.company_id,
        before={**snapshot(deal, DEAL_AUDIT_FIELDS), "lines": deal.lines.count()},
        summary=deal.title,
    )
    publish("deal.deleted", **_payload(deal, actor))
    deal.delete()


# --- moves ------------------------------------------------------------------------------


def _entry_problems(
    stage: PipelineStage,
    *,
    has_lines: bool,
    amount: Decimal,
    expected_close: dt.date | None,
    trade_in: Any,
) -> list[str]:
    """Why a deal may not enter `stage` (empty: it may)."""
    problems: list[str] = []
    name = stage.name
    if stage.requires_lines and not has_lines:
        problems.append(_("“%(stage)s” needs at least one product line.") % {"stage": name})
    if stage.requires_amount and not amount:
        problems.append(_("“%(stage)s” needs an amount.") % {"stage": name})
    if stage.requires_expected_close and expected_close is None:
        problems.append(_("“%(stage)s” needs an expected close date.") % {"stage": name})
    if stage.requires_trade_in_appraisal and trade_in is not None and not trade_in.is_appraised:
        problems.append(
            _("“%(stage)s” needs the trade-in vehicle appraised first.") % {"stage": name}
        )
    return problems


def _stage_of(deal: Deal, stage: PipelineStage | int | Any) -> PipelineStage:
    pk = _as_pk(stage)
    target = (
        PipelineStage.objects.filter(pk=pk, pipeline_id=deal.pipeline_id).first() if pk else None
    )
    if target is None:
        raise ValidationError({"stage_id": [_("Choose a stage of this deal's pipeline.")]})
    return target


def _rank_at(actor: User, deal: Deal, stage: PipelineStage, position: int) -> float:
    """The rank that puts `deal` at index `position` of the column as the actor sees it."""
    others = visible_deals(actor).filter(stage=stage).exclude(pk=deal.pk).order_by("rank", "id")
    position = max(int(position), 0)
    start = max(position - 1, 0)
    neighbours = list(others.values_list("rank", flat=True)[start : position + 1])
    if position == 0:
        above, below = None, (neighbours[0] if neighbours else None)
    else:
        above = neighbours[0] if neighbours else None
        below = neighbours[1] if len(neighbours) > 1 else None
    if above is None and below is None:
        return deal.rank if deal.stage_id == stage.pk else _entry_rank(timezone.now())
    if above is None:
        return below - 1.0  # type: ignore[operator]
    if below is None:
        return above + 1.0
    middle = (above + below) / 2
    if not above < middle < below:
        # The floats between two neighbours ran out after many drops in one place:
        # space the column out again (rare; one UPDATE per card of the column).
        _respace(stage)
        return _rank_at(actor, deal, stage, position)
    return middle


def _respace(stage: PipelineStage) -> None:
    ids = list(Deal.objects.filter(stage=stage).order_by("rank", "id").values_list("pk", flat=True))
    base = -float(len(ids)) * 1024
    for i, pk in enumerate(ids):
        Deal.objects.filter(pk=pk).update(rank=base + i * 1024.0)


def _furthest(current: int, stage: PipelineStage) -> int:
    """The furthest funnel step a deal has reached once it enters `stage` (lost is no step)."""
    return current if stage.kind == StageKind.LOST else max(current, stage.position)


def _apply_move(
    actor: User,
    deal: Deal,
    target: PipelineStage,
    *,
    position: int | None,
    lost_reason: LostReason | None = None,
    note: str = "",
) -> Deal:
    """Check the rules for entering `target`, then move, record the stay, audit, publish."""
    source = deal.stage
    if deal.is_closed:
        raise ValidationError(
            {
                "stage_id": [
                    _("The deal is closed (%(stage)s) and cannot be moved.")
                    % {"stage": source.name}
                ]
            }
        )
    if target.pk == source.pk:
        if position is not None:
            deal.rank = _rank_at(actor, deal, target, position)
            deal.save(update_fields=["rank"])
        return deal
    if target.kind == StageKind.LOST and lost_reason is None:
        raise ValidationError({"lost_reason": [_("Choose why the deal was lost.")]})
    trade_in = TradeIn.objects.filter(deal=deal).first()
    problems = _entry_problems(
        target,
        has_lines=DealLine.objects.filter(deal=deal).exists(),
        amount=deal.amount,
        expected_close=deal.expected_close,
        trade_in=trade_in,
    )
    if problems:
        raise ValidationError({"stage_id": problems})
    now = timezone.now()
    before = snapshot(deal, DEAL_AUDIT_FIELDS)
    deal.stage = target
    deal.status = target.kind
    deal.probability = target.probability
    deal.furthest_position = _furthest(deal.furthest_position, target)
    deal.stage_entered_at = now
    deal.updated_at = now
    if target.is_closed:
        deal.closed_at = now
        # Closed cards rank by closing time (see selectors.deals._column_qs).
        deal.rank = _entry_rank(now)
        if target.kind == StageKind.LOST:
            deal.lost_reason = lost_reason
            deal.lost_note = note
    elif position is not None:
        deal.rank = _rank_at(actor, deal, target, position)
    else:
        deal.rank = _entry_rank(now)
    deal.save()
    DealStageChange.objects.filter(deal=deal, left_at__isnull=True).update(left_at=now)
    DealStageChange.objects.create(
        deal=deal, from_stage=source, stage=target, entered_at=now, actor=actor
    )
    audit_record(
        actor=actor,
        action="update",
        instance=deal,
        person_id=deal.person_id,
        company_id=deal.company_id,
        before=before,
        after=snapshot(deal, DEAL_AUDIT_FIELDS),
        summary=f"{deal.title}: {source.name} → {target.name}",
    )
    payload = {
        **_payload(deal, actor),
        "from_stage_id": source.pk,
        "to_stage_id": target.pk,
        "from_stage": source.name,
        "to_stage": target.name,
    }
    publish("deal.stage_changed", **payload)
    if target.kind == StageKind.WON:
        publish("deal.won", **payload)
    elif target.kind == StageKind.LOST:
        publish(
            "deal.lost",
            **payload,
            lost_reason_id=lost_reason.pk if lost_reason else None,
            lost_reason=lost_reason.name if lost_reason else "",
            note=note,
        )
    return deal


def _reason_of(value: Any) -> LostReason:
    pk = _as_pk(value)
    reason = LostReason.objects.filter(pk=pk, is_active=True).first() if pk else None
    if reason is None:
        raise ValidationError({"lost_reason": [_("Choose why the deal was lost.")]})
    return reason


@transaction.atomic
def deal_move(
    *,
    actor: User,
    deal: Deal,
    stage: PipelineStage | int,
    position: int | None = None,
    lost_reason: LostReason | int | None = None,
    note: str = "",
) -> Deal:
    """Move a deal to `stage` of its pipeline, at `position` (0 = top) of that column as
    the actor sees it, or on top when None. Moving within the same column reorders.

    Refused with a message, nothing written: a closed deal; a stage of another
    pipeline; a stage whose rules the deal does not meet (lines, amount, expected
    close, trade-in appraisal); a lost stage without a reason.
    """
    _require_edit(actor)
    deal = _lock_visible(actor, deal)
    target = _stage_of(deal, stage)
    reason = None
    if target.kind == StageKind.LOST and lost_reason not in (None, ""):
        reason = _reason_of(lost_reason)
    errors: Errors = {}
    clean_note = _text(errors, "note", note, 500)
    _raise(errors)
    return _apply_move(actor, deal, target, position=position, lost_reason=reason, note=clean_note)


def _closing_stage(deal: Deal, kind: str) -> PipelineStage:
    stage = deal.pipeline.stages.filter(kind=kind).order_by("position", "id").first()
    if stage is None:
        raise ValidationError({"stage_id": [_("The pipeline has no stage for this outcome.")]})
    return stage


@transaction.atomic
def deal_win(*, actor: User, deal: Deal) -> Deal:
    """Close a deal as won (the pipeline's won stage, with its rules)."""
    _require_edit(actor)
    deal = _lock_visible(actor, deal)
    return _apply_move(actor, deal, _closing_stage(deal, StageKind.WON), position=None)


@transaction.atomic
def deal_lose(*, actor: User, deal: Deal, reason: LostReason | int, note: str = "") -> Deal:
    """Close a deal as lost with a reason from the managed list (and a note)."""
    _require_edit(actor)
    deal = _lock_visible(actor, deal)
    errors: Errors = {}
    clean_note = _text(errors, "note", note, 500)
    _raise(errors)
    return _apply_move(
        actor,
        deal,
        _closing_stage(deal, StageKind.LOST),
        position=None,
        lost_reason=_reason_of(reason),
        note=clean_note,
    )


# --- lines ------------------------------------------------------------------------------


@transaction.atomic
def deal_line_add(*, actor: User, deal: Deal, data: Mapping[str, Any]) -> DealLine:
    _require_edit(actor)
    deal = _lock_visible(actor, deal)
    _refuse_closed(deal, field="__all__")
    errors: Errors = {}
    if DealLine.objects.filter(deal=deal).count() >= MAX_LINES:
        _add(errors, "__all__", _("At most %(n)d items.") % {"n": MAX_LINES})
    cleaned = _clean_line(errors, "", data)
    _raise(errors)
    if "position" not in cleaned:
        last = (
            DealLine.objects.filter(deal=deal)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        cleaned["position"] = (last or 0) + 1 if last is not None else 0
    line = DealLine.objects.create(deal=deal, **cleaned)
    _after_line_change(actor, deal)
    _line_audit(actor, "create", line, deal, None)
    return line


@transaction.atomic
def deal_line_update(*, actor: User, line: DealLine, data: Mapping[str, Any]) -> DealLine:
    _require_edit(actor)
    deal = _lock_visible(actor, line.deal)
    _refuse_closed(deal, field="__all__")
    line = DealLine.objects.select_related("product").get(pk=line.pk, deal=deal)
    errors: Errors = {}
    cleaned = _clean_line(errors, "", data, line=line)
    _raise(errors)
    before = snapshot(line)
    for name, value in cleaned.items():
        setattr(line, name, value)
    line.save()
    _after_line_change(actor, deal)
    _line_audit(actor, "update", line, deal, before)
    return line


@transaction.atomic
def deal_line_delete(*, actor: User, line: DealLine) -> None:
    _require_edit(actor)
    deal = _lock_visible(actor, line.deal)
    _refuse_closed(deal, field="__all__")
    line = DealLine.objects.get(pk=line.pk, deal=deal)
    _line_audit(actor, "delete", line, deal, snapshot(line))
    line.delete()
    _after_line_change(actor, deal)


def _after_line_change(actor: User, deal: Deal) -> None:
    before = deal.amount
    _recompute_amount(deal)
    deal.updated_at = timezone.now()
    deal.save(update_fields=["amount", "updated_at"])
    if deal.amount != before:
        audit_record(
            actor=actor,
            action="update",
            instance=deal,
            person_id=deal.person_id,
            company_id=deal.company_id,
            before={"amount": before},
            after={"amount": deal.amount},
            summary=deal.title,
        )


# --- customers merged -------------------------------------------------------------------


@transaction.atomic
def deals_move_to_person(*, actor: User | None, from_person_id: int, to_person_id: int) -> int:
    """Give every deal of one person to another (a duplicate merged into its survivor).

    Called inside the merge's transaction (the `person.merged` handler), so the deals
    follow the survivor or nothing changes; each moved deal is audited against both.
    """
    moved = 0
    for deal in Deal.objects.select_for_update().filter(person_id=from_person_id).order_by("pk"):
        deal.person_id = to_person_id
        deal.updated_at = timezone.now()
        deal.save(update_fields=["person", "updated_at"])
        audit_record(
            actor=actor,
            action="update",
            instance=deal,
            person_id=to_person_id,
            company_id=deal.company_id,
            before={"person": from_person_id},
            after={"person": to_person_id},
            summary=deal.title,
        )
        moved += 1
    return moved
