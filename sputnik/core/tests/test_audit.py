"""Every change of customer data leaves one audit entry: who, what, before and after."""

from __future__ import annotations

import pytest

from sputnik.core.audit import audit_record, snapshot
from sputnik.core.models import AuditEntry
from sputnik.parties.selectors import person_history
from sputnik.parties.services import (
    company_create,
    company_update,
    person_change_stage,
    person_create,
    person_delete,
    person_transfer,
    person_update,
)


def entries(**filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**filters).order_by("id"))


def test_creating_a_person_writes_one_entry_with_the_actor_and_values(owner):
    person = person_create(actor=owner, data={"last_name": "Орлов", "phones": ["89123456789"]})
    [entry] = entries(entity="parties.person")
    assert (entry.action, entry.actor, entry.entity_id, entry.subject_person_id) == (
        "create",
        owner,
        person.pk,
        person.pk,
    )
    assert entry.before == {}
    assert entry.after["last_name"] == "Орлов"
    assert entry.after["contacts"] == ["phone:+79123456789"]
    assert entry.summary == "Орлов"


def test_an_update_records_only_the_changed_fields(person, owner):
    person_update(
        actor=owner,
        person=person,
        data={"job_title": "Пилот", "last_name": "Иванов", "phones": ["+7 912 345-67-89"]},
    )
    [entry] = entries(entity="parties.person", action="update")
    assert entry.actor == owner and entry.subject_person_id == person.pk
    assert entry.before == {"job_title": ""}
    assert entry.after == {"job_title": "Пилот"}
    assert entry.changes() == [("job_title", "", "Пилот")]


def test_an_update_that_changes_nothing_writes_no_entry(person, owner):
    before = AuditEntry.objects.count()
    person_update(
        actor=owner,
        person=person,
        data={
            "last_name": "Иванов",
            "first_name": "Сергей",
            "phones": ["8 (912) 345-67-89"],
            "emails": ["sergey.ivanov@example.ru"],
        },
    )
    person_update(actor=owner, person=person, data={})
    assert AuditEntry.objects.count() == before


def test_a_company_update_that_changes_nothing_writes_no_entry(owner):
    company = company_create(actor=owner, data={"name": "ООО Ромашка"})
    before = AuditEntry.objects.count()
    company_update(actor=owner, company=company, data={"name": "ООО Ромашка"})
    assert AuditEntry.objects.count() == before


def test_a_contact_change_is_recorded(person, owner):
    person_update(actor=owner, person=person, data={"phones": ["+74951234567"]})
    [entry] = entries(action="update")
    assert entry.before == {"contacts": ["email:sergey.ivanov@example.ru", "phone:+79123456789"]}
    assert entry.after == {"contacts": ["email:sergey.ivanov@example.ru", "phone:+74951234567"]}


def test_a_stage_change_is_recorded(person, owner):
    person_change_stage(actor=owner, person=person, stage="customer", reason="купил")
    [entry] = entries(action="update")
    assert (entry.before, entry.after, entry.actor) == (
        {"stage": "prospect"},
        {"stage": "customer"},
        owner,
    )


def test_a_transfer_is_its_own_action(person, head, centre_b, other_head):
    person_transfer(actor=head, person=person, centre_id=centre_b.pk, owner_id=other_head.pk)
    [entry] = entries(action="transfer")
    assert entry.actor == head and entry.subject_person_id == person.pk
    assert entry.before == {"centre": person.centre_id, "owner": person.owner_id}
    assert entry.after == {"centre": centre_b.pk, "owner": other_head.pk}


def test_a_delete_keeps_the_last_values_and_the_actor(person, head):
    pk = person.pk
    person_delete(actor=head, person=person)
    [entry] = entries(action="delete")
    assert entry.actor == head and entry.entity_id == pk and entry.subject_person_id == pk
    assert entry.before["last_name"] == "Иванов" and entry.after == {}


def test_a_failed_write_leaves_no_entry(person, owner):
    before = AuditEntry.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - ValidationError; the point is the count
        person_update(actor=owner, person=person, data={"phones": ["мусор"]})
    assert AuditEntry.objects.count() == before


def test_the_history_of_a_person_is_newest_first(person, owner):
    person_update(actor=owner, person=person, data={"job_title": "Первый"})
    person_update(actor=owner, person=person, data={"job_title": "Второй"})
    person_change_stage(actor=owner, person=person, stage="customer")
    page = person_history(actor=owner, person=person)
    actions = [(e.action, e.after.get("job_title"), e.after.get("stage")) for e in page.items]
    assert actions == [
        ("update", None, "customer"),
        ("update", "Второй", None),
        ("update", "Первый", None),
        ("create", "", "prospect"),
    ]
    assert [e.pk for e in page.items] == sorted((e.pk for e in page.items), reverse=True)


def test_the_history_pages_by_keyset(person, owner):
    for i in range(12):
        person_update(actor=owner, person=person, data={"job_title": f"Должность {i}"})
    seen, cursor = [], None
    while True:
        page = person_history(actor=owner, person=person, cursor=cursor, size=5)
        seen += [e.pk for e in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == sorted(set(seen), reverse=True) and len(seen) == 13


def test_the_history_is_not_shown_to_those_who_cannot_see_the_person(person, owner, outsider):
    from sputnik.parties.models import Person

    with pytest.raises(Person.DoesNotExist):
        person_history(actor=outsider, person=person)


def test_snapshot_leaves_out_the_derived_and_bookkeeping_fields(person):
    data = snapshot(person)
    assert "search_name" not in data and "id" not in data and "updated_at" not in data
    assert data["centre"] == person.centre_id


def test_audit_record_of_an_unchanged_update_returns_none(person, owner):
    assert (
        audit_record(actor=owner, action="update", instance=person, before={"a": 1}, after={"a": 1})
        is None
    )
