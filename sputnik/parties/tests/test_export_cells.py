"""Formula injection (OWASP CSV injection): a cell a spreadsheet would run is shown as text."""

from __future__ import annotations

import pytest

from sputnik.parties.exports.cells import is_formula_like, safe_cell


@pytest.mark.parametrize(
    "payload",
    [
        "=1+1",
        '=HYPERLINK("http://evil","click")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "\t",
        "  =1+1",
        "\u00a0=cmd",
        " @x",
        "-",
        "+",
        "=",
    ],
)
def test_a_cell_a_spreadsheet_would_evaluate_gets_an_apostrophe(payload):
    assert is_formula_like(payload)
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize(
    "value",
    ["Иванов", "+79123456789", "-5", "+7", "3.14", "-2,5", "a=b", "ivanov@example.ru", "", " x"],
)
def test_ordinary_text_and_plain_numbers_stay_as_they_are(value):
    assert not is_formula_like(value)
    assert safe_cell(value) == value
