"""The worker side of a batch: claim it, do what its status asks, finish it; reconcile.

Huey is at-most-once: a killed worker loses its task. The batch row is the source of
truth: a service sets the status (checking, queued, undoing) and enqueues on commit; a
worker claims the row with select_for_update(skip_locked) and a fresh token; every chunk
commits with a heartbeat under that token; the periodic reconciler gives a batch whose
heartbeat went stale to a new worker, which resumes after the last committed row, and
after MAX_ATTEMPTS rolls a half-run import back so no partial batch stays behind.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sputnik.core.audit import audit_record
from sputnik.core.events import publish
from sputnik.parties.imports.engine import BadRowsAbort, LostClaim, Pass
from sputnik.parties.imports.reading import FileProblem
from sputnik.parties.imports.undo import undo_batch
from sputnik.parties.models import ImportBatch

log = logging.getLogger(__name__)

Status = ImportBatch.Status
STALE_AFTER = dt.timedelta(minutes=5)
MAX_ATTEMPTS = 3
WORKABLE = (Status.VALIDATING, Status.QUEUED, Status.RUNNING, Status.UNDOING)


def enqueue(batch_id: int) -> None:
    from sputnik.parties.tasks import import_work_task

    import_work_task(batch_id)


def enqueue_on_commit(batch_id: int) -> None:
    transaction.on_commit(lambda: enqueue(batch_id))


def claim(
    batch_id: int, *, stale_after: dt.timedelta = STALE_AFTER
) -> tuple[ImportBatch, str] | None:
    """Take the batch for this worker, or None if it needs no work or another worker has it."""
    now = timezone.now()
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update(skip_locked=True)
            .select_related("created_by")
            .filter(pk=batch_id, status__in=WORKABLE)
            .filter(Q(claim_token="") | Q(heartbeat_at__lt=now - stale_after))
            .first()
        )
        if batch is None:
            return None
        token = str(uuid.uuid4())
        batch.claim_token = token
        batch.heartbeat_at = now
        batch.attempts += 1
        if batch.status == Status.QUEUED:
            batch.status = Status.RUNNING
            batch.started_at = batch.started_at or now
        batch.save(
            update_fields=["claim_token", "heartbeat_at", "attempts", "status", "started_at"]
        )
    return batch, token


def work(
    batch_id: int,
    *,
    chunk_rows: int | None = None,
    progress: Callable[[ImportBatch], None] | None = None,
) -> ImportBatch | None:
    """Do whatever the batch's status asks. Unexpected errors propagate and leave the
    batch claimed: the reconciler resumes it once its heartbeat is stale."""
    claimed = claim(batch_id)
    if claimed is None:
        return None
    batch, token = claimed
    options = {"chunk_rows": chunk_rows} if chunk_rows else {}
    try:
        if batch.status == Status.VALIDATING:
            Pass(batch, write=False, token=token, progress=progress, **options).execute()
            _finish(batch, token, Status.VALIDATED)
        elif batch.status == Status.RUNNING:
            counts = Pass(batch, write=True, token=token, progress=progress, **options).execute()
            _finish(batch, token, Status.DONE)
            audit_record(
                actor=batch.created_by,
                action="create",
                instance=batch,
                after={k: v for k, v in counts.items() if not k.startswith("_")},
                summary=f"import #{batch.pk}: {batch.file_name}"[:300],
            )
            publish("import.finished", batch_id=batch.pk, entity=batch.entity)
        elif batch.status == Status.UNDOING:
            undo_batch(batch, token=token)
            failed = bool(batch.failure)
            _finish(batch, token, Status.FAILED if failed else Status.UNDONE)
            if not failed:
                audit_record(
                    actor=batch.undone_by or batch.created_by,
                    action="update",
                    instance=batch,
                    before={"status": Status.DONE},
                    after={"status": Status.UNDONE, **batch.counts.get("_undo", {})},
                    summary=f"undo of import #{batch.pk}: {batch.file_name}"[:300],
                )
    except LostClaim:
        log.warning("import %s: claim lost, another worker continues", batch_id)
        return None
    except FileProblem as problem:
        _fail(batch, token, problem.code, problem.params)
    except BadRowsAbort as abort:
        _fail(batch, token, "bad_rows_write_nothing", {"count": abort.count})
    batch.refresh_from_db()
    return batch


def _finish(batch: ImportBatch, token: str, status: str) -> None:
    with transaction.atomic():
        held = ImportBatch.objects.filter(pk=batch.pk, claim_token=token).update(
            status=status,
            claim_token="",
            finished_at=timezone.now(),
            heartbeat_at=timezone.now(),
            **({"undone_at": timezone.now()} if status == Status.UNDONE else {}),
        )
        if not held:
            raise LostClaim(batch.pk)
    batch.refresh_from_db()


def _fail(batch: ImportBatch, token: str, code: str, params: dict) -> None:
    """Stop the batch with a reason; a run that wrote chunks is rolled back first."""
    batch.refresh_from_db()
    if batch.status == Status.RUNNING:
        batch.failure = {"code": code, "params": params}
        batch.save(update_fields=["failure"])
        undo_batch(batch, token=token)
        _finish(batch, token, Status.FAILED)
        return
    if batch.status == Status.VALIDATING:
        ImportBatch.objects.filter(pk=batch.pk, claim_token=token).update(
            failure={"code": code, "params": params}
        )
        _finish(batch, token, Status.FAILED)
        return
    raise RuntimeError(f"import {batch.pk}: {code} while {batch.status}")


def reconcile(*, stale_after: dt.timedelta = STALE_AFTER) -> list[int]:
    """Give batches whose worker went silent (or whose task was lost) to a new worker."""
    now = timezone.now()
    resumed: list[int] = []
    candidates = ImportBatch.objects.filter(status__in=WORKABLE).filter(
        Q(heartbeat_at__lt=now - stale_after) | Q(heartbeat_at__isnull=True)
    )
    for batch_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            batch = (
                ImportBatch.objects.select_for_update(skip_locked=True)
                .filter(pk=batch_id, status__in=WORKABLE)
                .filter(Q(heartbeat_at__lt=now - stale_after) | Q(heartbeat_at__isnull=True))
                .first()
            )
            if batch is None:
                continue
            batch.claim_token = ""
            if batch.attempts >= MAX_ATTEMPTS and batch.status == Status.RUNNING:
                # It keeps dying: roll back what it wrote rather than leave half a batch.
                batch.status = Status.UNDOING
                batch.failure = {"code": "interrupted", "params": {}}
                batch.attempts = 0
            elif batch.attempts >= MAX_ATTEMPTS and batch.status == Status.VALIDATING:
                batch.status = Status.FAILED
                batch.failure = {"code": "interrupted", "params": {}}
            batch.save(update_fields=["claim_token", "status", "failure", "attempts"])
            if batch.status in WORKABLE:
                resumed.append(batch.pk)
    for batch_id in resumed:
        enqueue(batch_id)
    return resumed
