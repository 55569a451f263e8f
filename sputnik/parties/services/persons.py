"""Writes on persons, companies and what hangs off them.

Each service: one transaction, the access check, validation with messages per field,
an audit entry and domain events. Views and the API call these and nothing lower.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core import custom_fields
from sputnik.core.audit import audit_record, snapshot
from sputnik.core.events import publish
from sputnik.core.models import Centre, User
from sputnik.core.normalize import normalize_email, normalize_phone, normalize_vin, search_key
from sputnik.core.roles import Right, Scope
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import (
    Address,
    Asset,
    Company,
    CompanyRole,
    ContactPoint,
    FamilyStatus,
    ImportantDate,
    Interest,
    Person,
    Relation,
    Source,
    Stage,
    StageChange,
    Tag,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

PERSON_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "stage",
    "birthday",
    "family_status",
    "job_title",
    "employer_id",
    "wishes",
    "is_vip",
    "source",
    "source_campaign",
    "utm_source",
    "utm_medium",
    "utm_campaign",
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


def _require(actor: User, right: Right) -> None:
    if actor is None or not actor.has_right(right):
        raise AccessDenied(right)


def _text(
    errors: dict[str, list[str]], field: str, value: Any, max_length: int, required: bool = False
) -> str:
    text = _CONTROL.sub("", str(value or "")).strip()
    if required and not text:
        errors.setdefault(field, []).append(_("This field is required."))
    if len(text) > max_length:
        errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": max_length})
    return text


def _choice(errors: dict[str, list[str]], field: str, value: Any, choices: Any) -> str:
    value = "" if value is None else str(value)
    if value not in choices.values:
        errors.setdefault(field, []).append(_("Choose a valid option."))
    return value


def _date(
    errors: dict[str, list[str]], field: str, value: Any, *, past: bool = False
) -> dt.date | None:
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
            errors.setdefault(field, []).append(_("Enter a date as DD.MM.YYYY."))
            return None
    if value.year < 1900 or value.year > 2100:
        errors.setdefault(field, []).append(_("Enter a realistic date."))
        return None
    if past and value > timezone.localdate():
        errors.setdefault(field, []).append(_("The date cannot be in the future."))
        return None
    return value


# --- contacts ---------------------------------------------------------------


def _clean_contacts(
    errors: dict[str, list[str]],
    *,
    phones: Iterable[Any] | None,
    emails: Iterable[Any] | None,
    handles: Iterable[Any] | None,
) -> list[ContactPoint] | None:
    """Validate submitted contacts into unsaved ContactPoints (None: leave as they are)."""
    if phones is None and emails is None and handles is None:
        return None
    result: list[ContactPoint] = []
    seen: set[tuple[str, str]] = set()

    def entries(items: Iterable[Any] | None) -> list[Mapping[str, Any]]:
        out: list[Mapping[str, Any]] = []
        for item in items or []:
            out.append(item if isinstance(item, Mapping) else {"value": item})
        return out

    for kind, items, normalise in (
        (ContactPoint.Kind.PHONE, entries(phones), normalize_phone),
        (ContactPoint.Kind.EMAIL, entries(emails), normalize_email),
    ):
        field = "phones" if kind == ContactPoint.Kind.PHONE else "emails"
        for i, item in enumerate(items):
            raw = str(item.get("value") or "").strip()
            if not raw:
                continue
            try:
                value = normalise(raw)
            except ValidationError as exc:
                errors.setdefault(f"{field}.{i}", []).extend(exc.messages)
                continue
            if (kind, value) in seen:
                continue
            seen.add((kind, value))
            result.append(
                ContactPoint(
                    kind=kind,
                    value=value,
                    label=_CONTROL.sub("", str(item.get("label") or ""))[:50],
                    is_primary=bool(item.get("is_primary")),
                )
            )
    for i, item in enumerate(entries(handles)):
        raw = _CONTROL.sub("", str(item.get("value") or "")).strip()
        if not raw:
            continue
        if len(raw) > 254:
            errors.setdefault(f"handles.{i}", []).append(
                _("At most %(n)d characters.") % {"n": 254}
            )
            continue
        kind = item.get("kind") or ContactPoint.Kind.MESSENGER
        if kind not in (ContactPoint.Kind.MESSENGER, ContactPoint.Kind.SOCIAL):
            errors.setdefault(f"handles.{i}", []).append(_("Choose a valid option."))
            continue
        result.append(
            ContactPoint(
                kind=kind, value=raw, label=_CONTROL.sub("", str(item.get("label") or ""))[:50]
            )
        )
    for kind in (ContactPoint.Kind.PHONE, ContactPoint.Kind.EMAIL):
        same = [c for c in result if c.kind == kind]
        if same and not any(c.is_primary for c in same):
            same[0].is_primary = True
    return result


def _contacts_snapshot(contacts: Iterable[ContactPoint]) -> list[str]:
    return sorted(f"{c.kind}:{c.value}" for c in contacts)


def _submitted_kinds(data: Mapping[str, Any]) -> list[str]:
    """The contact kinds an update replaces: only the lists it was given (None: untouched)."""
    kinds: list[str] = []
    if data.get("phones") is not None:
        kinds.append(ContactPoint.Kind.PHONE)
    if data.get("emails") is not None:
        kinds.append(ContactPoint.Kind.EMAIL)
    if data.get("handles") is not None:
        kinds += [ContactPoint.Kind.MESSENGER, ContactPoint.Kind.SOCIAL]
    return kinds


def _replace_contacts(
    owner: Person | Company, contacts: list[ContactPoint], kinds: list[str] | None = None
) -> None:
    """Replace the owner's contacts of `kinds` (all kinds when None) with `contacts`.

    A partial update that sends only phones must not delete the e-mails.
    """
    existing = owner.contacts.all()
    if kinds is not None:
        existing = existing.filter(kind__in=kinds)
    existing.delete()
    for c in contacts:
        if isinstance(owner, Person):
            c.person = owner
        else:
            c.company = owner
    ContactPoint.objects.bulk_create(contacts)


# --- vocabulary -------------------------------------------------------------


def _clean_interests(
    errors: dict[str, list[str]], values: Iterable[Any] | None
) -> list[Interest] | None:
    if values is None:
        return None
    wanted = {str(v) for v in values if str(v).strip()}
    found = list(Interest.objects.filter(slug__in=wanted, is_active=True))
    ids = [pk for pk in map(_as_pk, wanted) if pk is not None]
    found += [i for i in Interest.objects.filter(pk__in=ids) if i not in found]
    known = {i.slug for i in found} | {str(i.pk) for i in found}
    unknown = wanted - known
    if unknown:
        errors.setdefault("interests", []).append(
            _("Unknown interests: %(names)s.") % {"names": ", ".join(sorted(unknown))[:200]}
        )
    return found


def _clean_tags(errors: dict[str, list[str]], values: Iterable[Any] | None) -> list[str] | None:
    if values is None:
        return None
    names: list[str] = []
    for v in values:
        name = _CONTROL.sub("", str(v)).strip()
        if not name:
            continue
        if len(name) > 50:
            errors.setdefault("tags", []).append(_("At most %(n)d characters.") % {"n": 50})
            continue
        if name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return names


def _tags_for(names: list[str]) -> list[Tag]:
    tags = []
    for name in names:
        tag = Tag.objects.filter(name__iexact=name).first() if name.isascii() else None
        if tag is None:
            tag = Tag.objects.filter(name=name).first() or Tag.objects.create(name=name)
        tags.append(tag)
    return tags


def _m2m_snapshot(person: Person) -> dict[str, Any]:
    return {
        "interests": sorted(i.slug for i in person.interests.all()),
        "tags": sorted(t.name for t in person.tags.all()),
        "contacts": _contacts_snapshot(person.contacts.all()),
    }


# --- persons ----------------------------------------------------------------


def _resolve_placement(
    errors: dict[str, list[str]], actor: User, centre_id: Any, owner_id: Any
) -> tuple[Centre | None, User | None]:
    """Where a new record lives. Only roles that route work may place it elsewhere."""
    may_place = actor.has_right(Right.PARTY_TRANSFER) or actor.scope == Scope.ALL
    centre = None
    if centre_id not in (None, "") and may_place:
        centre = Centre.objects.filter(pk=_as_pk(centre_id) or 0, is_active=True).first()
        if centre is None:
            errors.setdefault("centre_id", []).append(_("Choose a valid centre."))
    elif actor.centre_id:
        centre = actor.centre
    if centre is None and "centre_id" not in errors:
        errors.setdefault("centre_id", []).append(_("Choose a centre."))
    owner: User | None = actor if actor.scope == Scope.OWN else None
    if owner_id not in (None, "") and may_place:
        owner = User.objects.filter(pk=_as_pk(owner_id) or 0, is_active=True).first()
        if owner is None or (centre is not None and owner.centre_id not in (None, centre.pk)):
            errors.setdefault("owner_id", []).append(_("Choose an active user of this centre."))
    elif owner is None and actor.centre_id and centre is not None and actor.centre_id == centre.pk:
        owner = actor
    return centre, owner


def _as_pk(value: Any) -> int | None:
    """A submitted id as an int, or None for anything that is not one (no ValueError later)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None
    text = str(value).strip()
    if text.isascii() and text.isdigit() and len(text) < 19:
        return int(text) or None
    return None


