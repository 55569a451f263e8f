"""REST endpoints for tasks: your own list, create, read, change, complete, cancel, and a
person's open tasks. Registered on the activities router (sputnik/activities/api.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Schema, Status

from sputnik.activities import services
from sputnik.activities import tasks_selectors as selectors
from sputnik.activities.api import router
from sputnik.activities.models import Task
from sputnik.core.api import (
    ERRORS,
    DateTime,
    Id,
    InSchema,
    Str300,
    Str5000,
    UserRef,
    actor_of,
    user_ref,
)
from sputnik.core.models import User
from sputnik.parties import selectors as parties


class TaskIn(InSchema):
    assignee_id: Id
    title: Str300
    person_id: Id | None = None
    company_id: Id | None = None
    due_at: DateTime | None = None
    kind: Task.Kind = Task.Kind.FOLLOW_UP
    description: Str5000 = ""


class TaskPatch(InSchema):
    title: Str300 | None = None
    description: Str5000 | None = None
    kind: Task.Kind | None = None
    due_at: DateTime | None = None
    assignee_id: Id | None = None


class TaskOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    status: str
    due_at: dt.datetime | None
    overdue: bool
    assignee: UserRef
    created_by: UserRef | None
    person_id: int | None
    company_id: int | None
    created_at: dt.datetime
    completed_at: dt.datetime | None
    can_change: bool


def task_out(task: Task, actor: User) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "description": task.description,
        "kind": task.kind,
        "status": task.status,
        "due_at": task.due_at,
        "overdue": task.is_overdue,
        "assignee": user_ref(task.assignee),
        "created_by": user_ref(task.created_by),
        "person_id": task.person_id,
        "company_id": task.company_id,
        "created_at": task.created_at,
        "completed_at": task.completed_at,
        "can_change": services.can_change_task(actor, task),
    }


def _fresh(actor: User, task_id: int) -> dict[str, Any]:
    return task_out(selectors.task_get(actor=actor, task_id=task_id), actor)


@router.get(
    "/tasks",
    response={200: list[TaskOut], **ERRORS},
    summary="Your tasks: open ones overdue first, or done / cancelled",
    operation_id="sputnik_activities_api_my_tasks",
)
def my_tasks(
    request: HttpRequest, status: Literal["open", "done", "cancelled"] = "open"
) -> list[dict[str, Any]]:
    actor = actor_of(request)
    return [task_out(t, actor) for t in selectors.my_tasks(actor=actor, status=status)]


@router.post(
    "/tasks",
    response={201: TaskOut, **ERRORS},
    summary="Create a task, optionally about a person or company you see",
    operation_id="sputnik_activities_api_create_task",
)
def create_task(request: HttpRequest, payload: TaskIn) -> Status[Any]:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    actor = actor_of(request)
    assignee = User.objects.filter(pk=payload.assignee_id, is_active=True).first()
    if assignee is None:
        raise ValidationError({"assignee_id": [_("Choose an active user.")]})
    task = services.task_create(
        actor=actor,
        assignee=assignee,
        title=payload.title,
        person_id=payload.person_id,
        company_id=payload.company_id,
        due_at=payload.due_at,
        kind=payload.kind,
        description=payload.description,
    )
    return Status(201, _fresh(actor, task.pk))


@router.get(
    "/tasks/{task_id}",
    response={200: TaskOut, **ERRORS},
    summary="One task",
    operation_id="sputnik_activities_api_get_task",
)
def get_task(request: HttpRequest, task_id: Id) -> dict[str, Any]:
    return _fresh(actor_of(request), task_id)


@router.patch(
    "/tasks/{task_id}",
    response={200: TaskOut, **ERRORS},
    summary="Change an open task",
    operation_id="sputnik_activities_api_update_task",
)
def update_task(request: HttpRequest, task_id: Id, payload: TaskPatch) -> dict[str, Any]:
    actor = actor_of(request)
    services.task_update(actor=actor, task_id=task_id, data=payload.model_dump(exclude_unset=True))
    return _fresh(actor, task_id)


@router.post(
    "/tasks/{task_id}/complete",
    response={200: TaskOut, **ERRORS},
    summary="Mark a task done",
    operation_id="sputnik_activities_api_complete_task",
)
def complete_task(request: HttpRequest, task_id: Id) -> dict[str, Any]:
    actor = actor_of(request)
    services.task_complete(actor=actor, task_id=task_id)
    return _fresh(actor, task_id)


@router.post(
    "/tasks/{task_id}/cancel",
    response={200: TaskOut, **ERRORS},
    summary="Cancel a task",
    operation_id="sputnik_activities_api_cancel_task",
)
def cancel_task(request: HttpRequest, task_id: Id) -> dict[str, Any]:
    actor = actor_of(request)
    services.task_cancel(actor=actor, task_id=task_id)
    return _fresh(actor, task_id)


@router.get(
    "/persons/{person_id}/tasks",
    response={200: list[TaskOut], **ERRORS},
    summary="A person's open tasks",
    operation_id="sputnik_activities_api_person_tasks",
)
def person_tasks(request: HttpRequest, person_id: Id) -> list[dict[str, Any]]:
    actor = actor_of(request)
    person = parties.person_get(actor=actor, person_id=person_id)
    return [task_out(t, actor) for t in selectors.person_tasks(actor=actor, person=person)]
