"""The VAT arithmetic of quote and order lines: Decimal, per line, rounded to kopecks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import translation

from sputnik.sales.services.quote_lines import (
    LineAmounts,
    clean_lines,
    default_vat_rate,
    line_amounts,
    totals_of,
)

D = Decimal


def test_a_line_is_net_times_quantity_less_discount_with_vat_on_top():
    a = line_amounts(quantity=D(2), unit_price=D("4990.00"), discount_percent=D(10), vat_rate=D(20))
    assert a == LineAmounts(net=D("8982.00"), vat=D("1796.40"), gross=D("10778.40"))


def test_half_a_kopeck_rounds_up_and_totals_add_the_rounded_lines():
    # 0.125 → 0.13 (ROUND_HALF_UP), VAT 20% of 0.13 = 0.026 → 0.03
    a = line_amounts(quantity=D("0.5"), unit_price=D("0.25"), discount_percent=D(0), vat_rate=D(20))
    assert (a.net, a.vat, a.gross) == (D("0.13"), D("0.03"), D("0.16"))
    totals = totals_of([a, a, a])
    assert (totals.net, totals.vat, totals.gross) == (D("0.39"), D("0.09"), D("0.48"))


def test_a_full_discount_makes_a_free_line():
    a = line_amounts(quantity=D(1), unit_price=D("999.99"), discount_percent=D(100), vat_rate=D(20))
    assert (a.net, a.vat, a.gross) == (D("0.00"), D("0.00"), D("0.00"))


def test_money_is_never_a_float():
    a = line_amounts(quantity=D(3), unit_price=D("0.10"), discount_percent=D(0), vat_rate=D(20))
    assert a.net == D("0.30") and isinstance(
        a.net, Decimal
    )  # 3 * 0.1 in floats is 0.30000000000000004


def test_the_default_rate_is_20_percent_and_configurable_in_settings():
    assert default_vat_rate() == D(20)
    with override_settings(SPUTNIK_VAT_RATE="10"):
        assert default_vat_rate() == D(10)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quantity", "-1", "greater than zero"),
        ("quantity", "0", "greater than zero"),
        ("quantity", "abc", "Enter a number"),
        ("discount_percent", "100.01", "between 0 and 100"),
        ("discount_percent", "-5", "between 0 and 100"),
        ("unit_price", "-10", "cannot be negative"),
        ("unit_price", "1.001", "two decimal places"),
        ("quantity", "NaN", "Enter a number"),
    ],
)
def test_bad_line_values_get_a_clear_message_per_field(field, value, message):
    errors: dict[str, list[str]] = {}
    line = {"name": "Коврики", "quantity": "1", "unit_price": "100", field: value}
    with translation.override("en"):
        clean_lines(errors, [line])
    assert message in " ".join(errors[f"lines.0.{field}"])


@pytest.mark.django_db
def test_a_comma_decimal_and_spaces_are_read_as_russians_type_them():
    errors: dict[str, list[str]] = {}
    [line] = clean_lines(errors, [{"name": "x", "quantity": "1,5", "unit_price": "1 234,50"}])
    assert not errors
    assert (line.quantity, line.unit_price) == (D("1.5"), D("1234.50"))
