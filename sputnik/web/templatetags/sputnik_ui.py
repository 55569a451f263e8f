"""Display helpers for templates: phones, money, badges, custom fields, audit values."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sputnik.core.normalize import format_phone

register = template.Library()

STAGE_BADGES = {
    "prospect": "text-bg-info",
    "customer": "text-bg-success",
    "repeat": "text-bg-primary",
    "lost": "text-bg-secondary",
}


@register.filter
def phone(value: str) -> str:
    return format_phone(value) if value else ""


@register.filter
def stage_badge(stage: str) -> str:
    return STAGE_BADGES.get(stage, "text-bg-light")


def _group(digits: str, sep: str) -> str:
    out: list[str] = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


@register.filter
def money(value: Any, places: int = 2) -> str:
    """1234567.5 → "1 234 567,50" in Russian, "1,234,567.50" in English."""
    if value in (None, ""):
        return ""
    try:
        number = decimal.Decimal(str(value)).quantize(decimal.Decimal(1).scaleb(-int(places)))
    except (decimal.InvalidOperation, ValueError, TypeError):
        return str(value)
    russian = (get_language() or "ru").startswith("ru")
    sign = "-" if number < 0 else ""
    whole, _dot, frac = f"{abs(number):f}".partition(".")
    grouped = _group(whole, "\u00a0" if russian else ",")
    if frac:
        return f"{sign}{grouped}{',' if russian else '.'}{frac}"
    return f"{sign}{grouped}"


@register.filter
def count_display(value: int | None) -> str:
    """A capped count: None means beyond the cap."""
    if value is None:
        return money(10000, 0) + "+"
    return money(value, 0)


@register.filter
def duration(seconds: int | None) -> str:
    if seconds in (None, ""):
        return ""
    seconds = int(seconds)  # type: ignore[arg-type]
    minutes, sec = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{sec:02d}"
    return f"{minutes}:{sec:02d}"


@register.filter
def warranty_active(end: dt.date | None) -> bool | None:
    if end is None:
        return None
    return end >= timezone.localdate()


def _display_scalar(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(_display_scalar(v) for v in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@register.filter
def custom_display(value: Any) -> str:
    return _display_scalar(value)


@register.simple_tag
def custom_rows(defs: list[Any], values: dict[str, Any]) -> list[tuple[str, str]]:
    """(label in the current language, display value) for each defined field with a value."""
    values = values or {}
    return [(d.label, _display_scalar(values[d.key])) for d in defs if d.key in values]


_UNSHOWN_AUDIT_KEYS = {"created_at", "updated_at", "created_by"}


def _choice_or_value(choices: dict[Any, Any], value: Any) -> str:
    if isinstance(value, str | int) and value in choices:
        return str(choices[value])
    return _display_scalar(value)


def _named(names: dict[tuple[str, Any], str], field: str, value: Any) -> str | None:
    return names.get((field, value)) if isinstance(value, int) else None


@register.simple_tag
def audit_names(entries: Any) -> dict[tuple[str, Any], str]:
    """Names for the centre and user ids of a page of audit entries (one query per model)."""
    from sputnik.core.audit import audit_reference_names

    return audit_reference_names(entries)


@register.simple_tag
def audit_changes(
    entry: Any, names: dict[tuple[str, Any], str] | None = None
) -> list[tuple[str, str, str]]:
    """(field label, before, after) of an audit entry, labels from the model's fields."""
    names = names or {}
    try:
        model = apps.get_model(entry.entity)
    except (LookupError, ValueError):
        model = None
    rows = []
    for key, before, after in entry.changes():
        if key in _UNSHOWN_AUDIT_KEYS:
            continue
        label = key
        choices: dict[Any, Any] = {}
        if model is not None:
            try:
                field = model._meta.get_field(key.removesuffix("_id"))
                if hasattr(field, "verbose_name"):
                    label = str(field.verbose_name)
                    choices = {k: str(v) for k, v in (field.flatchoices or [])}
                else:  # a reverse relation, e.g. a person's contacts
                    label = str(field.related_model._meta.verbose_name_plural)
            except FieldDoesNotExist:
                pass
        field_name = key.removesuffix("_id")
        shown_before = _named(names, field_name, before) or _choice_or_value(choices, before)
        shown_after = _named(names, field_name, after) or _choice_or_value(choices, after)
        if shown_before != shown_after:  # a created record's empty fields are no news
            rows.append((label, shown_before, shown_after))
    return rows


@register.filter
def stage_label(value: str) -> str:
    from sputnik.parties.models import Stage

    try:
        return str(Stage(value).label)
    except ValueError:
        return value or "—"
