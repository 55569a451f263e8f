"""Writes on companies, and the INN check they use."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core import custom_fields
from sputnik.core.audit import audit_record, snapshot
from sputnik.core.events import publish
from sputnik.core.models import User
from sputnik.core.normalize import search_key
from sputnik.core.roles import Right
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import (
    Company,
    Source,
)
from sputnik.parties.services._common import (
    _choice,
    _clean_contacts,
    _contacts_snapshot,
    _raise,
    _replace_contacts,
    _require,
    _resolve_placement,
    _submitted_kinds,
    _text,
)

COMPANY_FIELDS = (
    "name",
    "inn",
    "industry",
    "website",
    "source",
    "source_campaign",
    "utm_source",
    "utm_medium",
    "utm_campaign",
)


# --- companies --------------------------------------------------------------


def validate_inn(inn: str) -> str:
    """A Russian taxpayer number: 10 digits (organisation) or 12 (individual), with checksums."""
    digits = re.sub(r"\s", "", inn or "")
    if not digits:
        return ""
    if not (digits.isascii() and digits.isdigit()) or len(digits) not in (10, 12):
        raise ValidationError(_("An INN has 10 or 12 digits."))

    def check(weights: list[int], upto: int) -> int:
        return sum(int(digits[i]) * w for i, w in enumerate(weights[:upto])) % 11 % 10

    n = [int(d) for d in digits]
    if len(digits) == 10:
        ok = check([2, 4, 10, 3, 5, 9, 4, 6, 8], 9) == n[9]
    else:
        ok = (
            check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8], 10) == n[10]
            and check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8], 11) == n[11]
        )
    if not ok:
        raise ValidationError(_("The INN's check digits do not match."))
    return digits


def _clean_company_fields(errors: dict[str, list[str]], data: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name, limit in (
        ("name", 300),
        ("industry", 200),
        ("source_campaign", 200),
        ("utm_source", 200),
        ("utm_medium", 200),
        ("utm_campaign", 200),
    ):
        if name in data:
            cleaned[name] = _text(errors, name, data[name], limit, required=name == "name")
    if "inn" in data:
        try:
            cleaned["inn"] = validate_inn(str(data["inn"] or ""))
        except ValidationError as exc:
            errors.setdefault("inn", []).extend(exc.messages)
    if "website" in data:
        from django.core.validators import URLValidator

        url = str(data["website"] or "").strip()
        if url:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                errors.setdefault("website", []).append(_("Enter a web address (https://…)."))
        cleaned["website"] = url[:200]
    if "source" in data:
        cleaned["source"] = _choice(errors, "source", data["source"], Source)
    return cleaned


@transaction.atomic
def company_create(*, actor: User, data: Mapping[str, Any]) -> Company:
    _require(actor, Right.PARTY_CREATE)
    errors: dict[str, list[str]] = {}
    fields = _clean_company_fields(errors, {"name": "", **data})
    contacts = (
        _clean_contacts(errors, phones=data.get("phones"), emails=data.get("emails"), handles=None)
        or []
    )
    centre, owner = _resolve_placement(errors, actor, data.get("centre_id"), data.get("owner_id"))
    try:
        custom = custom_fields.clean_custom("company", data.get("custom"))
    except ValidationError as exc:
        custom = {}
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    _raise(errors)
    company = Company(**fields, centre=centre, owner=owner, custom=custom, created_by=actor)
    company.search_name = search_key(company.name)
    company.save()
    _replace_contacts(company, contacts)
    audit_record(
        actor=actor,
        action="create",
        instance=company,
        company_id=company.pk,
        after={**snapshot(company), "contacts": _contacts_snapshot(contacts)},
        summary=company.name,
    )
    publish("company.created", company_id=company.pk, actor_id=actor.pk)
    return company


@transaction.atomic
def company_update(*, actor: User, company: Company, data: Mapping[str, Any]) -> Company:
    _require(actor, Right.PARTY_EDIT)
    company = Company.objects.visible_to(actor).select_for_update().filter(pk=company.pk).first()
    if company is None:
        raise AccessDenied("not visible")
    errors: dict[str, list[str]] = {}
    fields = _clean_company_fields(errors, {k: v for k, v in data.items() if k in COMPANY_FIELDS})
    contacts = _clean_contacts(
        errors, phones=data.get("phones"), emails=data.get("emails"), handles=None
    )
    custom = company.custom
    if "custom" in data:
        try:
            custom = custom_fields.clean_custom("company", data["custom"], current=company.custom)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    _raise(errors)
    before = {**snapshot(company), "contacts": _contacts_snapshot(company.contacts.all())}
    for k, v in fields.items():
        setattr(company, k, v)
    company.custom = custom
    company.search_name = search_key(company.name)
    company.updated_at = timezone.now()
    company.save()
    if contacts is not None:
        _replace_contacts(company, contacts, _submitted_kinds({**data, "handles": None}))
    audit_record(
        actor=actor,
        action="update",
        instance=company,
        company_id=company.pk,
        before=before,
        after={**snapshot(company), "contacts": _contacts_snapshot(company.contacts.all())},
        summary=company.name,
    )
    return company


@transaction.atomic
def company_delete(*, actor: User, company: Company) -> None:
    _require(actor, Right.PARTY_DELETE)
    company = Company.objects.visible_to(actor).select_for_update().filter(pk=company.pk).first()
    if company is None:
        raise AccessDenied("not visible")
    audit_record(
        actor=actor,
        action="delete",
        instance=company,
        company_id=company.pk,
        before=snapshot(company),
        summary=company.name,
    )
    company.delete()
