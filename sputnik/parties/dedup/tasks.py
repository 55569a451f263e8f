"""Huey task of the batch duplicate run (registered through sputnik/parties/tasks.py)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from sputnik.parties.models import DedupRun

__all__ = ["dedup_run_task"]


@db_task()
def dedup_run_task(run_id: int) -> None:
    """Run a queued duplicate search; the run row reports progress and its outcome."""
    from sputnik.parties.dedup.job import run_dedup

    run = DedupRun.objects.filter(pk=run_id, status=DedupRun.Status.QUEUED).first()
    if run is None:  # already taken by another worker, or cancelled
        return
    run_dedup(run=run)
