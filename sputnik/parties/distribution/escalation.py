"""Escalation of leads that wait too long: a task for the centre head and a mark.

Run every few minutes by the Huey periodic task in tasks.py, and safe to run twice or
at once on two machines: each escalation is a row unique per (assignment, reason), and
only the run that inserts it creates the head's task, in the same transaction.

A lead is an assignment that is current and not yet contacted. "Contacted" is a call or
note on the timeline at or after the assignment (read through the activities
selectors); once seen, `contacted_at` is filled and the lead leaves the working set.
Leads older than LOOKBACK are left alone: escalating a lead from last quarter helps
nobody, and it keeps each run's work bounded. The pass is set-based (see
escalate_overdue): it never loads the leads that are neither contacted nor due.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q, Subquery
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
BATCH = 200


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


def _due(
    network: tuple[dt.timedelta, dt.timedelta],
    per_centre: dict[int, tuple[dt.timedelta, dt.timedelta]],
    now: dt.datetime,
) -> tuple[Q, Q]:
    """(unassigned and due, assigned and due) as conditions, each centre by its own times."""
    overridden = list(per_centre)
    unassigned = Q(owner__isnull=True, assigned_at__lte=now - network[0]) & ~Q(
        centre_id__in=overridden
    )
    uncontacted = Q(owner__isnull=False, assigned_at__lte=now - network[1]) & ~Q(
        centre_id__in=overridden
    )
    for centre_id, (ua, uc) in per_centre.items():
        unassigned |= Q(centre_id=centre_id, owner__isnull=True, assigned_at__lte=now - ua)
        uncontacted |= Q(centre_id=centre_id, owner__isnull=False, assigned_at__lte=now - uc)
    return unassigned, uncontacted


def escalate_overdue(*, now: dt.datetime | None = None, batch: int = BATCH) -> EscalationRun:
    """One pass over the open leads: settle contacted ones, escalate the overdue.

    Set-based, so a pass costs about what its two reads cost in raw SQL however many leads
    wait: one UPDATE settles every lead with a call or note after its assignment, and one
    SELECT returns only the leads that are due and not yet escalated for that reason.
    """
    from sputnik.activities.tasks_selectors import contacts_after

    now = now or timezone.now()
    run = EscalationRun()
    network, per_centre = _thresholds()
    if not network.escalation_enabled:
        return run
    default = (
        dt.timedelta(minutes=network.unassigned_after_minutes),
        dt.timedelta(minutes=network.uncontacted_after_minutes),
    )
    open_leads = ProspectAssignment.objects.filter(
        is_current=True, contacted_at__isnull=True, assigned_at__gte=now - LOOKBACK
    )
    contact = contacts_after(OuterRef("person_id"), OuterRef("assigned_at"))
    run.contacted = open_leads.filter(Exists(contact)).update(
        contacted_at=Subquery(
            contact.order_by().values("person_id").annotate(last=Max("occurred_at")).values("last")
        )
    )
    run.resolved += Escalation.objects.filter(
        resolved_at__isnull=True, assignment__contacted_at__isnull=False
    ).update(resolved_at=now)
    unassigned, uncontacted = _due(default, per_centre, now)
    for reason, due in (
        (Escalation.Reason.UNASSIGNED, unassigned),
        (Escalation.Reason.UNCONTACTED, uncontacted),
    ):
        already = Escalation.objects.filter(assignment=OuterRef("pk"), reason=reason)
        leads = (
            open_leads.filter(due)
            .filter(~Exists(already))
            .select_related("person", "owner")
            .order_by("assigned_at", "id")
        )
        while True:
            page = list(leads[:batch])
            run.examined += len(page)
            run.escalated += sum(_escalate(lead, reason, now) for lead in page)
            if len(page) < batch:
                break
    # A lead that got a manager since is no longer "unassigned".
    run.resolved += Escalation.objects.filter(
        resolved_at__isnull=True,
        reason=Escalation.Reason.UNASSIGNED,
        assignment__owner__isnull=False,
    ).update(resolved_at=now)
    log.info("escalation run: %s", run)
    return run
