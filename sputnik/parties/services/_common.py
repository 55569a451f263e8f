"""Helpers the party services share: access and error plumbing, field cleaning,
contacts, tags and interests, placement and row locks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.models import Centre, User
from sputnik.core.normalize import normalize_email, normalize_phone
from sputnik.core.roles import Right, Scope
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import (
    Company,
    ContactPoint,
    Interest,
    Person,
    Tag,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _lock_visible(actor: User, person: Person) -> Person:
    locked = Person.objects.visible_to(actor).select_for_update().filter(pk=person.pk).first()
    if locked is None:
        raise AccessDenied("not visible")
    return locked
