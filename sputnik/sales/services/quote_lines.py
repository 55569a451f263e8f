"""Priced lines of quotes and orders: validation and the VAT arithmetic.

The rule, stated once and used by quotes, orders, their pages, PDFs and the API:

- a unit price is net of VAT, in the document's currency, two decimal places;
- line net   = quantity × unit price × (1 − discount / 100), rounded to kopecks;
- line VAT   = line net × rate / 100, rounded to kopecks;
- line gross = line net + line VAT;
- document net / VAT / gross = the sums of the rounded lines.

Rounding is ROUND_HALF_UP (commercial rounding, as Russian invoices do), and everything
is Decimal: a float never touches money here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KOPECK = Decimal("0.01")
HUNDRED = Decimal(100)
MAX_QUANTITY = Decimal("999999")
MAX_UNIT_PRICE = Decimal("999999999999.99")
MAX_LINES = 200


def default_vat_rate() -> Decimal:
    """The company's VAT rate in percent: settings.SPUTNIK_VAT_RATE, 20 by default."""
    return Decimal(str(getattr(settings, "SPUTNIK_VAT_RATE", "20")))


def money(value: Decimal) -> Decimal:
    return value.quantize(KOPECK, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    vat: Decimal
    gross: Decimal


def line_amounts(
    *, quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, vat_rate: Decimal
) -> LineAmounts:
    net = money(quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED)
    vat = money(net * vat_rate / HUNDRED)
    return LineAmounts(net=net, vat=vat, gross=net + vat)


@dataclass(frozen=True)
class Totals:
    net: Decimal = Decimal("0.00")
    vat: Decimal = Decimal("0.00")
    gross: Decimal = Decimal("0.00")


def totals_of(amounts: Iterable[LineAmounts]) -> Totals:
    net = vat = Decimal("0.00")
    for a in amounts:
        net += a.net
        vat += a.vat
    return Totals(net=net, vat=vat, gross=net + vat)


@dataclass
class CleanLine:
    """A validated line, ready to be stored on a quote or an order."""

    name: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    product_id: int | None = None
    sku: str = ""
    is_vehicle: bool = False
    configuration: dict[str, Any] = field(default_factory=dict)

    def amounts(self, vat_rate: Decimal) -> LineAmounts:
        return line_amounts(
            quantity=self.quantity,
            unit_price=self.unit_price,
            discount_percent=self.discount_percent,
            vat_rate=vat_rate,
        )

    def fields(self, vat_rate: Decimal, position: int) -> dict[str, Any]:
        a = self.amounts(vat_rate)
        return {
            "position": position,
            "product_id": self.product_id,
            "sku": self.sku,
            "name": self.name,
            "is_vehicle": self.is_vehicle,
            "configuration": self.configuration,
            "quantity": self.quantity,
            "unit_price": self.unit_price,
            "discount_percent": self.discount_percent,
            "net_amount": a.net,
            "vat_amount": a.vat,
            "gross_amount": a.gross,
        }


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    if not text or len(text) > 30:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def clean_quantity(errors: dict[str, list[str]], key: str, value: Any) -> Decimal:
    number = _decimal(value)
    if number is None:
        errors.setdefault(key, []).append(_("Enter a number."))
        return Decimal(0)
    if number <= 0:
        errors.setdefault(key, []).append(_("The quantity must be greater than zero."))
    elif number > MAX_QUANTITY:
        errors.setdefault(key, []).append(_("The quantity is too large."))
    elif number != number.quantize(Decimal("0.001")):
        errors.setdefault(key, []).append(_("At most three decimal places."))
    return number


def clean_price(errors: dict[str, list[str]], key: str, value: Any) -> Decimal:
    number = _decimal(value)
    if number is None:
        errors.setdefault(key, []).append(_("Enter an amount."))
        return Decimal(0)
    if number < 0:
        errors.setdefault(key, []).append(_("The price cannot be negative."))
    elif number > MAX_UNIT_PRICE:
        errors.setdefault(key, []).append(_("The price is too large."))
    elif number != number.quantize(KOPECK):
        errors.setdefault(key, []).append(_("At most two decimal places (kopecks)."))
    return number


def clean_percent(
    errors: dict[str, list[str]], key: str, value: Any, *, what: str = "discount"
) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    number = _decimal(value)
    if number is None:
        errors.setdefault(key, []).append(_("Enter a percentage."))
        return Decimal(0)
    if number < 0 or number > 100:
        if what == "discount":
            errors.setdefault(key, []).append(_("A discount is between 0 and 100%."))
        else:
            errors.setdefault(key, []).append(_("A VAT rate is between 0 and 100%."))
    elif number != number.quantize(KOPECK):
        errors.setdefault(key, []).append(_("At most two decimal places."))
    return number


def clean_lines(
    errors: dict[str, list[str]],
    items: Sequence[Mapping[str, Any]] | None,
    *,
    prefix: str = "lines",
    required: bool = True,
) -> list[CleanLine]:
    """Validate submitted lines: {product_id?, name?, quantity, unit_price?, discount_percent?,
    configuration?}. A product line without a name or price takes the product's.

    Errors are keyed "lines.<i>.<field>", like the parties services' contact errors.
    """
    from sputnik.sales.models import Product

    items = list(items or [])
    if required and not items:
        errors.setdefault(prefix, []).append(_("Add at least one line."))
        return []
    if len(items) > MAX_LINES:
        errors.setdefault(prefix, []).append(_("At most %(n)d lines.") % {"n": MAX_LINES})
        return []
    wanted = set()
    for item in items:
        pid = item.get("product_id")
        if isinstance(pid, int) and not isinstance(pid, bool) and 0 < pid < 2**63:
            wanted.add(pid)
        elif isinstance(pid, str) and pid.isascii() and pid.isdigit() and len(pid) < 19:
            wanted.add(int(pid))
    products = {p.pk: p for p in Product.objects.filter(pk__in=wanted)}
    result: list[CleanLine] = []
    for i, item in enumerate(items):
        key = f"{prefix}.{i}"
        raw_pid = item.get("product_id")
        product = None
        if raw_pid not in (None, ""):
            try:
                product = products.get(int(raw_pid))
            except (TypeError, ValueError):
                product = None
            if product is None or not product.is_active:
                errors.setdefault(f"{key}.product_id", []).append(_("Choose a valid product."))
        name = " ".join(str(item.get("name") or "").split())[:301]
        if not name and product is not None:
            name = product.name
        if not name:
            errors.setdefault(f"{key}.name", []).append(_("Describe the line or pick a product."))
        elif len(name) > 300:
            errors.setdefault(f"{key}.name", []).append(_("At most %(n)d characters.") % {"n": 300})
        quantity = clean_quantity(errors, f"{key}.quantity", item.get("quantity", 1))
        raw_price = item.get("unit_price")
        if raw_price in (None, "") and product is not None:
            raw_price = product.base_price
        unit_price = clean_price(errors, f"{key}.unit_price", raw_price)
        discount = clean_percent(errors, f"{key}.discount_percent", item.get("discount_percent"))
        configuration = item.get("configuration") or {}
        if not isinstance(configuration, dict):
            errors.setdefault(f"{key}.configuration", []).append(_("Enter an object."))
            configuration = {}
        result.append(
            CleanLine(
                name=name,
                quantity=quantity,
                unit_price=unit_price,
                discount_percent=discount,
                product_id=product.pk if product is not None else None,
                sku=product.sku if product is not None else str(item.get("sku") or "")[:64],
                is_vehicle=bool(product is not None and product.kind == Product.Kind.VEHICLE)
                or bool(item.get("is_vehicle")),
                configuration=configuration,
            )
        )
    return result


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)
