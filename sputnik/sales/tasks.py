"""Huey work of the sales app (found by djhuey's autodiscovery of `<app>.tasks`).

Tasks only call services; the database decides what is due, so a lost or doubled run
does no harm.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="10", hour="0"))
@lock_task("sales.quotes.expire")
def expire_quotes() -> None:
    """Every night: open quotes past their validity become "expired" (on their timeline too)."""
    from sputnik.core.services import system_actor
    from sputnik.sales.services.quotes import quote_expire_due

    quote_expire_due(actor=system_actor())
