"""Typed validation and filtering of administrator-defined custom fields.

Values live in the entity's `custom` JSON column, keyed by the field's key.
Only defined keys are accepted, and filters are built from definitions only,
so user input never names a column or lookup.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from sputnik.core.models import CustomFieldDefinition

Type = CustomFieldDefinition.Type
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def definitions(entity: str) -> list[CustomFieldDefinition]:
    return list(CustomFieldDefinition.objects.filter(entity=entity))


def clean_value(defn: CustomFieldDefinition, raw: Any) -> Any:
    """Convert one submitted value to its stored JSON form, or raise ValidationError."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if defn.required:
            raise ValidationError(_("This field is required."), code="required")
        return None
    text = raw.strip() if isinstance(raw, str) else raw
    try:
        if defn.type == Type.TEXT:
            # Control characters (NUL above all: PostgreSQL's JSONB refuses it) are dropped.
            value = _CONTROL.sub("", str(text))
            if len(value) > 1000:
                raise ValidationError(_("At most 1000 characters."), code="too_long")
            return value
        if defn.type == Type.INTEGER:
            if isinstance(text, bool):
                raise ValueError
            if isinstance(text, float) and not text.is_integer():
                raise ValueError
            # int(str(3.0)) fails: a whole float is converted directly.
            number = int(text) if isinstance(text, float) else int(str(text).replace(" ", ""))
            if abs(number) > 10**15:
                raise ValueError
            return number
        if defn.type == Type.DECIMAL:
            if isinstance(text, bool):
                raise ValueError
            number_d = decimal.Decimal(str(text).replace(" ", "").replace(",", "."))
            if not number_d.is_finite() or abs(number_d) > 10**15:
                raise ValueError
            return str(number_d)
        if defn.type == Type.DATE:
            if isinstance(text, dt.date):
                return text.isoformat()
            value = str(text)
            for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
                try:
                    return dt.datetime.strptime(value, fmt).date().isoformat()
                except ValueError:
                    continue
            raise ValueError
        if defn.type == Type.BOOLEAN:
            if isinstance(text, bool):
                return text
            lowered = str(text).casefold()
            if lowered in {"1", "true", "yes", "on", "да"}:
                return True
            if lowered in {"0", "false", "no", "off", "нет"}:
                return False
            raise ValueError
        if defn.type == Type.CHOICE:
            value = str(text)
            if value not in (defn.choices or []):
                raise ValidationError(
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(defn.choices or [])},
                    code="invalid_choice",
                )
            return value
    except (ValueError, decimal.InvalidOperation, TypeError) as exc:
        messages: dict[str, str] = {
            Type.INTEGER: _("Enter a whole number."),
            Type.DECIMAL: _("Enter a number."),
            Type.DATE: _("Enter a date as DD.MM.YYYY."),
            Type.BOOLEAN: _("Enter yes or no."),
        }
        raise ValidationError(
            messages.get(str(defn.type), _("Invalid value.")), code="invalid"
        ) from exc
    raise ValidationError(_("Invalid value."), code="invalid")


def clean_custom(
    entity: str, raw: dict[str, Any] | None, *, current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Validate a mapping of custom values; errors are keyed `custom.<key>`."""
    raw = raw or {}
    if not isinstance(raw, Mapping):
        raise ValidationError({"custom": [_("Custom fields must be a mapping of key to value.")]})
    defs = {d.key: d for d in definitions(entity)}
    errors: dict[str, list[str]] = {}
    result = dict(current or {})
    for key in raw:
        if key not in defs:
            errors[f"custom.{key}"] = [_("Unknown field.")]
    for key, defn in defs.items():
        if key not in raw and current is not None:
            continue
        try:
            value = clean_value(defn, raw.get(key))
        except ValidationError as exc:
            errors[f"custom.{key}"] = list(exc.messages)
            continue
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    if errors:
        raise ValidationError(errors)
    return result


def custom_filter(entity: str, key: str, raw: str) -> Q:
    """A Q for `custom[key] == value`, or an empty Q for unknown or invalid input."""
    defn = CustomFieldDefinition.objects.filter(entity=entity, key=key, filterable=True).first()
    if defn is None:
        return Q()
    try:
        value = clean_value(defn, raw)
    except ValidationError:
        return Q(pk__in=[])
    if value is None:
        return Q()
    return Q(**{f"custom__{defn.key}": value})
