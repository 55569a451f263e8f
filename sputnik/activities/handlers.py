"""The timeline is a projection of domain events published by other apps."""

from __future__ import annotations

from typing import Any

from sputnik.activities.models import Interaction
from sputnik.core.events import subscribe


@subscribe("person.stage_changed")
def on_stage_changed(
    *,
    person_id: int,
    centre_id: int,
    actor_id: int | None,
    from_stage: str,
    to_stage: str,
    reason: str = "",
    **_: Any,
) -> None:
    Interaction.objects.create(
        person_id=person_id,
        centre_id=centre_id,
        actor_id=actor_id,
        kind=Interaction.Kind.STAGE_CHANGE,
        body=reason,
        data={"from": from_stage, "to": to_stage},
    )


@subscribe("person.deleted")
def on_person_deleted(*, person_id: int, **_: Any) -> None:
    Interaction.objects.filter(person_id=person_id).delete()


@subscribe("persons.deleted")
def on_persons_deleted(*, person_ids: list[int], **_: Any) -> None:
    """Many persons deleted at once (an import undone): their timelines go, and open tasks
    about them are cancelled, as `person.deleted` does for one; a statement each."""
    from django.utils import timezone

    from sputnik.activities.models import Task

    Interaction.objects.filter(person_id__in=person_ids).delete()
    now = timezone.now()
    Task.objects.filter(person_id__in=person_ids, status=Task.Status.OPEN).update(
        status=Task.Status.CANCELLED, completed_at=now, updated_at=now
    )


@subscribe("person.merged")
def on_person_merged(*, survivor_id: int, merged_id: int, **_: Any) -> None:
    """The merged record's timeline becomes the survivor's (same transaction as the merge)."""
    from sputnik.parties.models import Person

    centre_id = Person.objects.filter(pk=survivor_id).values_list("centre_id", flat=True).first()
    Interaction.objects.filter(person_id=merged_id).update(
        person_id=survivor_id, centre_id=centre_id
    )


def _task_entry_data(task_id: int) -> tuple[Any, dict[str, Any]]:
    from sputnik.activities.models import Task

    task = Task.objects.select_related("assignee").get(pk=task_id)
    return task, {
        "task_id": task.pk,
        "status": task.status,
        "task_kind": task.kind,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "assignee_id": task.assignee_id,
        "assignee": task.assignee.display_name,
    }


@subscribe("task.created")
def on_task_created(*, task_id: int, person_id: int | None, **_: Any) -> None:
    """A task about a person shows on their timeline, kept in step with the task."""
    if person_id is None:
        return
    task, data = _task_entry_data(task_id)
    Interaction.objects.create(
        person_id=person_id,
        company_id=task.company_id,
        centre_id=task.centre_id,
        actor_id=task.created_by_id,
        kind=Interaction.Kind.TASK,
        occurred_at=task.created_at,
        subject=task.title,
        body=task.description,
        data=data,
    )


@subscribe("task.changed")
def on_task_changed(*, task_id: int, person_id: int | None, **_: Any) -> None:
    if person_id is None:
        return
    task, data = _task_entry_data(task_id)
    # One timeline row per task: its person's task rows, then the one carrying this id.
    Interaction.objects.filter(
        person_id=person_id, kind=Interaction.Kind.TASK, data__task_id=task.pk
    ).update(subject=task.title, body=task.description, data=data)


@subscribe("person.merged")
def on_person_merged_tasks(*, survivor_id: int, merged_id: int, **_: Any) -> None:
    """Tasks about the merged record are about the survivor now."""
    from sputnik.activities.models import Task

    Task.objects.filter(person_id=merged_id).update(person_id=survivor_id)


@subscribe("person.deleted")
def on_person_deleted_tasks(*, person_id: int, **_: Any) -> None:
    """Open tasks about a deleted customer cannot be done: cancelled, kept for the record."""
    from django.utils import timezone

    from sputnik.activities.models import Task

    now = timezone.now()
    Task.objects.filter(person_id=person_id, status=Task.Status.OPEN).update(
        status=Task.Status.CANCELLED, completed_at=now, updated_at=now
    )
