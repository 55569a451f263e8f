"""Task pages: "My tasks" (overdue first), a new task (personal or about a person),
changing, completing and cancelling one.

A task the actor may not see is a 404 like a missing id; one they see but may not change
is a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sputnik.activities import services
from sputnik.activities import tasks_selectors as selectors
from sputnik.activities.models import Task
from sputnik.activities.tasks_forms import TaskForm
from sputnik.core.models import User
from sputnik.core.roles import Right
from sputnik.parties.selectors import person_get, visible_persons
from sputnik.web.access import acting_user, require_right, service_errors, visible_or_404
from sputnik.web.forms import apply_service_errors

STATUSES = (Task.Status.OPEN, Task.Status.DONE, Task.Status.CANCELLED)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = str(request.POST.get("next") or request.GET.get("next") or "")
    return target if target.startswith("/") and not target.startswith("//") else default


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    status = str(request.GET.get("status") or Task.Status.OPEN)
    if status not in STATUSES:
        status = Task.Status.OPEN
    tasks = selectors.my_tasks(actor=actor, status=status)
    # Names of the persons the tasks are about, read through the actor's visibility.
    person_ids = {t.person_id for t in tasks if t.person_id}
    names = {
        p.pk: p.display_name
        for p in visible_persons(actor)
        .filter(pk__in=person_ids)
        .only("pk", "last_name", "first_name", "middle_name")
    }
    for task in tasks:
        task.person_name = names.get(task.person_id or 0, "")  # type: ignore[attr-defined]
    return render(
        request,
        "activities/tasks/my_tasks.html",
        {
            "nav": "tasks",
            "tasks": tasks,
            "status": status,
            "statuses": [(s, Task.Status(s).label) for s in STATUSES],
        },
    )


def _save(request: HttpRequest, form: TaskForm, person_id: int | None) -> Task | None:
    actor = acting_user(request)
    if not form.is_valid():
        return None
    assignee = User.objects.filter(pk=form.cleaned_data["assignee"]).first()
    try:
        with service_errors():
            return services.task_create(
                actor=actor,
                assignee=assignee,  # type: ignore[arg-type]
                title=form.cleaned_data["title"],
                person_id=person_id,
                due_at=form.cleaned_data["due_at"],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
            )
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    """A task not about any customer (a personal to-do, or one for a colleague)."""
    actor = acting_user(request)
    require_right(actor, Right.INTERACTION_LOG)
    form = TaskForm(request.POST or None, actor=actor)
    if request.method == "POST" and _save(request, form, None) is not None:
        messages.success(request, _("Task created."))
        return redirect("activities:my_tasks")
    return render(
        request, "activities/tasks/task_form.html", {"nav": "tasks", "form": form, "person": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_task_create(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = acting_user(request)
    person = visible_or_404(person_get, actor=actor, person_id=person_id)
    require_right(actor, Right.INTERACTION_LOG)
    initial: dict[str, Any] = {"assignee": person.owner_id or actor.pk}
    form = TaskForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and _save(request, form, person.pk) is not None:
        messages.success(request, _("Task created."))
        return redirect("parties:person_detail", person_id=person.pk)
    return render(
        request,
        "activities/tasks/task_form.html",
        {"nav": "persons", "form": form, "person": person},
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, task_id: int) -> HttpResponse:
    actor = acting_user(request)
    task = visible_or_404(selectors.task_get, actor=actor, task_id=task_id)
    if not services.can_change_task(actor, task):
        raise PermissionDenied
    initial = {
        "title": task.title,
        "assignee": task.assignee_id,
        "kind": task.kind,
        "due_at": timezone.localtime(task.due_at) if task.due_at else None,
        "description": task.description,
    }
    form = TaskForm(request.POST or None, actor=actor, initial=initial)
    field = form.fields["assignee"]
    if task.assignee_id not in {pk for pk, _name in field.choices}:  # type: ignore[attr-defined]
        field.choices = [(task.assignee_id, task.assignee.display_name), *field.choices]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = {
            "title": form.cleaned_data["title"],
            "kind": form.cleaned_data["kind"],
            "due_at": form.cleaned_data["due_at"],
            "description": form.cleaned_data["description"],
        }
        if form.cleaned_data["assignee"] != task.assignee_id:
            data["assignee_id"] = form.cleaned_data["assignee"]
        try:
            with service_errors():
                services.task_update(actor=actor, task_id=task.pk, data=data)
        except ValidationError as exc:
            apply_service_errors(form, exc, {"assignee_id": "assignee"})
        else:
            messages.success(request, _("Task saved."))
            return redirect(_safe_next(request, "/tasks/"))
    return render(
        request,
        "activities/tasks/task_form.html",
        {"nav": "tasks", "form": form, "person": None, "task": task},
    )


def _close(request: HttpRequest, task_id: int, *, done: bool) -> HttpResponse:
    actor = acting_user(request)
    task = visible_or_404(selectors.task_get, actor=actor, task_id=task_id)
    try:
        with service_errors():
            if done:
                services.task_complete(actor=actor, task_id=task.pk)
            else:
                services.task_cancel(actor=actor, task_id=task.pk)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Task done.") if done else _("Task cancelled."))
    return redirect(_safe_next(request, "/tasks/"))


@login_required
@require_POST
def task_complete(request: HttpRequest, task_id: int) -> HttpResponse:
    return _close(request, task_id, done=True)


@login_required
@require_POST
def task_cancel(request: HttpRequest, task_id: int) -> HttpResponse:
    return _close(request, task_id, done=False)
