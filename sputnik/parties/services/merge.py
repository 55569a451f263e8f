"""Merging two person records that are one customer: `person_merge`.

The contract with other apps (domain event ``person.merged``)
-------------------------------------------------------------
Inside the merge transaction, after the parties app has moved its own records and
before the merged person is deleted, the service calls::

    publish("person.merged", survivor_id=<int>, merged_id=<int>, actor=<User>)

synchronously (handlers subscribed without ``after_commit``). Every app that keeps rows
about a person by id moves them from ``merged_id`` to ``survivor_id`` in its handler, in
the same transaction, so the merge commits or rolls back as a whole:
- activities: the timeline (Interaction.person_id, and its copied centre_id) and tasks;
- sales: deals, quotes, orders and their outbox;
- documents: the files kept about the person (documents/handlers.py);
- marketing: lead-form submissions.
A handler must not fail on "nothing to move", must not publish further merge events,
and must drop rows that would become duplicates rather than raise. After the handlers,
any foreign key to Person that is still pointing at the merged person (an app that has
not subscribed yet) is re-pointed here, so the delete never cascades customer data away;
a row that cannot be re-pointed (a unique clash) is a duplicate and is dropped.

Every reference to a person is accounted for in `PERSON_REFERENCES` below: moved here,
moved by a subscriber, or left on purpose (history that must keep the original id). A
test reads the models and fails on a reference that is in none of them.

Rights: the actor needs PARTY_EDIT and must see both records (a hidden one is "not
visible", a 404). Records of two different centres are merged only by a role that sees
every centre and may transfer records (the administrator): the merged customer's data
changes centre. Merging a person with itself is refused; a screen opened before either
record changed is refused as stale (fingerprints); both rows are locked (in id order, so
two merges of overlapping pairs queue instead of deadlocking).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.audit import audit_record, snapshot
from sputnik.core.events import publish
from sputnik.core.models import User
from sputnik.core.normalize import search_key
from sputnik.core.roles import Right, Scope
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import (
    Address,
    Asset,
    CompanyRole,
    Consent,
    ContactPoint,
    DismissedPair,
    DuplicateCluster,
    DuplicatePair,
    Escalation,
    ImportantDate,
    OwnershipConflict,
    Person,
    PersonNameKey,
    ProspectAssignment,
    Relation,
    StageChange,
    TransferRequest,
)
from sputnik.parties.services._common import _m2m_snapshot, _require

# The profile fields the merge screen offers a choice for, in screen order.
MERGE_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "birthday",
    "stage",
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
SURVIVOR, MERGED = "survivor", "merged"


def merge_fingerprint(person: Person) -> str:
    """A digest of what the merge screen shows; a changed record gets another one."""
    person = Person.objects.get(pk=person.pk)
    data = {**snapshot(person), **_m2m_snapshot(person), "updated_at": str(person.updated_at)}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]


@dataclass
class FieldChoice:
    name: str
    survivor_value: Any
    merged_value: Any
    default: str  # SURVIVOR or MERGED

    @property
    def differs(self) -> bool:
        return self.survivor_value != self.merged_value


def merge_choices(survivor: Person, merged: Person) -> list[FieldChoice]:
    """The fields of both records side by side, each with the value kept by default
    (the survivor's, unless it is empty and the merged one is not)."""
    rows = []
    for name in MERGE_FIELDS:
        a, b = getattr(survivor, name), getattr(merged, name)
        rows.append(FieldChoice(name, a, b, MERGED if _empty(a) and not _empty(b) else SURVIVOR))
    for key in sorted(set(survivor.custom or {}) | set(merged.custom or {})):
        a, b = (survivor.custom or {}).get(key), (merged.custom or {}).get(key)
        rows.append(
            FieldChoice(f"custom:{key}", a, b, MERGED if _empty(a) and not _empty(b) else SURVIVOR)
        )
    return rows


def _empty(value: Any) -> bool:
    return value in (None, "", [], {}) or value is False


def _lock_pair(actor: User, survivor_id: int, merged_id: int) -> tuple[Person, Person]:
    rows = {
        p.pk: p
        for p in Person.objects.visible_to(actor)
        .select_for_update()
        .filter(pk__in=[survivor_id, merged_id])
        .order_by("pk")
    }
    if survivor_id not in rows or merged_id not in rows:
        raise AccessDenied("not visible")
    return rows[survivor_id], rows[merged_id]


def _move_contacts(survivor: Person, merged: Person) -> None:
    have = {(c.kind, c.value) for c in survivor.contacts.all()}
    kinds_with_primary = {c.kind for c in survivor.contacts.all() if c.is_primary}
    for contact in merged.contacts.order_by("-is_primary", "id"):
        if (contact.kind, contact.value) in have:
            contact.delete()  # the same phone twice is one phone
            continue
        have.add((contact.kind, contact.value))
        contact.person = survivor
        contact.is_primary = contact.kind not in kinds_with_primary and contact.is_primary
        if contact.is_primary:
            kinds_with_primary.add(contact.kind)
        contact.save(update_fields=["person", "is_primary"])


def _move_unique(
    model: type[models.Model], survivor: Person, merged: Person, same: tuple[str, ...]
) -> None:
    """Re-point a child table's rows, dropping those the survivor already has."""
    have = set(model._default_manager.filter(person=survivor).values_list(*same))
    for row in model._default_manager.filter(person=merged):
        key = tuple(getattr(row, f) for f in same)
        if key in have:
            row.delete()
        else:
            have.add(key)
            model._default_manager.filter(pk=row.pk).update(person=survivor)


def _move_relations(survivor: Person, merged: Person) -> None:
    def exists(a: int, b: int, kind: str) -> bool:
        if Relation.objects.filter(person_id=a, other_id=b, kind=kind).exists():
            return True
        return (
            kind in Relation.SYMMETRIC
            and Relation.objects.filter(person_id=b, other_id=a, kind=kind).exists()
        )

    for rel in Relation.objects.filter(Q(person=merged) | Q(other=merged)).order_by("id"):
        a = survivor.pk if rel.person_id == merged.pk else rel.person_id
        b = survivor.pk if rel.other_id == merged.pk else rel.other_id
        if a == b or exists(a, b, rel.kind):
            rel.delete()  # a relation between the two records, or one already there
        else:
            Relation.objects.filter(pk=rel.pk).update(person_id=a, other_id=b)


def _move_consents(actor: User, survivor: Person, merged: Person) -> list[int]:
    """Move every grant; then a withdrawal on either record wins for its purpose × channel.

    A record's purpose × channel counts as withdrawn when its latest grant is withdrawn
    (a later fresh grant on the same record is a renewed consent). A withdrawal for "any
    channel" withdraws every channel of that purpose. Returns ids of grants withdrawn.
    """
    withdrawn: dict[tuple[str, str], Any] = {}
    for person in (survivor, merged):
        latest: dict[tuple[str, str], Consent] = {}
        for grant in Consent.objects.filter(person=person).order_by("given_at", "id"):
            latest[(grant.purpose, grant.channel)] = grant
        for key, grant in latest.items():
            if grant.withdrawn_at is not None:
                when = withdrawn.get(key)
                withdrawn[key] = max(when, grant.withdrawn_at) if when else grant.withdrawn_at
    Consent.objects.filter(person=merged).update(person=survivor)
    changed: list[int] = []
    now = timezone.now()
    for (purpose, channel), _when in withdrawn.items():
        active = Consent.objects.filter(person=survivor, purpose=purpose, withdrawn_at__isnull=True)
        if channel != Consent.Channel.ANY:
            active = active.filter(channel=channel)
        for grant in active:
            grant.withdrawn_at = now
            grant.withdrawal_source = f"merge: withdrawn on record #{merged.pk}"[:100]
            grant.save(update_fields=["withdrawn_at", "withdrawal_source"])
            audit_record(
                actor=actor,
                action="update",
                instance=grant,
                person_id=survivor.pk,
                before={"withdrawn_at": None},
                after={"withdrawn_at": now, "withdrawal_source": grant.withdrawal_source},
                summary=_("Consent withdrawn by a merge: %(purpose)s · %(channel)s")
                % {"purpose": grant.get_purpose_display(), "channel": grant.get_channel_display()},
            )
            changed.append(grant.pk)
    return changed


def _move_dedup_bookkeeping(actor: User, survivor: Person, merged: Person) -> None:
    """Pairs and dismissals follow the survivor; the merged pair's cluster may close."""
    low, high = sorted((survivor.pk, merged.pk))
    touched = set(
        DuplicatePair.objects.filter(Q(person_a=merged) | Q(person_b=merged)).values_list(
            "cluster_id", flat=True
        )
    )
    DuplicatePair.objects.filter(person_a_id=low, person_b_id=high).update(
        status=DuplicatePair.Status.MERGED
    )
    for pair in DuplicatePair.objects.filter(Q(person_a=merged) | Q(person_b=merged)).exclude(
        person_a_id=low, person_b_id=high
    ):
        other = pair.person_b_id if pair.person_a_id == merged.pk else pair.person_a_id
        a, b = sorted((survivor.pk, other))
        clash = DuplicatePair.objects.filter(
            cluster_id=pair.cluster_id, person_a_id=a, person_b_id=b
        )
        if a == b or clash.exists():
            pair.delete()
        else:
            DuplicatePair.objects.filter(pk=pair.pk).update(person_a_id=a, person_b_id=b)
    for dismissed in DismissedPair.objects.filter(Q(person_a=merged) | Q(person_b=merged)):
        other = (
            dismissed.person_b_id if dismissed.person_a_id == merged.pk else dismissed.person_a_id
        )
        a, b = sorted((survivor.pk, other))
        if a == b or DismissedPair.objects.filter(person_a_id=a, person_b_id=b).exists():
            dismissed.delete()
        else:
            DismissedPair.objects.filter(pk=dismissed.pk).update(person_a_id=a, person_b_id=b)
    # The pair itself goes with the merged person (cascade); its cluster records the outcome.
    now = timezone.now()
    for cluster in DuplicateCluster.objects.filter(pk__in=touched):
        live = DuplicatePair.objects.filter(cluster=cluster).exclude(
            Q(person_a=merged) | Q(person_b=merged)
        )
        members = set(live.values_list("person_a_id", flat=True)) | set(
            live.values_list("person_b_id", flat=True)
        )
        cluster.size = len(members | {survivor.pk})
        if not live.filter(status=DuplicatePair.Status.OPEN).exists():
            cluster.status = DuplicateCluster.Status.MERGED
        cluster.updated_at = now
        cluster.save(update_fields=["size", "status", "updated_at"])


def _move_distribution(survivor: Person, merged: Person) -> None:
    """Assignments, escalations, transfer requests and refused takes follow the survivor.

    A person belongs to one centre at a time, and the survivor keeps its centre: its
    current assignment stays current. The merged record's current assignment carries on
    as the survivor's only when the survivor has none and it is in the survivor's centre;
    otherwise it becomes history, and its open escalations are resolved (the lead they
    were raised about is the survivor now, held where the survivor is). A pending request
    for the merged record by a centre that already asks for the survivor is withdrawn.
    """
    now = timezone.now()
    current = ProspectAssignment.objects.filter(person=survivor, is_current=True).first()
    merged_current = ProspectAssignment.objects.filter(person=merged, is_current=True).first()
    if merged_current is not None and (
        current is not None or merged_current.centre_id != survivor.centre_id
    ):
        ProspectAssignment.objects.filter(pk=merged_current.pk).update(is_current=False)
        Escalation.objects.filter(assignment=merged_current, resolved_at__isnull=True).update(
            resolved_at=now
        )
    ProspectAssignment.objects.filter(person=merged).update(person=survivor)
    Escalation.objects.filter(person=merged).update(person=survivor)
    asked = set(
        TransferRequest.objects.filter(
            person=survivor, status=TransferRequest.Status.PENDING
        ).values_list("to_centre_id", flat=True)
    )
    TransferRequest.objects.filter(
        person=merged, status=TransferRequest.Status.PENDING, to_centre_id__in=asked
    ).update(
        status=TransferRequest.Status.CANCELLED,
        decided_at=now,
        decision_note=_("Withdrawn: the record was merged into #%(id)s") % {"id": survivor.pk},
    )
    TransferRequest.objects.filter(person=merged).update(person=survivor)
    OwnershipConflict.objects.filter(person=merged).update(person=survivor)


# Relations to Person moved above (the person's name keys are rebuilt for the survivor).
_HANDLED = {
    (ContactPoint, "person"),
    (Address, "person"),
    (ImportantDate, "person"),
    (CompanyRole, "person"),
    (Relation, "person"),
    (Relation, "other"),
    (Asset, "person"),
    (Consent, "person"),
    (StageChange, "person"),
    (DuplicatePair, "person_a"),
    (DuplicatePair, "person_b"),
    (DismissedPair, "person_a"),
    (DismissedPair, "person_b"),
    (PersonNameKey, "person"),
    (ProspectAssignment, "person"),
    (Escalation, "person"),
    (TransferRequest, "person"),
    (OwnershipConflict, "person"),
}

MOVED_HERE, MOVED_BY_SUBSCRIBER, LEFT_ON_PURPOSE = "moved here", "subscriber", "left"

# Every column that refers to a person ("app_label.model.field"), and what a merge does
# with it. Foreign keys and plain ids alike (apps keep plain ids of another app's rows).
# tests/test_merge_references.py fails on a reference listed nowhere here.
PERSON_REFERENCES: dict[str, tuple[str, str]] = {
    **{
        f"{model._meta.label_lower}.{field}": (MOVED_HERE, "parties/services/merge.py")
        for model, field in _HANDLED
    },
    # Tags and interests are united (the merged record's rows go with it).
    "parties.person_tags.person": (MOVED_HERE, "parties/services/merge.py"),
    "parties.person_interests.person": (MOVED_HERE, "parties/services/merge.py"),
    "documents.document.person": (MOVED_BY_SUBSCRIBER, "documents/handlers.py"),
    "sales.deal.person": (MOVED_BY_SUBSCRIBER, "sales/handlers.py"),
    "sales.quote.person_id": (MOVED_BY_SUBSCRIBER, "sales/handlers.py"),
    "sales.order.person_id": (MOVED_BY_SUBSCRIBER, "sales/handlers.py"),
    "sales.orderevent.person_id": (
        MOVED_BY_SUBSCRIBER,
        "sales/handlers.py (events not yet sent; a sent one records whom it went to)",
    ),
    "activities.interaction.person_id": (MOVED_BY_SUBSCRIBER, "activities/handlers.py"),
    "activities.task.person_id": (MOVED_BY_SUBSCRIBER, "activities/handlers.py"),
    "marketing.formsubmission.person_id": (MOVED_BY_SUBSCRIBER, "marketing/handlers.py"),
    "core.auditentry.subject_person_id": (
        LEFT_ON_PURPOSE,
        "the trail keeps the id each change was made under; the merge's own entries link "
        "the merged id to the survivor",
    ),
    "parties.importupdate.person_id": (
        LEFT_ON_PURPOSE,
        "what an import changed on that record; undoing the import must not put the merged "
        "record's old values onto the survivor, so undo skips a record that is gone",
    ),
    "sales.savedconfiguration.person_id": (MOVED_BY_SUBSCRIBER, "sales/handlers.py"),
}


def _sweep_remaining(survivor: Person, merged: Person) -> list[str]:
    """Re-point any other foreign key to the merged person (apps without a handler yet)."""
    moved: list[str] = []
    # Hidden reverse relations too (related_name="+" is common here), and the foreign keys
    # of many-to-many through tables; the person's own tags and interests were united.
    own_through = {Person.tags.through, Person.interests.through}
    for rel in Person._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete) or rel.many_to_many:
            continue
        model, field = rel.related_model, rel.field.name  # type: ignore[union-attr]
        if model is None or (model, field) in _HANDLED or model in own_through:
            continue
        rows = model._default_manager.filter(**{field: merged})
        if not rows.exists():
            continue
        try:
            with transaction.atomic():
                count = rows.update(**{field: survivor})
        except IntegrityError:
            count = 0
            for row in rows:
                try:
                    with transaction.atomic():
                        model._default_manager.filter(pk=row.pk).update(**{field: survivor})
                        count += 1
                except IntegrityError:
                    row.delete()  # the survivor already has this row: a duplicate
        moved.append(f"{model._meta.label_lower}.{field}:{count}")
    return moved


