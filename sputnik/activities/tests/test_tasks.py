"""Tasks: created, changed, completed and cancelled through audited services; shown to the
assignee and to whoever may see the person; projected onto the person's timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sputnik.activities.models import Interaction, Task
from sputnik.activities.services import (
    task_cancel,
    task_complete,
    task_create,
    task_update,
)
from sputnik.activities.tasks_selectors import my_tasks, open_task_count, visible_tasks
from sputnik.conftest import VISIBILITY_MATRIX
from sputnik.core.models import AuditEntry
from sputnik.parties.errors import AccessDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(person, owner, head):
    return task_create(
        actor=head,
        assignee=owner,
        title="Пригласить на тест-драйв",
        person_id=person.pk,
        due_at=timezone.now() + dt.timedelta(days=1),
        kind="test_drive",
        description="Хочет Prado",
    )


def test_a_task_is_saved_audited_and_shown_on_the_persons_timeline(task, person, owner, head):
    assert (task.assignee, task.created_by, task.person_id) == (owner, head, person.pk)
    assert task.centre_id == person.centre_id and task.status == Task.Status.OPEN
    entry = AuditEntry.objects.get(entity="activities.task", entity_id=task.pk)
    assert (entry.action, entry.subject_person_id, entry.actor_id) == ("create", person.pk, head.pk)
    row = Interaction.objects.get(person_id=person.pk, kind=Interaction.Kind.TASK)
    assert (row.subject, row.data["task_id"], row.data["status"]) == (task.title, task.pk, "open")
    assert row.data["assignee"] == owner.display_name


def test_completing_a_task_stamps_it_and_updates_its_timeline_entry(task, owner, person):
    task_complete(actor=owner, task_id=task.pk)
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.completed_at is not None
    row = Interaction.objects.get(person_id=person.pk, kind=Interaction.Kind.TASK)
    assert row.data["status"] == "done"
    with pytest.raises(ValidationError):
        task_complete(actor=owner, task_id=task.pk)
    assert (
        AuditEntry.objects.filter(
            entity="activities.task", entity_id=task.pk, action="update"
        ).count()
        == 1
    )


def test_changing_a_task_changes_only_what_is_given_and_is_audited(task, owner, person):
    task_update(actor=owner, task_id=task.pk, data={"title": "Позвонить в пятницу"})
    task.refresh_from_db()
    assert task.title == "Позвонить в пятницу" and task.kind == "test_drive"
    entry = AuditEntry.objects.filter(entity="activities.task", action="update").get()
    assert entry.before == {"title": "Пригласить на тест-драйв"}
    assert Interaction.objects.get(kind="task", person_id=person.pk).subject == task.title


def test_bad_input_is_refused_per_field_and_nothing_is_written(person, owner):
    with pytest.raises(ValidationError) as caught:
        task_create(
            actor=owner, assignee=owner, title=" ", person_id=person.pk, kind="nap", due_at="soon"
        )
    assert set(caught.value.message_dict) == {"title", "kind", "due_at"}
    assert not Task.objects.exists()
    assert not Interaction.objects.filter(kind="task").exists()


def test_a_task_cannot_go_to_someone_who_may_not_see_its_person(person, owner, outsider):
    with pytest.raises(ValidationError) as caught:
        task_create(actor=owner, assignee=outsider, title="Позвонить", person_id=person.pk)
    assert "assignee" in caught.value.message_dict
    assert not Task.objects.exists()


def test_a_task_about_a_person_the_creator_does_not_see_is_the_not_visible_refusal(
    person, outsider
):
    with pytest.raises(AccessDenied, match="not visible"):
        task_create(actor=outsider, assignee=outsider, title="Увести", person_id=person.pk)


@pytest.mark.parametrize(("persona", "sees"), VISIBILITY_MATRIX)
def test_a_persons_task_is_visible_exactly_to_who_sees_the_person_and_its_assignee(
    task, persona, sees, request
):
    actor = request.getfixturevalue(persona)
    assert visible_tasks(actor).filter(pk=task.pk).exists() is sees


def test_a_personal_task_is_seen_by_its_assignee_and_creator_only(owner, colleague, head, operator):
    todo = task_create(actor=head, assignee=owner, title="Сдать отчёт")
    assert visible_tasks(owner).filter(pk=todo.pk).exists()
    assert visible_tasks(head).filter(pk=todo.pk).exists()
    assert not visible_tasks(colleague).filter(pk=todo.pk).exists()
    assert not visible_tasks(operator).filter(pk=todo.pk).exists()


def test_only_assignee_creator_head_or_admin_may_change_a_task(task, colleague, advisor, head):
    # The advisor sees the person (centre scope) but is neither assignee nor creator.
    with pytest.raises(AccessDenied) as caught:
        task_cancel(actor=advisor, task_id=task.pk)
    assert caught.value.args[0] == "task.change"
    with pytest.raises(AccessDenied, match="not visible"):
        task_cancel(actor=colleague, task_id=task.pk)
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN
    task_cancel(actor=head, task_id=task.pk)
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED


def test_my_tasks_lists_overdue_first_then_by_due_date_then_undated(owner):
    now = timezone.now()
    later = task_create(
        actor=owner, assignee=owner, title="Позже", due_at=now + dt.timedelta(days=3)
    )
    undated = task_create(actor=owner, assignee=owner, title="Когда-нибудь")
    overdue = task_create(
        actor=owner, assignee=owner, title="Просрочено", due_at=now - dt.timedelta(hours=2)
    )
    soon = task_create(
        actor=owner, assignee=owner, title="Скоро", due_at=now + dt.timedelta(hours=1)
    )
    done = task_create(actor=owner, assignee=owner, title="Сделано")
    task_complete(actor=owner, task_id=done.pk)
    assert [t.pk for t in my_tasks(actor=owner)] == [overdue.pk, soon.pk, later.pk, undated.pk]
    assert overdue.is_overdue and not soon.is_overdue
    assert [t.pk for t in my_tasks(actor=owner, status="done")] == [done.pk]
    assert open_task_count(actor=owner) == 4


def test_tasks_follow_a_merge_and_are_cancelled_when_their_person_is_deleted(
    task, person, owner, head
):
    from sputnik.core.events import publish
    from sputnik.parties.services import person_create, person_delete

    twin = person_create(actor=owner, data={"last_name": "Иванов", "first_name": "Сергей"})
    other = task_create(actor=owner, assignee=owner, title="Уточнить", person_id=twin.pk)
    publish("person.merged", survivor_id=person.pk, merged_id=twin.pk, actor=owner)
    other.refresh_from_db()
    assert other.person_id == person.pk
    person_delete(actor=head, person=person)
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED and task.completed_at is not None
