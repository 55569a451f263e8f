"""Background work of the parties app (Huey).

Tasks only hand a row id to the code that owns the work; the database row is the
source of truth (see imports/work.py), so a lost task is found again by the reconciler.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def import_work_task(batch_id: int) -> None:
    from sputnik.parties.imports.work import work

    work(batch_id)


@db_periodic_task(crontab(minute="*"))
def import_reconcile_task() -> None:
    from sputnik.parties.imports.work import reconcile

    reconcile()


# Areas with their own packages register their tasks by import (one line per area).
from sputnik.parties.dedup.tasks import *  # noqa: E402, F403

# Distribution's periodic escalation (registered on import; see distribution/tasks.py).
from sputnik.parties.distribution.tasks import escalate_waiting_leads  # noqa: E402, F401
