"""The export log: every export is a documents.Export row with an audit entry at its
start and at its end (who exported which list with which filter, how many rows)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from sputnik.core.audit import audit_record
from sputnik.core.models import User
from sputnik.documents.models import Export


class RowCounter:
    def __init__(self) -> None:
        self.rows = 0

    def __call__(self, n: int) -> None:
        self.rows += n


def export_start(
    actor: User,
    entity: str,
    fmt: str,
    filters: dict[str, Any],
    via: str,
    *,
    status: str = Export.Status.RUNNING,
    total: int | None = None,
) -> Export:
    with transaction.atomic():
        export = Export.objects.create(
            actor=actor,
            entity=entity,
            format=fmt,
            filters=filters,
            via=via,
            status=status,
            total=total,
        )
        audit_record(
            actor=actor,
            action="create",
            instance=export,
            after={"entity": entity, "format": fmt, "filters": filters, "via": via},
            summary=f"export {entity} {fmt}",
        )
    return export


def export_finish(export: Export, rows: int, ok: bool, *, error: str = "") -> None:
    before = {"rows": 0, "status": export.status}
    export.rows = rows
    export.status = Export.Status.DONE if ok else Export.Status.FAILED
    export.finished_at = timezone.now()
    export.error = error[:300]
    with transaction.atomic():
        export.save(update_fields=["rows", "status", "finished_at", "error", "file"])
        audit_record(
            actor=export.actor,
            action="update",
            instance=export,
            before=before,
            after={"rows": rows, "status": export.status},
            summary=f"export {export.entity} {export.format}: {rows}",
        )
