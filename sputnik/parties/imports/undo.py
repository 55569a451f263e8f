"""Undoing a batch: updated records get their before-values back, created ones go.

Resumable like the run: each step commits with the batch's heartbeat, journal rows are
deleted as they are restored, and created records are found again by their batch.
A field someone changed after the import keeps the newer value: undo reverts the
import, not later work.

Set-based, chunk by chunk, like the run: a chunk of the journal is restored with a
handful of statements (read, contacts out, one bulk update, one insert of audit
entries), and created records go `UNDO_CHUNK` at a time: one INSERT … SELECT audits
their removal, one `persons.deleted` event lets other apps clean up after all of them,
and one delete by id list removes them with what hangs on them. The audit entries of
the records stay: the trail shows they were imported and then undone.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from sputnik.core.audit import jsonable
from sputnik.core.events import publish
from sputnik.core.normalize import search_key
from sputnik.parties.imports.audit import audit_batch_records, update_entry, write_entries
from sputnik.parties.imports.bulk import bulk_set
from sputnik.parties.imports.engine import LostClaim
from sputnik.parties.models import Company, ContactPoint, ImportBatch, Person
from sputnik.parties.models.imports import ImportUpdate

UNDO_CHUNK = 5_000
JOURNAL_CHUNK = 2_000


def _heartbeat(batch: ImportBatch, token: str) -> None:
    if not token:
        return
    held = ImportBatch.objects.filter(pk=batch.pk, claim_token=token).update(
        heartbeat_at=timezone.now()
    )
    if not held:
        raise LostClaim(batch.pk)


def _restore_chunk(batch: ImportBatch, journal: list[ImportUpdate], counts: dict[str, int]) -> None:
    """Put back the before-values of one chunk of the journal, in a few statements."""
    model: type[Person] | type[Company] = Person if batch.entity == "person" else Company
    ids = {int(j.person_id or j.company_id or 0) for j in journal}
    records = {r.pk: r for r in model.objects.select_for_update().filter(pk__in=ids)}
    added = [pk for j in journal for pk in j.added_contact_ids]
    # Only contacts still on the record the import gave them to: a record merged away since
    # passed its contacts to the survivor, and undo does not take them from there.
    holder = "person_id__in" if batch.entity == "person" else "company_id__in"
    points = {
        pk: f"{kind}:{value}"
        for pk, kind, value in ContactPoint.objects.filter(
            pk__in=added, **{holder: list(records)}
        ).values_list("pk", "kind", "value")
    }
    if points:
        ContactPoint.objects.filter(pk__in=list(points)).delete()
    actor = batch.undone_by or batch.created_by
    changed: dict[int, Person | Company] = {}
    entries = []
    for journal_row in journal:
        record = records.get(int(journal_row.person_id or journal_row.company_id or 0))
        if record is None:
            continue  # deleted (or merged away) since: nothing of it to put back
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for name, imported in journal_row.after.items():
            field: Any = model._meta.get_field(name)
            if jsonable(getattr(record, name)) == imported:
                raw = journal_row.before.get(name)
                old = field.to_python(raw) if raw is not None else None
                before[name], after[name] = getattr(record, name), old
                setattr(record, name, old)
            else:
                counts["kept_later_changes"] = counts.get("kept_later_changes", 0) + 1
        removed = [points[pk] for pk in journal_row.added_contact_ids if pk in points]
        if removed:
            before["contacts"], after["contacts"] = removed, []
        if not before:
            continue
        changed[record.pk] = record
        entries.append(
            update_entry(
                batch=batch,
                actor_id=actor.pk if actor else None,
                record=record,
                before=before,
                after=after,
                undo=True,
            )
        )
        counts["restored"] = counts.get("restored", 0) + 1
    if changed:
        now = timezone.now()
        for record in changed.values():
            if isinstance(record, Person):
                record.search_name = search_key(
                    record.last_name, record.first_name, record.middle_name
                )
            else:
                record.search_name = search_key(record.name)
            record.updated_at = now
        fields = sorted({name for j in journal for name in j.after} | {"search_name", "updated_at"})
        bulk_set(model, list(changed.values()), fields)
        write_entries(entries)
        if batch.entity == "person":
            from sputnik.parties.dedup.names import index_names

            index_names(list(changed))  # the restored names are what duplicates match on


def undo_batch(batch: ImportBatch, *, token: str = "") -> dict[str, int]:
    """Revert everything the batch wrote; returns what was done."""
    counts: dict[str, int] = dict(batch.counts.get("_undo", {}))
    while True:
        with transaction.atomic():
            _heartbeat(batch, token)
            # Newest first: a record two rows of the file updated gets the value from
            # before the first of them back.
            journal = list(ImportUpdate.objects.filter(batch=batch).order_by("-id")[:JOURNAL_CHUNK])
            if not journal:
                break
            _restore_chunk(batch, journal, counts)
            ImportUpdate.objects.filter(pk__in=[j.pk for j in journal]).delete()
            _save(batch, counts)
    model: type[Person] | type[Company] = Person if batch.entity == "person" else Company
    event = "persons.deleted" if batch.entity == "person" else "companies.deleted"
    key = "person_ids" if batch.entity == "person" else "company_ids"
    actor = batch.undone_by or batch.created_by
    # The batch's records all have ids from its first one up (see Pass._create): walk the
    # primary key from there instead of scanning the table for the batch's column.
    start = int(batch.counts.get("_first_id", 0))
    while True:
        with transaction.atomic():
            _heartbeat(batch, token)
            walked = list(
                model.objects.filter(import_batch=batch, pk__gte=start)
                .order_by("pk")
                .values_list("pk", flat=True)[:UNDO_CHUNK]
            )
            if not walked:
                break
            start = walked[-1] + 1
            ids = _without_later_work(batch, walked)
            kept = sorted(set(walked) - set(ids))
            if kept:
                # They leave the batch: no removal entry below, no second look on a resume.
                model.objects.filter(pk__in=kept).update(import_batch=None)
                counts["kept_later_work"] = counts.get("kept_later_work", 0) + len(kept)
            if not ids:
                _save(batch, counts)
                continue
            audit_batch_records(
                batch=batch,
                action="delete",
                first_id=ids[0],
                last_id=ids[-1],
                actor_id=actor.pk if actor else None,
            )
            # Other apps clean up after the records (the timeline, tasks, submissions).
            publish(event, **{key: ids}, actor_id=actor.pk if actor else None)
            model.objects.filter(pk__in=ids).delete()
            counts["deleted"] = counts.get("deleted", 0) + len(ids)
            _save(batch, counts)
    return counts


# Work done on a record after its import that undo must not take with it (a cascade would).
LATER_WORK = (("sales", "Deal"), ("documents", "Document"))


def _without_later_work(batch: ImportBatch, ids: list[int]) -> list[int]:
    """The created records undo may remove: not those that have since been given deals or
    documents (undo reverts the import, not later work; they stay, counted as kept)."""
    holder = "person_id__in" if batch.entity == "person" else "company_id__in"
    column = "person_id" if batch.entity == "person" else "company_id"
    busy: set[int] = set()
    for app_label, model_name in LATER_WORK:
        model = apps.get_model(app_label, model_name)
        busy.update(model._default_manager.filter(**{holder: ids}).values_list(column, flat=True))
    return [pk for pk in ids if pk not in busy]


def _save(batch: ImportBatch, counts: dict[str, int]) -> None:
    batch.counts = {**batch.counts, "_undo": counts}
    batch.heartbeat_at = timezone.now()
    batch.save(update_fields=["counts", "heartbeat_at"])
