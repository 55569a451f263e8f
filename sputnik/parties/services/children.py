"""Writes on what hangs off a person: assets, relations, company roles, important
dates and addresses. Each is audited against its person.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.audit import audit_record, snapshot
from sputnik.core.models import User
from sputnik.core.normalize import normalize_vin
from sputnik.core.roles import Right
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import (
    Address,
    Asset,
    Company,
    CompanyRole,
    ImportantDate,
    Person,
    Relation,
)
from sputnik.parties.services._common import (
    _choice,
    _date,
    _lock_visible,
    _raise,
    _require,
    _text,
)

# --- what hangs off a person -------------------------------------------------


def _person_child_audit(
    actor: User, action: str, obj: Any, person: Person, before: dict[str, Any] | None = None
) -> None:
    audit_record(
        actor=actor,
        action=action,
        instance=obj,
        person_id=person.pk,
        before=before,
        after=snapshot(obj) if action != "delete" else None,
        summary=f"{obj._meta.verbose_name}: {obj}",
    )


def _clean_asset(errors: dict[str, list[str]], data: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "kind" in data:
        cleaned["kind"] = _choice(errors, "kind", data["kind"] or Asset.Kind.VEHICLE, Asset.Kind)
    for name, limit in (("make", 100), ("model", 100), ("plate", 20)):
        if name in data:
            cleaned[name] = _text(errors, name, data[name], limit, required=name != "plate")
    if data.get("vin"):
        try:
            cleaned["vin"] = normalize_vin(str(data["vin"]))
        except ValidationError as exc:
            errors.setdefault("vin", []).extend(exc.messages)
    elif "vin" in data:
        cleaned["vin"] = ""
    if "year" in data:
        year = data["year"]
        if year in (None, ""):
            cleaned["year"] = None
        else:
            try:
                year = int(year)
            except (TypeError, ValueError):
                year = -1
            if not 1900 <= year <= timezone.localdate().year + 1:
                errors.setdefault("year", []).append(_("Enter a realistic year."))
            else:
                cleaned["year"] = year
    if "mileage_km" in data:
        mileage = data["mileage_km"]
        if mileage in (None, ""):
            cleaned["mileage_km"] = None
        else:
            try:
                mileage = int(mileage)
            except (TypeError, ValueError):
                mileage = -1
            if not 0 <= mileage <= 5_000_000:
                errors.setdefault("mileage_km", []).append(_("Enter a mileage in km."))
            else:
                cleaned["mileage_km"] = mileage
    for name in ("purchase_date", "last_service_date"):
        if name in data:
            cleaned[name] = _date(errors, name, data[name], past=True)
    if "warranty_end" in data:
        cleaned["warranty_end"] = _date(errors, "warranty_end", data["warranty_end"])
    return cleaned


def _save_asset(asset: Asset) -> Asset:
    """Save, turning a lost race on the one-current-owner VIN rule into a field error."""
    try:
        with transaction.atomic():
            asset.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"vin": [_("This VIN already belongs to a current vehicle.")]}
        ) from exc
    return asset


@transaction.atomic
def asset_create(*, actor: User, person: Person, data: Mapping[str, Any]) -> Asset:
    _require(actor, Right.PARTY_EDIT)
    person = _lock_visible(actor, person)
    errors: dict[str, list[str]] = {}
    cleaned = _clean_asset(errors, {"make": "", "model": "", **data})
    if (
        cleaned.get("vin")
        and Asset.objects.filter(vin=cleaned["vin"], disposed_at__isnull=True).exists()
    ):
        errors.setdefault("vin", []).append(_("This VIN already belongs to a current vehicle."))
    _raise(errors)
    asset = _save_asset(Asset(person=person, **cleaned))
    _person_child_audit(actor, "create", asset, person)
    return asset


@transaction.atomic
def asset_update(*, actor: User, asset: Asset, data: Mapping[str, Any]) -> Asset:
    _require(actor, Right.PARTY_EDIT)
    person = _lock_visible(actor, asset.person)
    errors: dict[str, list[str]] = {}
    cleaned = _clean_asset(errors, data)
    if (
        cleaned.get("vin")
        and Asset.objects.filter(vin=cleaned["vin"], disposed_at__isnull=True)
        .exclude(pk=asset.pk)
        .exists()
    ):
        errors.setdefault("vin", []).append(_("This VIN already belongs to a current vehicle."))
    _raise(errors)
    before = snapshot(asset)
    for k, v in cleaned.items():
        setattr(asset, k, v)
    _save_asset(asset)
    audit_record(
        actor=actor,
        action="update",
        instance=asset,
        person_id=person.pk,
        before=before,
        after=snapshot(asset),
        summary=str(asset),
    )
    return asset


@transaction.atomic
def asset_delete(*, actor: User, asset: Asset) -> None:
    _require(actor, Right.PARTY_EDIT)
    person = _lock_visible(actor, asset.person)
    _person_child_audit(actor, "delete", asset, person, before=snapshot(asset))
    asset.delete()


@transaction.atomic
def asset_dispose(*, actor: User, asset: Asset, on: Any = None, note: str = "") -> Asset:
    """The customer no longer owns the vehicle (sold on, traded in): it stays on the card
    as history, and its VIN is free for the next owner."""
    _require(actor, Right.PARTY_EDIT)
    person = _lock_visible(actor, asset.person)
    errors: dict[str, list[str]] = {}
    when = _date(errors, "disposed_at", on or timezone.localdate(), past=True)
    note = _text(errors, "note", note, 200)
    _raise(errors)
    asset = Asset.objects.get(pk=asset.pk, person=person)
    if asset.disposed_at is not None:
        return asset
    before = snapshot(asset)
    asset.disposed_at = when
    asset.save(update_fields=["disposed_at"])
    audit_record(
        actor=actor,
        action="update",
        instance=asset,
        person_id=person.pk,
        before=before,
        after=snapshot(asset),
        summary=f"{asset}: {note}" if note else str(asset),
    )
    return asset


@transaction.atomic
def relation_create(
    *, actor: User, person: Person, other: Person, kind: str, note: str = ""
) -> Relation:
    """Link two persons; the actor must see both (no linking to hidden records)."""
    _require(actor, Right.PARTY_EDIT)
    person = _lock_visible(actor, person)
    if not Person.objects.visible_to(actor).filter(pk=other.pk).exists():
        raise AccessDenied("not visible")
    errors: dict[str, list[str]] = {}
    kind = _choice(errors, "kind", kind, Relation.Kind)
    note = _text(errors, "note", note, 200)
    if other.pk == person.pk:
        errors.setdefault("other_id", []).append(_("A person cannot be related to themselves."))
    if (
        not errors
        and kind in Relation.SYMMETRIC
        and Relation.objects.filter(person=other, other=person, kind=kind).exists()
    ):
        errors.setdefault("other_id", []).append(_("This relation already exists."))
    _raise(errors)
    try:
        with transaction.atomic():
            relation = Relation.objects.create(person=person, other=other, kind=kind, note=note)
    except IntegrityError as exc:
        raise ValidationError({"other_id": [_("This relation already exists.")]}) from exc
    _person_child_audit(actor, "create", relation, person)
    return relation


@transaction.atomic
def relation_delete(*, actor: User, relation: Relation) -> None:
    _require(actor, Right.PARTY_EDIT)
    person = _lock_visible(actor, relation.person)
    _person_child_audit(actor, "delete", relation, person, before=snapshot(relation))
    relation.delete()


def _company_for_role(actor: User, company: Company | int | None) -> Company:
    """A company the actor sees; a hidden one is refused exactly like a missing one."""
    pk = company.pk if isinstance(company, Company) else company
    found = Company.objects.visible_to(actor).filter(pk=pk).first() if pk else None
    if found is None:
        raise ValidationError({"company_id": [_("Choose a company from the suggestions.")]})
    return found


@transaction.atomic
def company_role_create(
    *, actor: User, person: Person, company: Company | int | None, title: str
) -> CompanyRole:
    """The person's role (title) at a company the actor sees; a hidden or missing company
    is the same field error, so the answer never confirms a hidden one exists."""
    _require(actor, Right.PARTY_EDIT)
    person = _lock_visible(actor, person)
    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", title, 200, required=True)
    try:
        company = _company_for_role(actor, company)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    _raise(errors)
    assert isinstance(company, Company)
    if CompanyRole.objects.filter(person=person, company=company, title=title).exists():
        _raise({"title": [_("The person already has this role at this company.")]})
    try:
        with transaction.atomic():
            role = CompanyRole.objects.create(person=person, company=company, title=title)
    except IntegrityError as exc:
        raise ValidationError(
            {"title": [_("The person already has this role at this company.")]}
        ) from exc
    _person_child_audit(actor, "create", role, person)
    return role


@transaction.atomic
def company_role_delete(*, actor: User, role: CompanyRole) -> None:
    _require(actor, Right.PARTY_EDIT)
    person = _lock_visible(actor, role.person)
    if not Company.objects.visible_to(actor).filter(pk=role.company_id).exists():
        raise AccessDenied("not visible")
    _person_child_audit(actor, "delete", role, person, before=snapshot(role))
    role.delete()


@transaction.atomic
def important_date_create(
    *, actor: User, person: Person, label: str, date: Any, yearly: bool = True
) -> ImportantDate:
    _require(actor, Right.PARTY_EDIT)
    person = _lock_visible(actor, person)
    errors: dict[str, list[str]] = {}
    label = _text(errors, "label", label, 100, required=True)
    when = _date(errors, "date", date)
    if when is None and "date" not in errors:
        errors["date"] = [_("This field is required.")]
    _raise(errors)
    assert when is not None
    item = ImportantDate.objects.create(person=person, label=label, date=when, yearly=yearly)
    _person_child_audit(actor, "create", item, person)
    return item


@transaction.atomic
def address_create(*, actor: User, person: Person, data: Mapping[str, Any]) -> Address:
    _require(actor, Right.PARTY_EDIT)
    person = _lock_visible(actor, person)
    errors: dict[str, list[str]] = {}
    kind = _choice(errors, "kind", data.get("kind") or Address.Kind.HOME, Address.Kind)
    values = {
        name: _text(errors, name, data.get(name), limit)
        for name, limit in (("postcode", 12), ("region", 100), ("city", 100), ("street", 300))
    }
    if not any(values.values()):
        errors.setdefault("city", []).append(_("Enter at least a city or a street."))
    _raise(errors)
    address = Address.objects.create(person=person, kind=kind, **values)
    _person_child_audit(actor, "create", address, person)
    return address