def _clean_person_fields(
    errors: dict[str, list[str]], data: Mapping[str, Any], actor: User
) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name, limit in (
        ("last_name", 100),
        ("first_name", 100),
        ("middle_name", 100),
        ("job_title", 200),
        ("source_campaign", 200),
        ("utm_source", 200),
        ("utm_medium", 200),
        ("utm_campaign", 200),
    ):
        if name in data:
            cleaned[name] = _text(errors, name, data[name], limit)
    if "wishes" in data:
        cleaned["wishes"] = _text(errors, "wishes", data["wishes"], 5000)
    if "stage" in data:
        cleaned["stage"] = _choice(errors, "stage", data["stage"], Stage)
    if "source" in data:
        cleaned["source"] = _choice(errors, "source", data["source"], Source)
    if "family_status" in data:
        cleaned["family_status"] = _choice(
            errors, "family_status", data["family_status"] or "", FamilyStatus
        )
    if "birthday" in data:
        cleaned["birthday"] = _date(errors, "birthday", data["birthday"], past=True)
    if "is_vip" in data:
        # A form or query string sends text: "false", "0", "нет" are no, not a truthy string.
        raw_vip = data["is_vip"]
        if isinstance(raw_vip, str):
            cleaned["is_vip"] = raw_vip.strip().casefold() in {"1", "true", "yes", "on", "да"}
        else:
            cleaned["is_vip"] = bool(raw_vip)
    if "employer_id" in data:
        employer_id = data["employer_id"]
        if employer_id in (None, ""):
            cleaned["employer_id"] = None
        # Only a company the actor sees: the card would show a hidden company's name.
        elif (pk := _as_pk(employer_id)) is None or not Company.objects.visible_to(actor).filter(
            pk=pk
        ).exists():
            errors.setdefault("employer_id", []).append(_("Choose a valid company."))
        else:
            cleaned["employer_id"] = pk
    return cleaned


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def person_create(*, actor: User, data: Mapping[str, Any]) -> Person:
    """Create a person from `data` (fields, phones, emails, handles, interests, tags, custom)."""
    _require(actor, Right.PARTY_CREATE)
    errors: dict[str, list[str]] = {}
    fields = _clean_person_fields(errors, data, actor)
    if not fields.get("last_name") and not fields.get("first_name"):
        errors.setdefault("last_name", []).append(_("Enter a last name or a first name."))
    contacts = (
        _clean_contacts(
            errors,
            phones=data.get("phones"),
            emails=data.get("emails"),
            handles=data.get("handles"),
        )
        or []
    )
    interests = _clean_interests(errors, data.get("interests")) or []
    tags = _clean_tags(errors, data.get("tags")) or []
    centre, owner = _resolve_placement(errors, actor, data.get("centre_id"), data.get("owner_id"))
    try:
        custom = custom_fields.clean_custom("person", data.get("custom"))
    except ValidationError as exc:
        custom = {}
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    _raise(errors)
    person = Person(**fields, centre=centre, owner=owner, custom=custom, created_by=actor)
    person.search_name = search_key(person.last_name, person.first_name, person.middle_name)
    person.save()
    _replace_contacts(person, contacts)
    person.interests.set(interests)
    person.tags.set(_tags_for(tags))
    StageChange.objects.create(person=person, from_stage="", to_stage=person.stage, actor=actor)
    audit_record(
        actor=actor,
        action="create",
        instance=person,
        person_id=person.pk,
        after={**snapshot(person), **_m2m_snapshot(person)},
        summary=person.display_name,
    )
    publish("person.created", person_id=person.pk, centre_id=person.centre_id, actor_id=actor.pk)
    return person


