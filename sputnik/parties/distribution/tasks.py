"""Huey periodic work of distribution. Loaded by the consumer through sputnik/parties/tasks.py.

The task only calls the job; the database decides what is due and keeps it idempotent
(see escalation.py), so a lost or doubled run does no harm.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from sputnik.parties.distribution.escalation import escalate_overdue


@db_periodic_task(crontab(minute="*/5"))
@lock_task("parties.distribution.escalate")
def escalate_waiting_leads() -> None:
    """Every five minutes: leads unassigned or uncontacted past their time go to the head."""
    escalate_overdue()
