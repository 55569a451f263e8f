"""Spreadsheet cells that cannot run: the OWASP rule against CSV/formula injection.

A spreadsheet treats a cell starting with `=`, `+`, `-` or `@` as a formula (and tab or
carriage return as a way to smuggle one), also after leading spaces. Such a cell gets a
leading apostrophe, so Excel and LibreOffice show it as text. A plain signed number
("+79123456789", "-5") is left alone: it cannot call anything, and an apostrophe would
corrupt every E.164 phone in the file.
"""

from __future__ import annotations

import re

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
NEEDS_CHECK = frozenset(_TRIGGERS)
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def is_formula_like(text: str) -> bool:
    if not text:
        return False
    first = text[0]
    if first in _TRIGGERS:
        return _PLAIN_NUMBER.fullmatch(text) is None
    if not first.isspace():  # the common case, decided without copying the text
        return False
    stripped = text.lstrip(" \u00a0\u2000\u2001\u2002\u2003\u2009\u3000\x0b\x0c")
    return stripped != text and bool(stripped) and stripped[0] in _TRIGGERS


def safe_cell(text: str) -> str:
    """The text as a spreadsheet shows it literally."""
    return "'" + text if is_formula_like(text) else text