def _lock_visible(actor: User, person: Person) -> Person:
    locked = Person.objects.visible_to(actor).select_for_update().filter(pk=person.pk).first()
    if locked is None:
        raise AccessDenied("not visible")
    return locked


@transaction.atomic
def person_update(*, actor: User, person: Person, data: Mapping[str, Any]) -> Person:
    """Change a person's profile. Centre, owner and timestamps are not changed here."""
    _require(actor, Right.PARTY_EDIT)
    person = _lock_visible(actor, person)
    errors: dict[str, list[str]] = {}
    # A re-submitted unchanged employer stays, even one the editor does not see.
    unchanged_employer = (
        "employer_id" in data
        and person.employer_id is not None
        and (_as_pk(data["employer_id"]) == person.employer_id)
    )
    fields = _clean_person_fields(
        errors,
        {
            k: v
            for k, v in data.items()
            if k in PERSON_FIELDS and not (k == "employer_id" and unchanged_employer)
        },
        actor,
    )
    new_stage = fields.pop("stage", None)
    contacts = _clean_contacts(
        errors, phones=data.get("phones"), emails=data.get("emails"), handles=data.get("handles")
    )
    interests = _clean_interests(errors, data.get("interests"))
    tags = _clean_tags(errors, data.get("tags"))
    custom = person.custom
    if "custom" in data:
        try:
            custom = custom_fields.clean_custom("person", data.get("custom"), current=person.custom)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    merged_names = {k: fields.get(k, getattr(person, k)) for k in ("last_name", "first_name")}
    if not merged_names["last_name"] and not merged_names["first_name"]:
        errors.setdefault("last_name", []).append(_("Enter a last name or a first name."))
    _raise(errors)

    before = {**snapshot(person), **_m2m_snapshot(person)}
    for name, value in fields.items():
        setattr(person, name, value)
    person.custom = custom
    person.search_name = search_key(person.last_name, person.first_name, person.middle_name)
    person.updated_at = timezone.now()
    person.save()
    if contacts is not None:
        _replace_contacts(person, contacts, _submitted_kinds(data))
    if interests is not None:
        person.interests.set(interests)
    if tags is not None:
        person.tags.set(_tags_for(tags))
    if new_stage and new_stage != person.stage:
        _change_stage(actor, person, new_stage, "")
    after = {**snapshot(person), **_m2m_snapshot(person)}
    audit_record(
        actor=actor,
        action="update",
        instance=person,
        person_id=person.pk,
        before=before,
        after=after,
        summary=person.display_name,
    )
    publish("person.updated", person_id=person.pk, centre_id=person.centre_id, actor_id=actor.pk)
    return person


