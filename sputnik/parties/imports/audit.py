"""The audit trail of an import: one entry per record it created, updated or undid.

A million-row import cannot afford a Python round trip per entry, so the entries of a
chunk's new (or undone) records are written by one INSERT … SELECT from the records
themselves, in the chunk's transaction: the server reads the rows it has just written,
nothing crosses the wire but the statement. Entries of updated records differ per row
(before and after values) and go in as one multi-row insert per chunk.

Every entry names the batch: the summary reads "<name> · import #<id>", and the
structured values carry `import_batch` (the record's own field) with the batch's id.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.audit import jsonable
from sputnik.core.models import AuditEntry
from sputnik.parties.models import Company, ImportBatch, Person


def import_label(batch: ImportBatch) -> str:
    return _("import #%(id)s") % {"id": batch.pk}


def undo_label(batch: ImportBatch) -> str:
    return _("undo of import #%(id)s") % {"id": batch.pk}


def _name_sql(entity: str) -> str:
    """The record's display name in SQL (Person.display_name: non-empty parts, one space)."""
    if entity == "company":
        return "r.name"
    # An empty middle part leaves two spaces, an empty first or last one a space at an end.
    return "TRIM(REPLACE(r.last_name || ' ' || r.first_name || ' ' || r.middle_name, '  ', ' '))"


def audit_batch_records(
    *,
    batch: ImportBatch,
    action: str,
    first_id: int,
    last_id: int,
    actor_id: int | None,
) -> int:
    """One entry per record of `batch` with an id from `first_id` to `last_id`, written by
    one statement; returns how many. `action` is "create" (after the chunk's records are
    written) or "delete" (before an undo removes them).

    The id range keeps the statement small and on the primary key; the batch condition
    leaves out any other writer's record whose id fell inside the range.
    """
    model: type[Person] | type[Company] = Person if batch.entity == "person" else Company
    label = import_label(batch) if action == AuditEntry.Action.CREATE else undo_label(batch)
    values = json.dumps({"import_batch": batch.pk})
    before, after = ("{}", values) if action == AuditEntry.Action.CREATE else (values, "{}")
    subject = "r.id, NULL" if batch.entity == "person" else "NULL, r.id"
    json_param = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    sql = (
        f"INSERT INTO {AuditEntry._meta.db_table} "
        "(at, actor_id, action, entity, entity_id, subject_person_id, subject_company_id, "
        "summary, before, after) "
        f"SELECT %s, %s, %s, %s, r.id, {subject}, "
        f"SUBSTR({_name_sql(batch.entity)} || %s, 1, 300), {json_param}, {json_param} "
        f"FROM {model._meta.db_table} r "
        "WHERE r.import_batch_id = %s AND r.id >= %s AND r.id <= %s"
    )
    params: list[Any] = [
        connection.ops.adapt_datetimefield_value(timezone.now()),
        actor_id,
        action,
        model._meta.label_lower,
        f" · {label}",
        before,
        after,
        batch.pk,
        first_id,
        last_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def update_entry(
    *,
    batch: ImportBatch,
    actor_id: int | None,
    record: Person | Company,
    before: dict[str, Any],
    after: dict[str, Any],
    undo: bool = False,
) -> AuditEntry:
    """An unsaved entry for one updated record; the caller inserts a chunk's entries at once."""
    is_person = isinstance(record, Person)
    label = undo_label(batch) if undo else import_label(batch)
    return AuditEntry(
        actor_id=actor_id,
        action=AuditEntry.Action.UPDATE,
        entity=record._meta.label_lower,
        entity_id=record.pk,
        subject_person_id=record.pk if is_person else None,
        subject_company_id=None if is_person else record.pk,
        summary=f"{record.display_name} · {label}"[:300],
        before=jsonable(before),
        after=jsonable(after),
    )


def write_entries(entries: list[AuditEntry]) -> None:
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
