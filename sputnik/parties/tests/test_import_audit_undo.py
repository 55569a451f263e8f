"""An import leaves one audit entry per record it created or updated, naming the batch,
written set-based (a statement per chunk, not per row); undo is set-based too, audits each
removal, keeps the trail, and lets other apps clean up after all the records at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from sputnik.activities.models import Interaction, Task
from sputnik.activities.services import note_create
from sputnik.activities.tasks_services import task_create
from sputnik.core import events
from sputnik.core.models import AuditEntry
from sputnik.parties.imports import services
from sputnik.parties.imports import undo as import_undo
from sputnik.parties.imports.testing import check, configure, csv_bytes, import_file, upload
from sputnik.parties.imports.work import work
from sputnik.parties.models import Company, ContactPoint, ImportBatch, Person

pytestmark = pytest.mark.django_db

HEADER = ["Фамилия", "Имя", "Отчество", "Телефон"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def people(n: int, *, start: int = 0, middle: str = "") -> bytes:
    rows = [[f"Клиент{i:05d}", "Иван", middle, f"+7903{i:07d}"] for i in range(start, start + n)]
    return csv_bytes([HEADER, *rows])


def _audit_inserts(queries) -> int:
    return sum(
        1
        for q in queries
        if q["sql"].lstrip().upper().startswith("INSERT INTO")
        and AuditEntry._meta.db_table in q["sql"].split("(")[0]
    )


def test_every_person_an_import_creates_has_an_entry_naming_the_batch(owner):
    data = csv_bytes(
        [
            HEADER,
            ["Петрова", "Анна", "Сергеевна", "+79031112233"],
            ["Козлов", "", "Иванович", "+79031112234"],  # no first name: one space, not two
            ["Сидоров", "Пётр", "", "+79031112235"],
        ]
    )
    batch = import_file(owner, data, chunk_rows=2)
    entries = AuditEntry.objects.filter(entity="parties.person", action="create")
    assert entries.count() == 3
    by_person = {e.subject_person_id: e for e in entries}
    for person in Person.objects.all():
        entry = by_person[person.pk]
        assert entry.entity_id == person.pk and entry.actor_id == owner.pk
        assert entry.summary == f"{person.display_name} · import #{batch.pk}"
        assert entry.after == {"import_batch": batch.pk} and entry.before == {}
    assert {e.summary.split(" · ")[0] for e in entries} == {
        "Петрова Анна Сергеевна",
        "Козлов Иванович",
        "Сидоров Пётр",
    }
    # The batch's own entry stays, with its counts.
    assert AuditEntry.objects.filter(entity="parties.importbatch", entity_id=batch.pk).exists()


def test_the_entry_shows_on_the_persons_history_tab(owner):
    batch = import_file(owner, people(1))
    person = Person.objects.get()
    client = Client()
    client.force_login(owner)
    html = client.get(reverse("parties:person_history", args=[person.pk])).content.decode()
    assert f"import #{batch.pk}" in html


def test_a_chunk_audits_its_new_records_in_one_statement_whatever_its_size(owner):
    def queries_for(n: int, start: int) -> list:
        batch = configure(owner, upload(owner, people(n, start=start), name=f"f{n}.csv"))
        services.import_start(actor=owner, batch=batch, enqueue=False)
        with CaptureQueriesContext(connection) as captured:
            work(batch.pk)
        return captured.captured_queries

    small, large = queries_for(20, 0), queries_for(400, 1000)
    assert _audit_inserts(small) == _audit_inserts(large) == 2  # the chunk's, the batch's
    assert len(large) == len(small)
    assert AuditEntry.objects.filter(entity="parties.person", action="create").count() == 420


def test_every_person_an_import_updates_has_an_entry_naming_the_batch(owner):
    import_file(owner, people(30))
    data = csv_bytes(
        [HEADER, *[[f"Клиент{i:05d}", "Иоанн", "", f"+7903{i:07d}"] for i in range(30)]]
    )
    batch = configure(owner, upload(owner, data, name="second.csv"), duplicates="update")
    services.import_start(actor=owner, batch=batch, enqueue=False)
    with CaptureQueriesContext(connection) as captured:
        work(batch.pk)
    entries = AuditEntry.objects.filter(entity="parties.person", action="update")
    assert entries.count() == 30
    for entry in entries:
        assert entry.summary.endswith(f" · import #{batch.pk}")
        assert (entry.before, entry.after) == ({"first_name": "Иван"}, {"first_name": "Иоанн"})
    assert _audit_inserts(captured.captured_queries) == 2  # the chunk's entries, the batch's


def test_a_companies_import_audits_each_company(owner):
    data = csv_bytes([["Название", "ИНН"], ["ООО Ромашка", "7707083893"], ["АО Лютик", ""]])
    batch = import_file(owner, data, entity="company", name="firms.csv")
    entries = AuditEntry.objects.filter(entity="parties.company", action="create")
    assert sorted(e.summary for e in entries) == [
        f"АО Лютик · import #{batch.pk}",
        f"ООО Ромашка · import #{batch.pk}",
    ]
    assert {e.subject_company_id for e in entries} == set(
        Company.objects.values_list("pk", flat=True)
    )
    assert all(e.subject_person_id is None for e in entries)


def test_a_dry_run_writes_no_entries(owner):
    check(owner, configure(owner, upload(owner, people(5))))
    assert not AuditEntry.objects.filter(entity="parties.person").exists()


# --- undo ----------------------------------------------------------------------------------


def _undo(owner, batch: ImportBatch) -> list:
    services.import_undo(actor=owner, batch=batch)
    with CaptureQueriesContext(connection) as captured:
        done = work(batch.pk)
    assert done is not None and done.status == ImportBatch.Status.UNDONE
    return captured.captured_queries


def test_undo_of_a_few_thousand_persons_takes_a_bounded_number_of_statements(owner, monkeypatch):
    monkeypatch.setattr(import_undo, "UNDO_CHUNK", 1_000)
    batch = import_file(owner, people(3_000))
    assert Person.objects.count() == 3_000
    queries = _undo(owner, batch)
    assert Person.objects.count() == 0 and ContactPoint.objects.count() == 0
    # Three chunks of a thousand: a statement or two per table that hangs on a person
    # (SQLite splits a delete by id list at 500 ids; PostgreSQL does not), never one or
    # more per person (that was over 9,000 here).
    assert len(queries) < 300, len(queries)
    batch.refresh_from_db()
    assert batch.counts["_undo"] == {"deleted": 3_000}


def test_undo_audits_each_removal_and_keeps_the_trail(owner):
    batch = import_file(owner, people(4))
    ids = set(Person.objects.values_list("pk", flat=True))
    _undo(owner, batch)
    created = AuditEntry.objects.filter(entity="parties.person", action="create")
    deleted = AuditEntry.objects.filter(entity="parties.person", action="delete")
    assert {e.subject_person_id for e in created} == ids  # kept
    assert {e.subject_person_id for e in deleted} == ids
    for entry in deleted:
        assert entry.summary.endswith(f" · undo of import #{batch.pk}")
        assert entry.before == {"import_batch": batch.pk} and entry.actor_id == owner.pk


def test_undo_lets_other_apps_clean_up_after_all_the_records_at_once(owner):
    batch = import_file(owner, people(3))
    person = Person.objects.order_by("pk").first()
    note_create(actor=owner, person_id=person.pk, body="Звонок")
    task = task_create(
        actor=owner,
        assignee=owner,
        title="Перезвонить",
        person_id=person.pk,
        due_at=timezone.now() + dt.timedelta(days=1),
    )
    _undo(owner, batch)
    assert not Interaction.objects.filter(person_id=person.pk).exists()
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED  # kept for the record, as for one deletion


def test_every_app_that_cleans_up_after_one_deleted_person_also_does_after_many():
    one = {h.__module__ for h, _after in events._handlers["person.deleted"]}
    many = {h.__module__ for h, _after in events._handlers["persons.deleted"]}
    assert one <= many, f"subscribe these to persons.deleted too: {sorted(one - many)}"


def test_undo_restores_updated_persons_in_bulk_and_audits_each(owner, person):
    data = csv_bytes(
        [HEADER, ["Иванов", "Серёжа", "", "+79123456789"], ["Иванов", "Серёжа", "", "+79035550000"]]
    )
    batch = import_file(owner, data, duplicates="update")
    person.refresh_from_db()
    assert person.first_name == "Серёжа"
    _undo(owner, batch)
    person.refresh_from_db()
    assert person.first_name == "Сергей" and person.search_name.startswith("иванов сергей")
    entry = AuditEntry.objects.filter(subject_person_id=person.pk, action="update").latest("id")
    assert entry.summary.endswith(f" · undo of import #{batch.pk}")
    assert (entry.before, entry.after) == ({"first_name": "Серёжа"}, {"first_name": "Сергей"})


def test_undo_removes_contacts_an_update_added_and_says_so(owner, person):
    data = csv_bytes(
        [
            ["Фамилия", "Имя", "Телефон", "E-mail"],
            ["Иванов", "Сергей", "+79123456789", "new@mail.ru"],
        ]
    )
    batch = import_file(owner, data, duplicates="update")
    assert person.contacts.filter(value="new@mail.ru").exists()
    _undo(owner, batch)
    assert not person.contacts.filter(value="new@mail.ru").exists()
    entry = AuditEntry.objects.filter(subject_person_id=person.pk, action="update").latest("id")
    assert entry.before == {"contacts": ["email:new@mail.ru"]} and entry.after == {"contacts": []}


def test_an_interrupted_undo_resumes_where_it_stopped(owner, monkeypatch):
    import contextlib

    from sputnik.parties.imports.work import reconcile

    monkeypatch.setattr(import_undo, "UNDO_CHUNK", 2)
    batch = import_file(owner, people(5))
    real_publish = import_undo.publish
    calls = {"n": 0}

    def flaky(name, **payload):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        real_publish(name, **payload)

    monkeypatch.setattr(import_undo, "publish", flaky)
    services.import_undo(actor=owner, batch=batch)
    with contextlib.suppress(RuntimeError):
        work(batch.pk)
    assert Person.objects.count() == 3  # the first chunk went, the second rolled back
    monkeypatch.setattr("sputnik.parties.imports.work.enqueue", lambda pk: work(pk))
    assert reconcile(stale_after=dt.timedelta(0)) == [batch.pk]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE and batch.counts["_undo"] == {"deleted": 5}
    assert Person.objects.count() == 0
    assert AuditEntry.objects.filter(entity="parties.person", action="delete").count() == 5


def test_every_app_that_follows_one_updated_person_also_follows_many():
    one = {h.__module__ for h, _after in events._handlers["person.updated"]}
    many = {h.__module__ for h, _after in events._handlers["persons.updated"]}
    assert one <= many, f"subscribe these to persons.updated too: {sorted(one - many)}"


def test_an_update_import_writes_all_changed_values_and_reindexes_the_names(owner, person):
    from sputnik.parties.dedup.keys import entry_keys
    from sputnik.parties.models import PersonNameKey

    data = csv_bytes(
        [
            ["Фамилия", "Имя", "Телефон", "Дата рождения", "VIP"],
            ["Иваненко", "Серж", "+79123456789", "03.04.1971", "да"],
        ]
    )
    batch = import_file(owner, data, duplicates="update")
    assert batch.counts["updated"] == 1
    person.refresh_from_db()
    assert (person.last_name, person.first_name) == ("Иваненко", "Серж")
    assert person.birthday == dt.date(1971, 4, 3) and person.is_vip
    assert person.search_name.startswith("иваненко серж")
    keys = set(PersonNameKey.objects.filter(person=person).values_list("key", flat=True))
    assert keys == set(entry_keys("Иваненко", "Серж", person.middle_name))


# --- undo reverts the import, not later work ---------------------------------------------


def test_undo_keeps_a_created_record_that_was_given_a_deal_since(owner):
    from sputnik.sales.services.deals import deal_create

    batch = import_file(owner, people(2))
    busy, idle = Person.objects.order_by("pk")
    deal = deal_create(actor=owner, data={"person_id": busy.pk, "title": "Веста"})
    _undo(owner, batch)
    assert list(Person.objects.values_list("pk", flat=True)) == [busy.pk]
    busy.refresh_from_db()
    deal.refresh_from_db()
    assert busy.import_batch_id is None and deal.person_id == busy.pk
    batch.refresh_from_db()
    assert batch.counts["_undo"]["kept_later_work"] == 1
    assert batch.counts["_undo"]["deleted"] == 1
    removals = AuditEntry.objects.filter(entity="parties.person", action="delete")
    assert [e.entity_id for e in removals] == [idle.pk]


def test_a_merge_survivor_leaves_its_import_so_undo_keeps_what_was_merged_into_it(owner):
    from sputnik.parties.services import person_create
    from sputnik.parties.services.merge import person_merge

    batch = import_file(owner, people(1))
    imported = Person.objects.get()
    twin = person_create(actor=owner, data={"last_name": "Клиент00000", "first_name": "Ваня"})
    note_create(actor=owner, person_id=twin.pk, body="Хочет кредит")
    person_merge(actor=owner, survivor=imported, merged=twin)
    _undo(owner, batch)
    survivor = Person.objects.get()
    assert survivor.pk == imported.pk and survivor.import_batch_id is None
    assert Interaction.objects.filter(person_id=survivor.pk, body="Хочет кредит").exists()


def test_undo_leaves_contacts_that_a_merge_moved_to_another_record(owner, person):
    from sputnik.parties.services import person_create
    from sputnik.parties.services.merge import person_merge

    data = csv_bytes(
        [["Фамилия", "Имя", "Телефон", "E-mail"], ["Иванов", "Сергей", "+79123456789", "a@b.ru"]]
    )
    batch = import_file(owner, data, duplicates="update")
    survivor = person_create(actor=owner, data={"last_name": "Иванов", "first_name": "Сергей"})
    person_merge(actor=owner, survivor=survivor, merged=person)
    _undo(owner, batch)
    assert survivor.contacts.filter(value="a@b.ru").exists()


def test_undo_puts_back_the_value_from_before_two_rows_updated_one_record(owner, person):
    data = csv_bytes(
        [
            ["Фамилия", "Имя", "Телефон", "E-mail"],
            ["Иванов", "Второе", "+79123456789", ""],  # matched by phone
            ["Иванов", "Третье", "", "sergey.ivanov@example.ru"],  # the same one by e-mail
        ]
    )
    batch = import_file(owner, data, duplicates="update", chunk_rows=1)
    person.refresh_from_db()
    assert person.first_name == "Третье"
    _undo(owner, batch)
    person.refresh_from_db()
    assert person.first_name == "Сергей"
