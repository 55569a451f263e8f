"""Large XLSX exports built in the background, with progress and a download link.

The Export row is the source of truth (Huey may lose a task when a worker dies): a job
claims its row with `select_for_update(skip_locked=True)` (queued → running), beats a
heartbeat as it writes chunks, stores the workbook in private storage and marks the row
done. The periodic reconciler re-queues a running export whose heartbeat stopped and
re-sends queued ones nobody took. The job reads with the rights the requester has when
it runs, so a withdrawn right or a transfer in between narrows the file.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation

from sputnik.core.models import User
from sputnik.documents.models import Export
from sputnik.parties.exports.columns import DEFAULT_CHUNK
from sputnik.parties.exports.log import RowCounter, export_finish, export_start
from sputnik.parties.exports.sources import export_source
from sputnik.parties.exports.writers import xlsx_file

log = logging.getLogger(__name__)
STALE_AFTER = dt.timedelta(minutes=10)
RESEND_AFTER = dt.timedelta(minutes=2)


def _enqueue(export_id: int) -> None:
    from sputnik.documents.tasks import build_export_task

    build_export_task(export_id)


def queue_export(
    *, actor: User, entity: str, fmt: str, filters: dict[str, Any], via: str, total: int
) -> Export:
    export = export_start(
        actor, entity, fmt, filters, via, status=Export.Status.QUEUED, total=total
    )
    transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _claim(export_id: int) -> Export | None:
    with transaction.atomic():
        export = (
            Export.objects.select_for_update(skip_locked=True)
            .filter(pk=export_id, status=Export.Status.QUEUED)
            .first()
        )
        if export is None:
            return None  # taken by another worker, done, or gone
        export.status = Export.Status.RUNNING
        export.heartbeat_at = timezone.now()
        export.save(update_fields=["status", "heartbeat_at"])
    return export


def build_export(export_id: int, *, chunk_size: int = DEFAULT_CHUNK) -> None:
    export = _claim(export_id)
    if export is None or export.actor is None:
        return
    counter = RowCounter()

    def progress(n: int) -> None:
        counter(n)
        Export.objects.filter(pk=export.pk).update(rows=counter.rows, heartbeat_at=timezone.now())

    language = export.actor.language or None
    try:
        with translation.override(language):
            source = export_source(
                actor=export.actor,
                entity=export.entity,
                fmt=export.format,
                filters=export.filters,
                chunk_size=chunk_size,
            )
            handle = xlsx_file(
                source.columns, source.chunks, sheet_name=source.sheet_name, on_rows=progress
            )
        with handle:
            name = f"{export.entity}-{timezone.localtime(export.started_at):%Y%m%d-%H%M}.xlsx"
            export.file.save(name, File(handle), save=False)
    except Exception as exc:
        log.exception("export %s failed", export.pk)
        export_finish(export, counter.rows, ok=False, error=str(exc))
        return
    export_finish(export, counter.rows, ok=True)


def reconcile_exports() -> int:
    """Re-queue exports whose worker died and re-send queued ones; how many were sent."""
    now = timezone.now()
    Export.objects.filter(
        status=Export.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER, file=""
    ).update(status=Export.Status.QUEUED)
    waiting = list(
        Export.objects.filter(
            status=Export.Status.QUEUED, started_at__lt=now - RESEND_AFTER
        ).values_list("pk", flat=True)
    )
    for export_id in waiting:
        _enqueue(export_id)
    return len(waiting)
