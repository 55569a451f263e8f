"""Escalation of leads that wait too long: a task for the centre head and a mark.

Run every few minutes by the Huey periodic task in tasks.py, and safe to run twice or
at once on two machines: each escalation is a row unique per (assignment, reason), and
only the run that inserts it creates the head's task, in the same transaction.

A lead is an assignment that is current and not yet contacted. "Contacted" is a call or
note on the timeline at or after the assignment (read through the activities
selectors); once seen, `contacted_at` is filled and the lead leaves the working set.
Leads older than LOOKBACK are left alone: escalating a lead from last quarter helps
nobody, and it keeps each run's work bounded.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sputnik.core.models import User
from sputnik.core.roles import Role
from sputnik.parties.models import (
    CentreDistributionSettings,
    DistributionSettings,
    Escalation,
    ProspectAssignment,
)

log = logging.getLogger(__name__)
LOOKBACK = dt.timedelta(days=30)
BATCH = 500


@dataclass
class EscalationRun:
    examined: int = 0
    contacted: int = 0
    escalated: int = 0
    resolved: int = 0


def _thresholds() -> tuple[DistributionSettings, dict[int, tuple[dt.timedelta, dt.timedelta]]]:
    network = DistributionSettings.current()
    per_centre = {
        s.centre_id: (
            dt.timedelta(minutes=s.unassigned_after_minutes or network.unassigned_after_minutes),
            dt.timedelta(minutes=s.uncontacted_after_minutes or network.uncontacted_after_minutes),
        )
        for s in CentreDistributionSettings.objects.all()
    }
    return network, per_centre


def centre_head(centre_id: int) -> User | None:
    return (
        User.objects.filter(centre_id=centre_id, role=Role.CENTRE_HEAD, is_active=True)
        .order_by("pk")
        .first()
    )


def _escalate(lead: ProspectAssignment, reason: str, now: dt.datetime) -> bool:
    """Insert the escalation and the head's task together; False when it already exists."""
    from sputnik.activities.services import task_create
    from sputnik.core.services import system_actor

    head = centre_head(lead.centre_id)
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                assignment=lead,
                person_id=lead.person_id,
                centre_id=lead.centre_id,
                reason=reason,
                head=head,
                created_at=now,
            )
            if head is not None:
                person = lead.person
                with translation.override(head.language or "ru"):
                    if reason == Escalation.Reason.UNASSIGNED:
                        title = _("Lead without a manager: %(name)s") % {
                            "name": person.display_name
                        }
                    else:
                        title = _("Lead not contacted: %(name)s") % {"name": person.display_name}
                    since = timezone.localtime(lead.assigned_at).strftime("%d.%m.%Y %H:%M")
                    description = _("Assigned %(since)s; manager: %(owner)s.") % {
                        "since": since,
                        "owner": lead.owner.display_name if lead.owner else "—",
                    }
                task = task_create(
                    actor=system_actor(),
                    assignee=head,
                    title=title,
                    person_id=lead.person_id,
                    kind="escalation",
                    due_at=now + dt.timedelta(hours=1),
                    description=description,
                )
                Escalation.objects.filter(pk=escalation.pk).update(task_id=task.pk)
    except IntegrityError:
        return False  # escalated already, by an earlier or a concurrent run
    return True


def escalate_overdue(*, now: dt.datetime | None = None, batch: int = BATCH) -> EscalationRun:
    """One pass over the open leads: settle contacted ones, escalate the overdue."""
    from sputnik.activities.tasks_selectors import last_contacts

    now = now or timezone.now()
    run = EscalationRun()
    network, per_centre = _thresholds()
    if not network.escalation_enabled:
        return run
    default = (
        dt.timedelta(minutes=network.unassigned_after_minutes),
        dt.timedelta(minutes=network.uncontacted_after_minutes),
    )
    shortest = min([*default, *(t for pair in per_centre.values() for t in pair)])
    open_leads = ProspectAssignment.objects.filter(
        is_current=True,
        contacted_at__isnull=True,
        assigned_at__gte=now - LOOKBACK,
        assigned_at__lte=now - shortest,
    ).order_by("assigned_at", "id")
    last_key: tuple[dt.datetime, int] | None = None
    while True:
        page = open_leads
        if last_key is not None:
            page = page.filter(assigned_at__gte=last_key[0]).exclude(
                assigned_at=last_key[0], id__lte=last_key[1]
            )
        leads = list(page.select_related("person", "owner")[:batch])
        if not leads:
            break
        last_key = (leads[-1].assigned_at, leads[-1].pk)
        run.examined += len(leads)
        contacts = last_contacts(
            [lead.person_id for lead in leads], since=min(lead.assigned_at for lead in leads)
        )
        settled: list[ProspectAssignment] = []
        for lead in leads:
            last = contacts.get(lead.person_id)
            if last is not None and last >= lead.assigned_at:
                lead.contacted_at = last
                settled.append(lead)
                continue
            unassigned_after, uncontacted_after = per_centre.get(lead.centre_id, default)
            waited = now - lead.assigned_at
            if lead.owner_id is None and waited >= unassigned_after:
                run.escalated += _escalate(lead, Escalation.Reason.UNASSIGNED, now)
            elif lead.owner_id is not None and waited >= uncontacted_after:
                run.escalated += _escalate(lead, Escalation.Reason.UNCONTACTED, now)
        if settled:
            # One statement per page, not one per lead: half the leads settle on a busy day.
            ProspectAssignment.objects.bulk_update(settled, ["contacted_at"], batch_size=batch)
            run.resolved += Escalation.objects.filter(
                assignment__in=[lead.pk for lead in settled], resolved_at__isnull=True
            ).update(resolved_at=now)
            run.contacted += len(settled)
        if len(leads) < batch:
            break
    # A lead that got a manager since is no longer "unassigned".
    run.resolved += Escalation.objects.filter(
        resolved_at__isnull=True,
        reason=Escalation.Reason.UNASSIGNED,
        assignment__owner__isnull=False,
    ).update(resolved_at=now)
    log.info("escalation run: %s", run)
    return run
