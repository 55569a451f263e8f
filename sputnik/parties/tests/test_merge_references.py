"""A merge leaves nothing of the customer behind: every reference to a person, in any app,
is moved to the survivor or deliberately left (merge.PERSON_REFERENCES), and the rows
other apps keep about the merged record follow the survivor through their subscribers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from sputnik.activities.models import Interaction, Task
from sputnik.activities.services import note_create
from sputnik.activities.tasks_services import task_create
from sputnik.core import events
from sputnik.core.models import AuditEntry
from sputnik.core.services import system_actor
from sputnik.marketing.models import FormSubmission
from sputnik.parties.models import (
    DistributionRule,
    Escalation,
    OwnershipConflict,
    Person,
    ProspectAssignment,
    TransferRequest,
)
from sputnik.parties.services import person_create
from sputnik.parties.services.distribution import prospect_distribute
from sputnik.parties.services.merge import (
    LEFT_ON_PURPOSE,
    MOVED_BY_SUBSCRIBER,
    MOVED_HERE,
    PERSON_REFERENCES,
    person_merge,
)

pytestmark = pytest.mark.django_db


def _person_references() -> set[str]:
    """Every column in the project that refers to a person: foreign keys to Person (hidden
    ones and many-to-many tables included) and plain `person_id` / `…_person_id` ids."""
    found: set[str] = set()
    for rel in Person._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and not rel.many_to_many:
            found.add(f"{rel.related_model._meta.label_lower}.{rel.field.name}")  # type: ignore[union-attr]
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if field.is_relation or not isinstance(field, models.IntegerField):
                continue
            if field.name == "person_id" or field.name.endswith("_person_id"):
                found.add(f"{model._meta.label_lower}.{field.name}")
    return found


def test_every_reference_to_a_person_is_moved_or_deliberately_left():
    unlisted = _person_references() - set(PERSON_REFERENCES)
    assert not unlisted, (
        "A new reference to a person: move it on merge (here, or in its app's person.merged "
        f"subscriber) or say why it stays, in merge.PERSON_REFERENCES: {sorted(unlisted)}"
    )


def test_the_list_names_only_references_that_exist_each_with_a_reason():
    assert set(PERSON_REFERENCES) <= _person_references()
    for how, where in PERSON_REFERENCES.values():
        assert how in (MOVED_HERE, MOVED_BY_SUBSCRIBER, LEFT_ON_PURPOSE) and where


def test_every_app_said_to_move_rows_subscribes_to_the_merge():
    subscribed = {handler.__module__ for handler, _after in events._handlers["person.merged"]}
    for how, where in PERSON_REFERENCES.values():
        if how == MOVED_BY_SUBSCRIBER:
            module = "sputnik." + where.split(" ")[0].removesuffix(".py").replace("/", ".")
            assert module in subscribed, where


def _lead(centre, last_name: str) -> Person:
    person = person_create(
        actor=system_actor(),
        data={"last_name": last_name, "first_name": "Лид", "centre_id": centre.pk},
    )
    prospect_distribute(actor=system_actor(), person=person)
    return person


def _escalate(person: Person, head) -> Escalation:
    assignment = ProspectAssignment.objects.get(person=person, is_current=True)
    return Escalation.objects.create(
        assignment=assignment,
        person=person,
        centre_id=assignment.centre_id,
        reason=Escalation.Reason.UNASSIGNED,
        head=head,
    )


def _ask(person: Person, by, to_centre) -> TransferRequest:
    return TransferRequest.objects.create(
        person=person,
        from_centre_id=person.centre_id,
        to_centre=to_centre,
        requested_by=by,
        reason="Клиент звонил нам",
    )


@pytest.fixture
def queue_rule(centre_a):
    return DistributionRule.objects.create(
        name="Очередь", centre=centre_a, strategy=DistributionRule.Strategy.CENTRE_QUEUE
    )


def test_the_merged_leads_distribution_rows_follow_the_survivor_which_keeps_its_own_place(
    queue_rule, centre_a, centre_b, head, other_head, outsider
):
    survivor, merged = _lead(centre_a, "Первый"), _lead(centre_a, "Второй")
    kept = ProspectAssignment.objects.get(person=survivor, is_current=True)
    old = ProspectAssignment.objects.get(person=merged, is_current=True)
    open_on_merged = _escalate(merged, head)
    asked_for_both = _ask(survivor, outsider, centre_b)
    asked_for_merged = _ask(merged, outsider, centre_b)
    refused = OwnershipConflict.objects.create(
        person=merged,
        owner_centre=centre_a,
        attempted_by=outsider,
        attempted_centre=centre_b,
        action=OwnershipConflict.Action.TAKE,
    )

    person_merge(actor=head, survivor=survivor, merged=merged)

    assert list(ProspectAssignment.objects.filter(person=survivor, is_current=True)) == [kept]
    old.refresh_from_db()
    assert old.person_id == survivor.pk and not old.is_current  # history, kept
    open_on_merged.refresh_from_db()
    assert open_on_merged.person_id == survivor.pk and open_on_merged.resolved_at is not None
    asked_for_merged.refresh_from_db()
    assert asked_for_merged.person_id == survivor.pk
    assert asked_for_merged.status == TransferRequest.Status.CANCELLED  # one ask is enough
    asked_for_both.refresh_from_db()
    assert asked_for_both.status == TransferRequest.Status.PENDING
    refused.refresh_from_db()
    assert refused.person_id == survivor.pk
    # Nothing was left for the safety net that re-points what no one moved.
    entry = AuditEntry.objects.filter(entity="parties.person", entity_id=survivor.pk).latest("id")
    assert "moved_elsewhere" not in entry.after


def test_a_lead_merged_into_a_record_without_one_carries_its_assignment_and_escalation(
    queue_rule, centre_a, head, owner
):
    survivor = person_create(actor=owner, data={"last_name": "Клиент", "first_name": "Давний"})
    merged = _lead(centre_a, "Новый")
    escalation = _escalate(merged, head)

    person_merge(actor=head, survivor=survivor, merged=merged)

    current = ProspectAssignment.objects.get(person=survivor, is_current=True)
    assert current.centre_id == centre_a.pk
    escalation.refresh_from_db()
    assert escalation.person_id == survivor.pk and escalation.resolved_at is None


def test_tasks_timeline_and_lead_form_submissions_follow_the_survivor(
    owner, person, marketer, centre_a
):
    from sputnik.marketing.services import leadform_create

    merged = person_create(actor=owner, data={"last_name": "Иванов", "first_name": "Серёжа"})
    task = task_create(
        actor=owner,
        assignee=owner,
        title="Перезвонить",
        person_id=merged.pk,
        due_at=timezone.now() + dt.timedelta(days=1),
    )
    note_create(actor=owner, person_id=merged.pk, body="Интересовался пикапом")
    form = leadform_create(
        actor=marketer,
        data={
            "name": "Обратный звонок",
            "fields": [
                {"key": "first_name", "required": True, "label_ru": "", "label_en": ""},
                {"key": "phone", "required": True, "label_ru": "", "label_en": ""},
            ],
            "consents": [{"purpose": "personal_data", "channel": "any", "required": True}],
            "consent_text_ru": "Я согласен на обработку персональных данных.",
            "allowed_origins": ["https://dealer.example"],
            "target_centre_id": centre_a.pk,
        },
    )
    submission = FormSubmission.objects.create(form=form, person_id=merged.pk)
    merged_id = merged.pk

    person_merge(actor=owner, survivor=person, merged=merged)

    assert Task.objects.get(pk=task.pk).person_id == person.pk
    assert not Interaction.objects.filter(person_id=merged_id).exists()
    assert Interaction.objects.filter(person_id=person.pk, body="Интересовался пикапом").exists()
    assert FormSubmission.objects.get(pk=submission.pk).person_id == person.pk
    entry = AuditEntry.objects.filter(entity="parties.person", entity_id=person.pk).latest("id")
    assert "moved_elsewhere" not in entry.after


def test_the_trail_of_the_merged_record_keeps_its_own_id(owner, person):
    merged = person_create(actor=owner, data={"last_name": "Иванов", "first_name": "Серёжа"})
    merged_id = merged.pk
    person_merge(actor=owner, survivor=person, merged=merged)
    actions = set(
        AuditEntry.objects.filter(subject_person_id=merged_id).values_list("action", flat=True)
    )
    assert actions == {"create", "delete"}  # created, then merged away: left on purpose
