"""Undoing a batch: updated records get their before-values back, created ones go.

Resumable like the run: each step commits with the batch's heartbeat, journal rows are
deleted as they are restored, and created records are found again by their batch.
A field someone changed after the import keeps the newer value: undo reverts the
import, not later work.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from sputnik.core.audit import _jsonable, audit_record
from sputnik.core.events import publish
from sputnik.core.normalize import search_key
from sputnik.parties.imports.engine import LostClaim
from sputnik.parties.models import Company, ContactPoint, ImportBatch, Person
from sputnik.parties.models.imports import ImportUpdate

UNDO_CHUNK = 2_000


def _heartbeat(batch: ImportBatch, token: str) -> None:
    if not token:
        return
    held = ImportBatch.objects.filter(pk=batch.pk, claim_token=token).update(
        heartbeat_at=timezone.now()
    )
    if not held:
        raise LostClaim(batch.pk)


def _restore(batch: ImportBatch, journal: ImportUpdate, counts: dict[str, int]) -> None:
    model: type[Person] | type[Company] = Person if journal.person_id else Company
    pk = int(journal.person_id or journal.company_id or 0)
    obj = model.objects.select_for_update().filter(pk=pk).first()
    if obj is None:
        return
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, imported in journal.after.items():
        field: Any = model._meta.get_field(name)
        if _jsonable(getattr(obj, name)) == imported:
            raw = journal.before.get(name)
            old = field.to_python(raw) if raw is not None else None
            before[name], after[name] = getattr(obj, name), old
            setattr(obj, name, old)
        else:
            counts["kept_later_changes"] = counts.get("kept_later_changes", 0) + 1
    removed = ContactPoint.objects.filter(pk__in=journal.added_contact_ids).delete()[0]
    if after or removed:
        if isinstance(obj, Person):
            obj.search_name = search_key(obj.last_name, obj.first_name, obj.middle_name)
        else:
            obj.search_name = search_key(obj.name)
        obj.updated_at = timezone.now()
        obj.save()
        audit_record(
            actor=batch.undone_by or batch.created_by,
            action="update",
            instance=obj,
            person_id=journal.person_id,
            company_id=journal.company_id,
            before=before,
            after=after,
            summary=f"{obj.display_name} · undo of import #{batch.pk}",
        )
        counts["restored"] = counts.get("restored", 0) + 1


def undo_batch(batch: ImportBatch, *, token: str = "") -> dict[str, int]:
    """Revert everything the batch wrote; returns what was done."""
    counts: dict[str, int] = dict(batch.counts.get("_undo", {}))
    while True:
        with transaction.atomic():
            _heartbeat(batch, token)
            journal = list(ImportUpdate.objects.filter(batch=batch).order_by("id")[:200])
            if not journal:
                break
            for entry in journal:
                _restore(batch, entry, counts)
            ImportUpdate.objects.filter(pk__in=[j.pk for j in journal]).delete()
            _save(batch, counts)
    model: type[Person] | type[Company] = Person if batch.entity == "person" else Company
    event = "person.deleted" if batch.entity == "person" else "company.deleted"
    key = "person_id" if batch.entity == "person" else "company_id"
    while True:
        with transaction.atomic():
            _heartbeat(batch, token)
            ids = list(
                model.objects.filter(import_batch=batch).values_list("pk", flat=True)[:UNDO_CHUNK]
            )
            if not ids:
                break
            # Projections of other apps (the timeline) clean up after each record.
            for pk in ids:
                publish(event, **{key: pk}, actor_id=(batch.undone_by or batch.created_by).pk)
            model.objects.filter(pk__in=ids).delete()
            counts["deleted"] = counts.get("deleted", 0) + len(ids)
            _save(batch, counts)
    return counts


def _save(batch: ImportBatch, counts: dict[str, int]) -> None:
    batch.counts = {**batch.counts, "_undo": counts}
    batch.heartbeat_at = timezone.now()
    batch.save(update_fields=["counts", "heartbeat_at"])
