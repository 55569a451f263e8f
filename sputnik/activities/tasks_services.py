"""Writes on tasks: create, change, complete, cancel.

Re-exported by sputnik.activities.services, which is where callers import them from.
Each service: one transaction, the access check, validation with messages per field,
an audit entry and a domain event (the timeline shows tasks through its handler).

Who may change a task: its assignee, its creator, the head of its centre and an
administrator (`can_change_task`, pure, so lists decide buttons without a query).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.activities.models import Task
from sputnik.activities.tasks_selectors import visible_tasks
from sputnik.core.audit import audit_record, snapshot
from sputnik.core.events import publish
from sputnik.core.models import User
from sputnik.core.roles import Right, Role
from sputnik.parties.errors import AccessDenied

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_AUDITED = [
    "assignee",
    "person_id",
    "company_id",
    "title",
    "description",
    "kind",
    "due_at",
    "status",
]


def _text(errors: dict[str, list[str]], field: str, value: Any, limit: int, required: bool) -> str:
    text = _CONTROL.sub("", str(value or "")).strip()
    if required and not text:
        errors.setdefault(field, []).append(_("This field is required."))
    if len(text) > limit:
        errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": limit})
    return text


def _due(errors: dict[str, list[str]], value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            errors.setdefault("due_at", []).append(_("Enter a valid date and time."))
            return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(18, 0))
    if not isinstance(value, dt.datetime) or not 2000 <= value.year <= 2100:
        errors.setdefault("due_at", []).append(_("Enter a valid date and time."))
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _kind(errors: dict[str, list[str]], value: Any) -> str:
    kind = str(value or "")
    if kind not in Task.Kind.values:
        errors.setdefault("kind", []).append(_("Choose a valid option."))
    return kind


def _subject(actor: User, person_id: int | None, company_id: int | None) -> tuple[Any, Any]:
    """The person and company the task is about, read as the actor sees them."""
    from sputnik.parties.models import Company, Person
    from sputnik.parties.selectors import company_get, person_get

    person = company = None
    if person_id is not None:
        try:
            person = person_get(actor=actor, person_id=person_id)
        except Person.DoesNotExist as exc:
            raise AccessDenied("not visible") from exc
    if company_id is not None:
        try:
            company = company_get(actor=actor, company_id=company_id)
        except Company.DoesNotExist as exc:
            raise AccessDenied("not visible") from exc
    return person, company


def _check_assignee(
    errors: dict[str, list[str]], assignee: Any, person: Any, company: Any
) -> User | None:
    """An active user who may see what the task is about (else the task would show them
    a customer's name they are not allowed to read)."""
    from sputnik.parties.selectors import visible_companies, visible_persons

    if not isinstance(assignee, User) or not assignee.is_active:
        errors.setdefault("assignee", []).append(_("Choose an active user."))
        return None
    if person is not None and not visible_persons(assignee).filter(pk=person.pk).exists():
        errors.setdefault("assignee", []).append(
            _("%(user)s cannot see this person; choose someone of the person's centre.")
            % {"user": assignee.display_name}
        )
    if company is not None and not visible_companies(assignee).filter(pk=company.pk).exists():
        errors.setdefault("assignee", []).append(
            _("%(user)s cannot see this company.") % {"user": assignee.display_name}
        )
    return assignee


def _publish(name: str, task: Task, actor: User) -> None:
    publish(
        name,
        task_id=task.pk,
        person_id=task.person_id,
        company_id=task.company_id,
        centre_id=task.centre_id,
        actor_id=actor.pk,
    )


@transaction.atomic
def task_create(
    *,
    actor: User,
    assignee: User,
    title: str,
    person_id: int | None = None,
    company_id: int | None = None,
    due_at: dt.datetime | None = None,
    kind: str = Task.Kind.FOLLOW_UP,
    description: str = "",
) -> Task:
    """Give `assignee` a task, optionally about a person or company the actor sees."""
    if actor is None or not actor.has_right(Right.INTERACTION_LOG):
        raise AccessDenied(Right.INTERACTION_LOG)
    person, company = _subject(actor, person_id, company_id)
    errors: dict[str, list[str]] = {}
    cleaned_title = _text(errors, "title", title, 300, required=True)
    cleaned_description = _text(errors, "description", description, 5000, required=False)
    cleaned_kind = _kind(errors, kind)
    due = _due(errors, due_at)
    _check_assignee(errors, assignee, person, company)
    if errors:
        raise ValidationError(errors)
    centre_id = (
        getattr(person, "centre_id", None)
        or getattr(company, "centre_id", None)
        or assignee.centre_id
    )
    task = Task.objects.create(
        assignee=assignee,
        person_id=person.pk if person is not None else None,
        company_id=company.pk if company is not None else None,
        centre_id=centre_id,
        title=cleaned_title,
        description=cleaned_description,
        kind=cleaned_kind,
        due_at=due,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="create",
        instance=task,
        person_id=task.person_id,
        company_id=task.company_id,
        after=snapshot(task, _AUDITED),
        summary=_("Task: %(title)s") % {"title": task.title},
    )
    _publish("task.created", task, actor)
    return task


def can_change_task(actor: User | None, task: Task) -> bool:
    """Assignee, creator, the head of the task's centre, or an administrator."""
    if actor is None or not actor.is_active:
        return False
    if actor.is_superuser or actor.role == Role.ADMIN:
        return True
    if task.assignee_id == actor.pk or (task.created_by_id and task.created_by_id == actor.pk):
        return True
    return (
        actor.role == Role.CENTRE_HEAD
        and actor.centre_id is not None
        and actor.centre_id == task.centre_id
    )


def _changeable(actor: User, task_id: int) -> Task:
    """The task, locked; "not visible" (404) when hidden, a plain refusal (403) when the
    actor sees it but may not change it."""
    task = visible_tasks(actor).select_for_update().filter(pk=task_id).first()
    if task is None:
        raise AccessDenied("not visible")
    if not can_change_task(actor, task):
        raise AccessDenied("task.change")
    return task


@transaction.atomic
def task_update(*, actor: User, task_id: int, data: Mapping[str, Any]) -> Task:
    """Change an open task's title, description, kind, due time or assignee
    (`assignee_id`). Only the keys present in `data` change; others are an error."""
    task = _changeable(actor, task_id)
    errors: dict[str, list[str]] = {}
    allowed = {"title", "description", "kind", "due_at", "assignee_id"}
    for key in data:
        if key not in allowed:
            errors.setdefault(key, []).append(_("This field cannot be changed here."))
    if task.status != Task.Status.OPEN:
        errors.setdefault("status", []).append(_("Only an open task can be changed."))
    changes: dict[str, Any] = {}
    if "title" in data:
        changes["title"] = _text(errors, "title", data["title"], 300, required=True)
    if "description" in data:
        changes["description"] = _text(errors, "description", data["description"], 5000, False)
    if "kind" in data:
        changes["kind"] = _kind(errors, data["kind"])
    if "due_at" in data:
        changes["due_at"] = _due(errors, data["due_at"])
    if "assignee_id" in data:
        from sputnik.parties.services._common import _as_pk

        new = User.objects.filter(pk=_as_pk(data["assignee_id"]) or 0).first()
        person, company = _subject(actor, task.person_id, task.company_id)
        if new is None:
            errors.setdefault("assignee", []).append(_("Choose an active user."))
        else:
            _check_assignee(errors, new, person, company)
            changes["assignee"] = new
    if errors:
        raise ValidationError(errors)
    before = snapshot(task, _AUDITED)
    for name, value in changes.items():
        setattr(task, name, value)
    task.updated_at = timezone.now()
    task.save()
    audit_record(
        actor=actor,
        action="update",
        instance=task,
        person_id=task.person_id,
        company_id=task.company_id,
        before=before,
        after=snapshot(task, _AUDITED),
        summary=_("Task: %(title)s") % {"title": task.title},
    )
    _publish("task.changed", task, actor)
    return task


def _close(actor: User, task_id: int, status: str) -> Task:
    task = _changeable(actor, task_id)
    if task.status != Task.Status.OPEN:
        raise ValidationError({"status": [_("This task is already closed.")]})
    before = snapshot(task, ["status", "completed_at"])
    task.status = status
    task.completed_at = timezone.now()
    task.updated_at = task.completed_at
    task.save(update_fields=["status", "completed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="update",
        instance=task,
        person_id=task.person_id,
        company_id=task.company_id,
        before=before,
        after=snapshot(task, ["status", "completed_at"]),
        summary=_("Task: %(title)s") % {"title": task.title},
    )
    _publish("task.changed", task, actor)
    return task


@transaction.atomic
def task_complete(*, actor: User, task_id: int) -> Task:
    return _close(actor, task_id, Task.Status.DONE)


@transaction.atomic
def task_cancel(*, actor: User, task_id: int) -> Task:
    return _close(actor, task_id, Task.Status.CANCELLED)
