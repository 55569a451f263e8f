"""Reads of tasks, scoped by the acting user.

A task is visible to its assignee, its creator and anyone who may see the person or
company it is about; a task about a record the actor does not see, and not theirs, is a
404 like a missing id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from sputnik.activities.models import Interaction, Task
from sputnik.core.models import User
from sputnik.core.roles import Role, Scope

CONTACT_KINDS = (Interaction.Kind.CALL, Interaction.Kind.NOTE)


def visible_tasks(actor: User) -> QuerySet[Task]:
    from sputnik.parties.selectors import visible_companies, visible_persons

    if actor is None or not actor.is_authenticated or not actor.is_active:
        return Task.objects.none()
    own = Q(assignee=actor) | Q(created_by=actor)
    if actor.is_superuser or actor.role == Role.ADMIN:
        return Task.objects.all()
    if actor.scope == Scope.ALL:
        # Every customer's tasks, but not colleagues' personal to-dos.
        return Task.objects.filter(own | Q(person_id__isnull=False) | Q(company_id__isnull=False))
    return Task.objects.filter(
        own
        | Q(person_id__in=visible_persons(actor).values("pk"))
        | Q(company_id__in=visible_companies(actor).values("pk"))
    )


def task_get(*, actor: User, task_id: int) -> Task:
    """A task the actor sees, or Task.DoesNotExist."""
    return visible_tasks(actor).select_related("assignee", "created_by").get(pk=task_id)


def my_tasks(*, actor: User, status: str = Task.Status.OPEN, limit: int = 200) -> list[Task]:
    """The actor's own tasks: overdue first, then by due date (undated last), then newest.

    Bounded, not paged: a person's open list is short; done and cancelled lists show the
    most recent `limit`.
    """
    qs = Task.objects.filter(assignee=actor).select_related("assignee", "created_by")
    if status == Task.Status.OPEN:
        now = timezone.now()
        qs = qs.filter(status=Task.Status.OPEN).annotate(
            overdue=Case(
                When(due_at__lt=now, then=Value(0)),
                When(due_at__isnull=True, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        qs = qs.order_by("overdue", "due_at", "-id")
    else:
        qs = qs.filter(status=status).order_by("-completed_at", "-id")
    return list(qs[: max(1, min(limit, 500))])


def open_task_count(*, actor: User, cap: int = 99) -> int:
    """The nav badge: the actor's open tasks, counted up to `cap` + 1 (shown as "99+")."""
    if actor is None or not actor.is_authenticated:
        return 0
    return (
        Task.objects.filter(assignee=actor, status=Task.Status.OPEN).values("pk")[: cap + 1].count()
    )


def open_task_counts(user_ids: Sequence[int]) -> dict[int, int]:
    """Open tasks per assignee: the distribution engine's load measure."""
    rows = (
        Task.objects.filter(assignee_id__in=user_ids, status=Task.Status.OPEN)
        .values("assignee_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["assignee_id"]: r["n"] for r in rows}


def person_tasks(*, actor: User, person: Any, include_closed: bool = False) -> list[Task]:
    """The tasks about a person the caller fetched through a visible selector."""
    qs = Task.objects.filter(person_id=person.pk).select_related("assignee", "created_by")
    if not include_closed:
        qs = qs.filter(status=Task.Status.OPEN)
    return list(qs.order_by("due_at", "-id")[:50])


def last_contacts(person_ids: Sequence[int], *, since: dt.datetime) -> dict[int, dt.datetime]:
    """The latest call or note per person at or after `since` (persons without one absent).

    "Contacted" for distribution means a call or note on the timeline after the lead was
    assigned; one grouped read over the (person_id, occurred_at) timeline index.
    """
    if not person_ids:
        return {}
    from django.db.models import Max

    rows = (
        Interaction.objects.filter(
            person_id__in=list(person_ids), kind__in=CONTACT_KINDS, occurred_at__gte=since
        )
        .values("person_id")
        .annotate(last=Max("occurred_at"))
        .order_by()
    )
    return {r["person_id"]: r["last"] for r in rows if r["person_id"] is not None}


def contacts_after(person_id: Any, since: Any) -> QuerySet[Interaction]:
    """Calls and notes of a person at or after a moment, for set-based reads that correlate
    them with other rows (both arguments may be OuterRef expressions): the escalation pass
    asks Exists(...) of thousands of leads in one statement."""
    return Interaction.objects.filter(
        person_id=person_id, kind__in=CONTACT_KINDS, occurred_at__gte=since
    )
