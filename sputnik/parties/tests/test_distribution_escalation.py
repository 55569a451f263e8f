"""Leads left unassigned or uncontacted past their time go to the centre head, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sputnik.activities.models import Interaction, Task
from sputnik.activities.services import call_log, note_create
from sputnik.conftest import make_user
from sputnik.core.roles import Role
from sputnik.core.services import system_actor
from sputnik.parties.distribution.escalation import _escalate, escalate_overdue
from sputnik.parties.models import (
    CentreDistributionSettings,
    DistributionRule,
    DistributionSettings,
    Escalation,
    Person,
    ProspectAssignment,
)
from sputnik.parties.services import person_create
from sputnik.parties.services.distribution import prospect_assign, prospect_distribute

pytestmark = pytest.mark.django_db


def lead(centre, *, hours_ago: float, rule: DistributionRule | None = None) -> ProspectAssignment:
    person = person_create(
        actor=system_actor(),
        data={"last_name": "Ждущий", "first_name": "Лид", "centre_id": centre.pk},
    )
    prospect_distribute(actor=system_actor(), person=person)
    assignment = ProspectAssignment.objects.get(person=person, is_current=True)
    ProspectAssignment.objects.filter(pk=assignment.pk).update(
        assigned_at=timezone.now() - dt.timedelta(hours=hours_ago)
    )
    assignment.refresh_from_db()
    return assignment


@pytest.fixture
def seller(centre_a):
    return make_user("seller", Role.SALES_MANAGER, centre_a)


@pytest.fixture
def to_seller(centre_a, seller):
    return DistributionRule.objects.create(name="А", centre=centre_a)


def test_an_unassigned_lead_past_two_hours_gives_the_head_a_task_and_a_mark(centre_a, head):
    waiting = lead(centre_a, hours_ago=3)
    fresh = lead(centre_a, hours_ago=1)
    run = escalate_overdue()
    assert run.escalated == 1
    escalation = Escalation.objects.get()
    assert (escalation.assignment_id, escalation.reason, escalation.head_id) == (
        waiting.pk,
        Escalation.Reason.UNASSIGNED,
        head.pk,
    )
    task = Task.objects.get(pk=escalation.task_id)
    assert (task.assignee_id, task.person_id, task.kind) == (
        head.pk,
        waiting.person_id,
        "escalation",
    )
    assert "Ждущий" in task.title
    assert not Escalation.objects.filter(assignment=fresh).exists()
    # The task shows on the person's timeline.
    assert Interaction.objects.filter(person_id=waiting.person_id, kind="task").count() == 1


def test_running_the_job_again_or_twice_at_once_escalates_each_lead_once(centre_a, head):
    waiting = lead(centre_a, hours_ago=3)
    escalate_overdue()
    escalate_overdue()
    assert Escalation.objects.count() == 1
    assert Task.objects.filter(kind="escalation").count() == 1
    # A concurrent run that read the lead before the first committed loses on the key.
    assert _escalate(waiting, Escalation.Reason.UNASSIGNED, timezone.now()) is False
    assert Task.objects.filter(kind="escalation").count() == 1


def test_an_assigned_lead_without_a_call_or_note_for_a_day_is_escalated(
    centre_a, head, seller, to_seller
):
    quiet = lead(centre_a, hours_ago=25)
    called = lead(centre_a, hours_ago=25)
    assert quiet.owner_id == called.owner_id == seller.pk
    call_log(actor=seller, person_id=called.person_id, direction="out", outcome="answered")
    run = escalate_overdue()
    assert (run.escalated, run.contacted) == (1, 1)
    assert Escalation.objects.get().reason == Escalation.Reason.UNCONTACTED
    assert Escalation.objects.get().assignment_id == quiet.pk
    called.refresh_from_db()
    assert called.contacted_at is not None


def test_a_note_written_before_the_assignment_does_not_count_as_contact(
    centre_a, head, seller, to_seller
):
    quiet = lead(centre_a, hours_ago=25)
    note = note_create(actor=seller, person_id=quiet.person_id, body="Старая заметка")
    Interaction.objects.filter(pk=note.pk).update(
        occurred_at=quiet.assigned_at - dt.timedelta(minutes=5)
    )
    assert escalate_overdue().escalated == 1


def test_contact_after_escalation_resolves_the_mark(centre_a, head, seller, to_seller):
    quiet = lead(centre_a, hours_ago=25)
    escalate_overdue()
    note_create(actor=seller, person_id=quiet.person_id, body="Дозвонился")
    escalate_overdue()
    assert Escalation.objects.get().resolved_at is not None


def test_assigning_a_manager_resolves_an_unassigned_escalation(centre_a, head, seller):
    waiting = lead(centre_a, hours_ago=3)
    escalate_overdue()
    prospect_assign(actor=head, person=Person.objects.get(pk=waiting.person_id), owner_id=seller.pk)
    escalation = Escalation.objects.get()
    assert escalation.resolved_at is not None


def test_a_centres_own_times_override_the_network_settings(centre_a, centre_b, head, other_head):
    CentreDistributionSettings.objects.create(centre=centre_b, unassigned_after_minutes=30)
    in_a = lead(centre_a, hours_ago=1)
    in_b = lead(centre_b, hours_ago=1)
    escalate_overdue()
    assert list(Escalation.objects.values_list("assignment_id", flat=True)) == [in_b.pk]
    assert Task.objects.get(kind="escalation").assignee_id == other_head.pk
    assert not Escalation.objects.filter(assignment=in_a).exists()


def test_escalation_can_be_switched_off(centre_a, head):
    lead(centre_a, hours_ago=3)
    settings = DistributionSettings.current()
    settings.escalation_enabled = False
    settings.save()
    assert escalate_overdue().escalated == 0
    assert not Escalation.objects.exists()


def test_the_periodic_task_is_registered_for_the_consumer():
    from huey.contrib.djhuey import HUEY

    import sputnik.parties.tasks  # noqa: F401  (what the consumer's autodiscovery imports)

    names = {t.__name__ for t in HUEY._registry._periodic_tasks}
    assert any(name.endswith("escalate_waiting_leads") for name in names)