def _change_stage(actor: User, person: Person, stage: str, reason: str) -> None:
    old = person.stage
    person.stage = stage
    person.updated_at = timezone.now()
    person.save(update_fields=["stage", "updated_at"])
    StageChange.objects.create(
        person=person, from_stage=old, to_stage=stage, actor=actor, reason=reason
    )
    publish(
        "person.stage_changed",
        person_id=person.pk,
        centre_id=person.centre_id,
        actor_id=actor.pk,
        from_stage=old,
        to_stage=stage,
        reason=reason,
    )


@transaction.atomic
def person_change_stage(*, actor: User, person: Person, stage: str, reason: str = "") -> Person:
    _require(actor, Right.PARTY_EDIT)
    person = _lock_visible(actor, person)
    errors: dict[str, list[str]] = {}
    stage = _choice(errors, "stage", stage, Stage)
    reason = _text(errors, "reason", reason, 300)
    _raise(errors)
    if stage == person.stage:
        return person
    before = {"stage": person.stage}
    _change_stage(actor, person, stage, reason)
    audit_record(
        actor=actor,
        action="update",
        instance=person,
        person_id=person.pk,
        before=before,
        after={"stage": stage},
        summary=reason or person.display_name,
    )
    return person


@transaction.atomic
def person_transfer(
    *, actor: User, person: Person, centre_id: int, owner_id: int | None = None
) -> Person:
    """Move a person to another centre and/or owner: its own audited action."""
    _require(actor, Right.PARTY_TRANSFER)
    person = _lock_visible(actor, person)
    errors: dict[str, list[str]] = {}
    centre = Centre.objects.filter(pk=_as_pk(centre_id) or 0, is_active=True).first()
    if centre is None:
        errors["centre_id"] = [_("Choose a valid centre.")]
    if actor.scope != Scope.ALL and centre is not None and person.centre_id != actor.centre_id:
        raise AccessDenied("transfer")
    owner = None
    if owner_id is not None:
        owner = User.objects.filter(pk=_as_pk(owner_id) or 0, is_active=True, centre=centre).first()
        if owner is None:
            errors["owner_id"] = [_("Choose an active user of this centre.")]
    _raise(errors)
    before = {"centre": person.centre_id, "owner": person.owner_id}
    person.centre = centre  # type: ignore[assignment]
    person.owner = owner
    person.updated_at = timezone.now()
    person.save(update_fields=["centre", "owner", "updated_at"])
    audit_record(
        actor=actor,
        action="transfer",
        instance=person,
        person_id=person.pk,
        before=before,
        after={"centre": person.centre_id, "owner": person.owner_id},
        summary=person.display_name,
    )
    publish(
        "person.transferred", person_id=person.pk, centre_id=person.centre_id, actor_id=actor.pk
    )
    return person


@transaction.atomic
def person_delete(*, actor: User, person: Person) -> None:
    _require(actor, Right.PARTY_DELETE)
    person = _lock_visible(actor, person)
    before = {**snapshot(person), **_m2m_snapshot(person)}
    pk = person.pk
    audit_record(
        actor=actor,
        action="delete",
        instance=person,
        person_id=pk,
        before=before,
        summary=person.display_name,
    )
    publish("person.deleted", person_id=pk, actor_id=actor.pk)
    person.delete()


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


@transaction.atomic
def company_role_create(
    *, actor: User, person: Person, company: Company, title: str
) -> CompanyRole:
    _require(actor, Right.PARTY_EDIT)
    person = _lock_visible(actor, person)
    if not Company.objects.visible_to(actor).filter(pk=company.pk).exists():
        raise AccessDenied("not visible")
    errors: dict[str, list[str]] = {}
    title = _text(errors, "title", title, 200, required=True)
    _raise(errors)
    role, _created = CompanyRole.objects.get_or_create(person=person, company=company, title=title)
    _person_child_audit(actor, "create", role, person)
    return role


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
