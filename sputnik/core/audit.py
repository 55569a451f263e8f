"""The audit trail: one entry per create, update, delete or transfer of customer data."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.db import models

from sputnik.core.models import AuditEntry, User


def jsonable(value: Any) -> Any:
    """A value as JSON keeps it: dates as ISO text, decimals as text, records as ids."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """Concrete field values of a model instance, JSON-ready (FKs as ids)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        # updated_at is bookkeeping: with it every save would look like a change.
        if field.name in {"search_name", "id", "updated_at"}:
            continue
        data[field.name] = jsonable(getattr(instance, field.attname))
    return data


def audit_record(
    *,
    actor: User | None,
    action: str,
    instance: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    person_id: int | None = None,
    company_id: int | None = None,
    summary: str = "",
) -> AuditEntry | None:
    before = jsonable(before or {})
    after = jsonable(after or {})
    if action == AuditEntry.Action.UPDATE:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        if not changed:
            return None
        before = {k: before.get(k) for k in changed}
        after = {k: after.get(k) for k in changed}
    return AuditEntry.objects.create(
        actor=actor if actor and actor.pk else None,
        action=action,
        entity=instance._meta.label_lower,
        entity_id=instance.pk,
        subject_person_id=person_id,
        subject_company_id=company_id,
        summary=summary[:300],
        before=before,
        after=after,
    )


# Audit values keep foreign keys as ids. These are shown by name: organisation data,
# not customer data, so naming them never reveals another centre's client.
_NAMED_REFERENCES = {"centre": "core.Centre", "owner": "core.User", "actor": "core.User"}


def audit_reference_names(entries: Iterable[AuditEntry]) -> dict[tuple[str, Any], str]:
    """{(field, id): name} for centre and user ids in a page of entries: one query per model."""
    from django.apps import apps

    wanted: dict[str, set[int]] = {}
    for entry in entries:
        for source in (entry.before, entry.after):
            for key, value in (source or {}).items():
                field = key.removesuffix("_id")
                if field in _NAMED_REFERENCES and isinstance(value, int):
                    wanted.setdefault(_NAMED_REFERENCES[field], set()).add(value)
    names: dict[tuple[str, Any], str] = {}
    for label, ids in wanted.items():
        model = apps.get_model(label)
        for obj in model._default_manager.filter(pk__in=ids):
            shown = getattr(obj, "display_name", None) or str(obj)
            for field, target in _NAMED_REFERENCES.items():
                if target == label:
                    names[(field, obj.pk)] = shown
    return names
