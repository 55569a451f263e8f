"""Huey tasks of the documents app (found by djhuey's autodiscovery of tasks.py)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task()
def build_export_task(export_id: int) -> None:
    from sputnik.parties.exports.jobs import build_export

    build_export(export_id)


@db_periodic_task(crontab(minute="*/5"))
@lock_task("reconcile-exports")
def reconcile_exports_task() -> None:
    from sputnik.parties.exports.jobs import reconcile_exports

    reconcile_exports()
