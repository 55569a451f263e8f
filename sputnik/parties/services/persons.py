"""Writes on persons: create, update, stage, transfer, delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core import custom_fields
from sputnik.core.audit import audit_record, snapshot
from sputnik.core.events import publish
from sputnik.core.models import Centre, User
from sputnik.core.normalize import search_key
from sputnik.core.roles import Right, Scope
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import (
    Company,
    FamilyStatus,
    Person,
    Source,
    Stage,
    StageChange,
)
from sputnik.parties.services._common import (
    _as_pk,
    _choice,
    _clean_contacts,
    _clean_interests,
    _clean_tags,
    _date,
    _lock_visible,
    _m2m_snapshot,
    _raise,
    _replace_contacts,
    _require,
    _resolve_placement,
    _submitted_kinds,
    _tags_for,
    _text,
)

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