def _apply_choices(
    errors: dict[str, list[str]],
    survivor: Person,
    merged: Person,
    choices: Mapping[str, str],
) -> None:
    defaults = {row.name: row for row in merge_choices(survivor, merged)}
    for key, value in choices.items():
        if key not in defaults:
            errors.setdefault(key, []).append(_("Unknown field."))
        elif value not in (SURVIVOR, MERGED):
            errors.setdefault(key, []).append(_("Choose a valid option."))
    if errors:
        return
    custom = dict(survivor.custom or {})
    for name, row in defaults.items():
        pick = choices.get(name, row.default)
        value = row.merged_value if pick == MERGED else row.survivor_value
        if name.startswith("custom:"):
            key = name.removeprefix("custom:")
            if value is None:
                custom.pop(key, None)
            else:
                custom[key] = value
        else:
            setattr(survivor, name, value)
    survivor.custom = custom
    if not survivor.last_name and not survivor.first_name:
        errors.setdefault("last_name", []).append(_("Enter a last name or a first name."))


@transaction.atomic
def person_merge(
    *,
    actor: User,
    survivor: Person,
    merged: Person,
    choices: Mapping[str, str] | None = None,
    fingerprints: Mapping[int, str] | None = None,
) -> Person:
    """Merge `merged` into `survivor` and delete `merged`; returns the survivor.

    `choices` maps a field of MERGE_FIELDS (or "custom:<key>") to "survivor" or "merged":
    whose value the survivor keeps; fields left out keep the survivor's value unless it
    is empty. Contacts, addresses, dates, relations, company roles, assets, consents,
    stage history, tags, interests and custom fields are united; the timeline and other
    apps' records move through the ``person.merged`` event (see the module docstring).
    `fingerprints` ({person id: merge_fingerprint}) refuses a stale screen.
    """
    _require(actor, Right.PARTY_EDIT)
    if survivor.pk == merged.pk:
        raise ValidationError(
            {"merged": [_("A person cannot be merged with themselves.")]}, code="self"
        )
    survivor, merged = _lock_pair(actor, survivor.pk, merged.pk)
    if survivor.centre_id != merged.centre_id and not (
        actor.scope == Scope.ALL and actor.has_right(Right.PARTY_TRANSFER)
    ):
        raise AccessDenied("merge across centres")
    for person in (survivor, merged):
        expected = (fingerprints or {}).get(person.pk)
        if expected is not None and expected != merge_fingerprint(person):
            raise ValidationError(
                {
                    "__all__": [
                        _(
                            "“%(name)s” was changed by someone else after this screen was "
                            "opened. Review the records again and repeat the merge."
                        )
                        % {"name": person.display_name}
                    ]
                },
                code="stale",
            )
    before = {**snapshot(survivor), **_m2m_snapshot(survivor)}
    merged_before = {**snapshot(merged), **_m2m_snapshot(merged)}

    errors: dict[str, list[str]] = {}
    _apply_choices(errors, survivor, merged, choices or {})
    if errors:
        raise ValidationError(errors)

    if survivor.stage != before["stage"]:
        StageChange.objects.create(
            person=survivor,
            from_stage=before["stage"],
            to_stage=survivor.stage,
            actor=actor,
            reason=_("Merged with #%(id)s") % {"id": merged.pk},
        )
    _move_contacts(survivor, merged)
    _move_unique(Address, survivor, merged, ("kind", "postcode", "region", "city", "street"))
    _move_unique(ImportantDate, survivor, merged, ("label", "date"))
    _move_unique(CompanyRole, survivor, merged, ("company_id", "title"))
    _move_relations(survivor, merged)
    merged.assets.update(person=survivor)
    StageChange.objects.filter(person=merged).update(person=survivor)
    withdrawn = _move_consents(actor, survivor, merged)
    survivor.tags.add(*merged.tags.all())
    survivor.interests.add(*merged.interests.all())
    _move_dedup_bookkeeping(actor, survivor, merged)
    _move_distribution(survivor, merged)

    survivor.search_name = search_key(survivor.last_name, survivor.first_name, survivor.middle_name)
    survivor.updated_at = timezone.now()
    # Now holding another record's data, the survivor is no longer only what an import
    # created: undoing that import must not remove it (and what was merged into it).
    survivor.import_batch = None
    survivor.save()

    # Other apps move their rows now, in this transaction (see the contract above).
    publish("person.merged", survivor_id=survivor.pk, merged_id=merged.pk, actor=actor)
    swept = _sweep_remaining(survivor, merged)

    merged_id, merged_name = merged.pk, merged.display_name
    audit_record(
        actor=actor,
        action="delete",
        instance=merged,
        person_id=merged_id,
        before=merged_before,
        after={"merged_into_person_id": survivor.pk},
        summary=_("Merged into #%(id)s %(name)s")
        % {"id": survivor.pk, "name": survivor.display_name},
    )
    merged.delete()

    from sputnik.parties.dedup.names import index_names

    index_names([survivor.pk])
    survivor.refresh_from_db()
    after = {
        **snapshot(survivor),
        **_m2m_snapshot(survivor),
        "merged_person_id": merged_id,
        "merged_person": merged_before,
    }
    if withdrawn:
        after["consents_withdrawn"] = withdrawn
    if swept:
        after["moved_elsewhere"] = swept
    audit_record(
        actor=actor,
        action="update",
        instance=survivor,
        person_id=survivor.pk,
        before=before,
        after=after,
        summary=_("Merged with #%(id)s %(name)s") % {"id": merged_id, "name": merged_name},
    )
    return survivor


# The architecture names the service for parties in general; persons are what merges today.
party_merge = person_merge
