"""Import services: policies, idempotency, undo, dry run, crash and resume, visibility, rights."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from sputnik.core.models import AuditEntry
from sputnik.parties.errors import AccessDenied
from sputnik.parties.imports import services
from sputnik.parties.imports import writer as import_writer
from sputnik.parties.imports.report import error_report_lines
from sputnik.parties.imports.testing import check, configure, csv_bytes, import_file, run, upload
from sputnik.parties.imports.work import claim, reconcile, work
from sputnik.parties.models import Company, ContactPoint, ImportBatch, Person
from sputnik.parties.models.imports import ImportUpdate
from sputnik.parties.services import person_update

pytestmark = pytest.mark.django_db

HEADER = ["Фамилия", "Имя", "Телефон", "E-mail", "Дата рождения", "Код клиента"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def people_file(*rows: list, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    return csv_bytes([HEADER, *rows], encoding=encoding, delimiter=delimiter)


def persons_named(last_name: str):
    return Person.objects.filter(last_name=last_name)


def test_new_persons_land_in_the_importers_centre_with_normalised_contacts(owner):
    data = people_file(
        ["ПЕТРОВА", "анна", "8 (903) 111-22-33", "Anna@Mail.RU", "3 марта 1985", "K-1"]
    )
    batch = import_file(owner, data)
    assert batch.status == ImportBatch.Status.DONE
    person = Person.objects.get(last_name="Петрова")
    assert person.first_name == "Анна"
    assert (person.centre_id, person.owner_id) == (owner.centre_id, owner.pk)
    assert person.source == "import" and person.external_id == "K-1"
    assert person.birthday == dt.date(1985, 3, 3)
    assert person.import_batch_id == batch.pk and person.search_name == "петрова анна"
    assert set(person.contacts.values_list("kind", "value", "is_primary")) == {
        ("phone", "+79031112233", True),
        ("email", "anna@mail.ru", True),
    }
    assert batch.counts["created"] == 1
    assert AuditEntry.objects.filter(entity="parties.importbatch", entity_id=batch.pk).exists()


@pytest.mark.parametrize("policy", ["skip", "update", "create"])
def test_running_the_same_file_again_changes_nothing(owner, policy):
    data = people_file(
        ["Петрова", "Анна", "+7 903 111 22 33", "anna@mail.ru", "", ""],
        ["Сидоров", "Пётр", "", "petr@mail.ru", "01.02.1980", "K-2"],
    )
    import_file(owner, data, duplicates=policy)
    before = list(Person.objects.order_by("pk").values())
    contacts = ContactPoint.objects.count()
    again = import_file(owner, data, duplicates=policy)
    assert again.status == ImportBatch.Status.DONE
    assert list(Person.objects.order_by("pk").values()) == before
    assert ContactPoint.objects.count() == contacts
    assert again.counts.get("created", 0) == 0 and again.counts.get("updated", 0) == 0


def test_skip_policy_leaves_the_existing_person_untouched(owner, person):
    data = people_file(["Иванов", "Сергей Другой", "+79123456789", "", "", ""])
    batch = import_file(owner, data, duplicates="skip")
    person.refresh_from_db()
    assert person.first_name == "Сергей"
    assert batch.counts["skipped_duplicate"] == 1
    assert Person.objects.count() == 1


def test_update_policy_changes_only_given_fields_adds_contacts_and_audits(owner, person):
    data = people_file(["", "Серёжа", "8 912 345 67 89", "new@mail.ru", "10.10.1975", "EXT-9"])
    batch = import_file(owner, data, duplicates="update")
    person.refresh_from_db()
    assert person.first_name == "Серёжа" and person.last_name == "Иванов"  # empty cell kept
    assert person.birthday == dt.date(1975, 10, 10) and person.external_id == "EXT-9"
    assert person.contacts.filter(value="new@mail.ru").exists()
    assert person.contacts.filter(value="sergey.ivanov@example.ru").exists()
    assert batch.counts["updated"] == 1
    journal = ImportUpdate.objects.get(batch=batch)
    assert journal.before["first_name"] == "Сергей"
    entry = AuditEntry.objects.filter(subject_person_id=person.pk, action="update").latest("id")
    assert entry.after["first_name"] == "Серёжа"


def test_update_policy_reports_an_identical_row_as_up_to_date(owner, person):
    data = people_file(["Иванов", "Сергей", "+79123456789", "", "", ""])
    batch = import_file(owner, data, duplicates="update")
    assert batch.counts == {**batch.counts, "unchanged": 1}
    assert not ImportUpdate.objects.filter(batch=batch).exists()


def test_create_policy_creates_a_new_person_despite_the_match(owner, person):
    data = people_file(["Иванов", "Сергей", "+79123456789", "", "", ""])
    import_file(owner, data, duplicates="create")
    assert persons_named("Иванов").count() == 2


def test_matching_takes_external_id_first_then_phone_then_email(owner, person):
    other = Person.objects.create(
        last_name="Другой", first_name="Клиент", centre=owner.centre, owner=owner, external_id="X1"
    )
    # The phone points at `person`, the external id at `other`: the id wins.
    data = people_file(["", "Обновлён", "+79123456789", "", "", "X1"])
    import_file(owner, data, duplicates="update")
    other.refresh_from_db()
    person.refresh_from_db()
    assert other.first_name == "Обновлён" and person.first_name == "Сергей"


def test_duplicates_within_the_file_are_skipped_and_name_the_first_row(owner):
    data = people_file(
        ["Петрова", "Анна", "+79031112233", "", "", ""],
        ["Петрова", "Анна", "8 903 111-22-33", "", "", ""],
        ["Козлов", "Иван", "", "ivan@mail.ru", "", ""],
        ["Козлов", "Иван", "", "IVAN@mail.ru", "", ""],
    )
    batch = import_file(owner, data)
    assert Person.objects.count() == 2
    assert batch.counts["duplicate_in_file"] == 2
    report = "".join(error_report_lines(batch))
    assert "row 2" in report and "row 4" in report


def test_duplicates_across_chunks_are_caught_too(owner):
    rows = [["П", f"Имя{i}", f"+7903111{i:04d}", "", "", ""] for i in range(7)]
    rows.append(["П", "Повтор", "+79031110001", "", "", ""])
    batch = import_file(owner, people_file(*rows), chunk_rows=3)
    assert Person.objects.count() == 7
    assert batch.counts["duplicate_in_file"] == 1


def test_update_never_touches_a_person_the_importer_cannot_see(outsider, person):
    data = people_file(["Взлом", "Хакер", "+79123456789", "", "", ""])
    batch = import_file(outsider, data, duplicates="update")
    person.refresh_from_db()
    assert person.last_name == "Иванов"
    assert batch.counts["owned_elsewhere"] == 1
    assert Person.objects.count() == 1  # not created as a second record either
    report = "".join(error_report_lines(batch))
    assert "owned elsewhere" in report
    assert "Иванов" not in report and "Центр А" not in report


def test_undo_removes_created_persons_and_restores_updated_ones(owner, person):
    data = people_file(
        ["Иванов", "Серёжа", "+79123456789", "", "", ""],
        ["Новый", "Клиент", "+79035550000", "", "", ""],
    )
    batch = import_file(owner, data, duplicates="update")
    assert Person.objects.count() == 2
    services.import_undo(actor=owner, batch=batch)
    batch = work(batch.pk)
    assert batch.status == ImportBatch.Status.UNDONE
    person.refresh_from_db()
    assert person.first_name == "Сергей"
    assert list(Person.objects.values_list("pk", flat=True)) == [person.pk]
    assert not ContactPoint.objects.filter(value="+79035550000").exists()
    assert batch.counts["_undo"] == {"restored": 1, "deleted": 1}
    assert AuditEntry.objects.filter(
        entity="parties.importbatch", entity_id=batch.pk, action="update"
    ).exists()


def test_undo_keeps_a_value_someone_changed_after_the_import(owner, person):
    batch = import_file(
        owner, people_file(["", "Серёжа", "+79123456789", "", "", ""]), duplicates="update"
    )
    person_update(actor=owner, person=person, data={"first_name": "Сергей Петрович"})
    services.import_undo(actor=owner, batch=batch)
    work(batch.pk)
    person.refresh_from_db()
    assert person.first_name == "Сергей Петрович"


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(owner, person):
    data = people_file(
        ["Иванов", "Сергей", "+79123456789", "", "", ""],
        ["Новый", "Клиент", "+79035550000", "", "", ""],
        ["", "", "12345", "", "", ""],
    )
    batch = configure(owner, upload(owner, data))
    batch = check(owner, batch)
    assert batch.status == ImportBatch.Status.VALIDATED
    assert batch.validation["created"] == 1
    assert batch.validation["skipped_duplicate"] == 1
    assert batch.validation["invalid"] == 1
    assert Person.objects.count() == 1 and ContactPoint.objects.count() == 2
    report = "".join(error_report_lines(batch))
    assert "4;Телефон;" in report and "is not a phone number" in report


def test_write_nothing_policy_refuses_a_file_with_a_bad_row(owner):
    data = people_file(
        ["Новый", "Клиент", "+79035550000", "", "", ""],
        ["", "", "", "", "", ""],
        ["Плохой", "", "000", "", "", ""],
    )
    batch = configure(owner, upload(owner, data), on_error="write_nothing")
    batch = check(owner, batch)
    with pytest.raises(ValidationError) as exc:
        services.import_start(actor=owner, batch=batch, enqueue=False)
    assert "Nothing was written" in str(exc.value)
    assert Person.objects.count() == 0


def test_bad_rows_are_reported_and_good_ones_kept_when_chosen(owner):
    data = people_file(
        ["Новый", "Клиент", "+79035550000", "", "", ""],
        ["Плохой", "Телефон", "000", "bad@", "31.02.1990", ""],
    )
    batch = import_file(owner, data)
    assert list(Person.objects.values_list("last_name", flat=True)) == ["Новый"]
    assert batch.counts["invalid"] == 1
    messages = [line for line in error_report_lines(batch) if line.startswith("3;")]
    assert len(messages) == 3


def test_a_crash_mid_batch_resumes_after_the_last_committed_chunk(owner, monkeypatch):
    rows = [["Клиент", f"Номер{i}", f"+7903222{i:04d}", "", "", ""] for i in range(10)]
    batch = configure(owner, upload(owner, people_file(*rows)))
    services.import_start(actor=owner, batch=batch, enqueue=False)
    real_write = import_writer.PreparedChunk.write
    calls = {"n": 0}

    def flaky_write(self):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_write(self)

    monkeypatch.setattr(import_writer.PreparedChunk, "write", flaky_write)
    with pytest.raises(RuntimeError):
        work(batch.pk, chunk_rows=4)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.RUNNING
    assert batch.cursor == 5  # header + the first chunk of four rows
    assert Person.objects.count() == 4  # the failed chunk left nothing behind
    # Another worker cannot take it while its heartbeat is fresh …
    assert claim(batch.pk) is None
    # … the reconciler hands it on once it is stale, and it resumes.
    monkeypatch.setattr("sputnik.parties.imports.work.enqueue", lambda pk: work(pk, chunk_rows=4))
    assert reconcile(stale_after=dt.timedelta(0)) == [batch.pk]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert Person.objects.count() == 10
    assert ContactPoint.objects.values("value").distinct().count() == 10
    assert batch.counts["created"] == 10


def test_a_batch_that_keeps_crashing_is_rolled_back(owner, monkeypatch):
    rows = [["Клиент", f"Номер{i}", f"+7903222{i:04d}", "", "", ""] for i in range(6)]
    batch = configure(owner, upload(owner, people_file(*rows)))
    services.import_start(actor=owner, batch=batch, enqueue=False)
    real_write = import_writer.PreparedChunk.write
    calls = {"n": 0}

    def flaky_write(self):
        calls["n"] += 1
        if calls["n"] != 1:
            raise RuntimeError("worker killed")
        return real_write(self)

    monkeypatch.setattr(import_writer.PreparedChunk, "write", flaky_write)

    def worker(pk):
        with contextlib.suppress(RuntimeError):
            work(pk, chunk_rows=3)

    monkeypatch.setattr("sputnik.parties.imports.work.enqueue", worker)
    worker(batch.pk)
    assert Person.objects.count() == 3
    for _attempt in range(4):
        reconcile(stale_after=dt.timedelta(0))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.failure["code"] == "interrupted"
    assert Person.objects.count() == 0 and ContactPoint.objects.count() == 0


def test_a_file_that_breaks_midway_is_rolled_back_whole(owner):
    good = people_file(
        *[["Клиент", f"Номер{i}", f"+7903333{i:04d}", "", "", ""] for i in range(9000)]
    )
    broken = good + "Сломан;Ряд\r\n".encode()[:-3] + b"\xff\xfe\xfa,x,,,,\r\n"
    batch = configure(owner, upload(owner, broken))
    batch = run(owner, batch, chunk_rows=2000)
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.failure["code"] == "file_encoding"
    assert Person.objects.count() == 0


def test_roles_without_the_create_right_cannot_import(marketer, executive):
    for user in (marketer, executive):
        with pytest.raises(AccessDenied):
            upload(user, people_file(["А", "Б", "", "", "", ""]))


def test_a_sales_manager_may_not_map_a_centre_column(owner):
    data = csv_bytes([["Фамилия", "Центр"], ["Петров", "Центр Б"]])
    batch = upload(owner, data)
    with pytest.raises(ValidationError) as exc:
        configure(owner, batch, mapping={"0": "last_name", "1": "centre"})
    assert "Centre" in str(exc.value)


def test_an_administrator_places_rows_by_centre_name_and_unknown_centres_are_errors(
    admin_user, centre_a, centre_b
):
    data = csv_bytes([["Фамилия", "Центр"], ["Петров", "центр б"], ["Сидоров", "Нет такого"]])
    batch = upload(admin_user, data)
    batch = configure(admin_user, batch, mapping={"0": "last_name", "1": "centre"})
    batch = run(admin_user, batch)
    assert Person.objects.get(last_name="Петров").centre_id == centre_b.pk
    assert batch.counts["invalid"] == 1
    assert "There is no active centre" in "".join(error_report_lines(batch))


def test_a_script_tag_in_a_name_is_stored_as_plain_text(owner):
    import_file(owner, people_file(["<script>alert(1)</script>", "Имя", "", "", "", ""]))
    assert Person.objects.get().last_name == "<script>alert(1)</script>"


def test_companies_are_matched_by_inn(owner):
    data = csv_bytes(
        [["Наименование", "ИНН", "Телефон"], ["ООО Ромашка", "7707083893", "+74951234567"]]
    )
    import_file(owner, data, entity="company")
    again = csv_bytes([["Наименование", "ИНН"], ["ООО Ромашка (новое)", "7707083893"]])
    batch = import_file(owner, again, entity="company", duplicates="update")
    assert Company.objects.get().name == "ООО Ромашка (новое)"
    assert batch.counts["updated"] == 1


def test_the_background_task_runs_a_started_batch_after_commit(
    owner, django_capture_on_commit_callbacks
):
    batch = configure(owner, upload(owner, people_file(["Новый", "Клиент", "", "", "", ""])))
    with django_capture_on_commit_callbacks(execute=True):
        services.import_start(actor=owner, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert Person.objects.filter(last_name="Новый").exists()


def test_another_user_cannot_see_or_act_on_my_batch(owner, colleague):
    batch = upload(owner, people_file(["А", "Б", "", "", "", ""]))
    with pytest.raises(ImportBatch.DoesNotExist):
        services.import_batch_get(actor=colleague, batch_id=batch.pk)
    with pytest.raises(AccessDenied):
        configure(colleague, batch)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_run_reads_ahead_and_a_broken_tail_rolls_back_whole(owner):
    """On PostgreSQL this is the pipelined path (reader thread + writing thread)."""
    rows = [["Клиент", f"Номер{i}", f"+7903444{i:04d}", "", "", ""] for i in range(12)]
    batch = import_file(owner, people_file(*rows), chunk_rows=5)
    assert batch.status == ImportBatch.Status.DONE
    assert Person.objects.count() == 12 and batch.counts["created"] == 12

    broken = people_file(*[["Клиент", f"Другой{i}", "", "", "", ""] for i in range(9000)])
    broken += b"\xff\xfe\xfa,x,,,,\r\n"
    failed = run(owner, configure(owner, upload(owner, broken)), chunk_rows=2000)
    assert failed.status == ImportBatch.Status.FAILED
    assert failed.failure["code"] == "file_encoding"
    assert Person.objects.count() == 12
