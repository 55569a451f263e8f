"""The import screens end to end: upload → columns → preview → check → report → run → undo."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sputnik.parties.imports.testing import csv_bytes
from sputnik.parties.models import ImportBatch, ImportMapping, Person

pytestmark = pytest.mark.django_db

ROWS = [
    ["Фамилия", "Имя", "Телефон", "Эл. почта", "Дата рождения"],
    ["ИВАНОВА", "мария", "8 (916) 745-23-81", "Maria@Mail.ru", "1 марта 1985 г."],
    ["<script>alert(1)</script>", "Хакер", "8 916 000 00 01", "", ""],
    ["Петров", "", "12345", "bad@", "31.02.1990"],
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload(client, data: bytes, name: str = "clients.csv", entity: str = "person"):
    return client.post(
        reverse("parties:import_new"),
        {"entity": entity, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def test_the_whole_flow_from_upload_to_undo(
    client, owner, media, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    assert client.get(reverse("parties:import_new")).status_code == 200
    response = upload(client, csv_bytes(ROWS, encoding="cp1251", delimiter=";"))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("parties:import_mapping", args=[batch.pk])
    assert (batch.encoding, batch.delimiter) == ("cp1251", ";")

    page = client.get(response["Location"]).content.decode()
    assert "Эл. почта" in page and "maria@mail.ru".lower() in page.lower()
    assert 'value="email" selected' in page  # suggested from the Russian header

    response = client.post(
        reverse("parties:import_mapping", args=[batch.pk]),
        {
            "col_0": "last_name",
            "col_1": "first_name",
            "col_2": "phone",
            "col_3": "email",
            "col_4": "birthday",
            "duplicates": "skip",
            "on_error": "skip_rows",
            "encoding": "cp1251",
            "delimiter": ";",
            "save_as": "Выгрузка из 1С",
        },
    )
    assert response.status_code == 302
    assert ImportMapping.objects.filter(created_by=owner, name="Выгрузка из 1С").exists()

    detail = client.get(reverse("parties:import_detail", args=[batch.pk])).content.decode()
    assert "Иванова" in detail and "+7 916 745-23-81" in detail and "01.03.1985" in detail
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail and "<script>alert" not in detail

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("parties:import_check", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    assert Person.objects.count() == 0
    progress = client.get(reverse("parties:import_progress", args=[batch.pk])).content.decode()
    assert "Would be created" in progress

    report = client.get(reverse("parties:import_errors", args=[batch.pk]))
    assert report["Content-Type"].startswith("text/csv")
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert "4;Телефон;" in text and "is not a phone number" in text

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("parties:import_run", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert set(Person.objects.values_list("last_name", flat=True)) == {
        "Иванова",
        "<script>alert(1)</script>",
    }
    listing = client.get(reverse("parties:import_list")).content.decode()
    assert "clients.csv" in listing

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("parties:import_undo", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UNDONE
    assert Person.objects.count() == 0


def test_a_saved_mapping_is_applied_to_the_next_file(client, owner):
    client.force_login(owner)
    ImportMapping.objects.create(
        created_by=owner,
        entity="person",
        name="CRM",
        columns={"колонка а": "last_name", "колонка б": "phone"},
    )
    upload(client, csv_bytes([["Колонка А", "Колонка Б"], ["Петров", "89161234567"]]))
    batch = ImportBatch.objects.get()
    page = client.get(reverse("parties:import_mapping", args=[batch.pk]) + "?saved=CRM")
    html = page.content.decode()
    assert 'value="last_name" selected' in html and 'value="phone" selected' in html


def test_a_file_over_the_limit_is_cut_off_while_streaming(client, owner, media, settings):
    settings.SPUTNIK_IMPORT_MAX_UPLOAD_MB = 1
    client.force_login(owner)
    big = b"\xd0\xa4\xd0\xb0,x\r\n" + b"a,b\r\n" * (600 * 1024)  # 3 MB
    response = upload(client, big, name="huge.csv")
    assert response.status_code == 413
    assert "larger than 1 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert not any((media / "imports").glob("*")) if (media / "imports").exists() else True


def test_a_bad_file_gets_a_clear_message_and_no_batch(client, owner):
    client.force_login(owner)
    response = upload(client, b"\xd0\xcf\x11\xe0" + b"\x00" * 600, name="old.xls")
    assert response.status_code == 422
    assert "Old Excel files (.xls) are not supported" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_missing_required_columns_are_refused_on_the_mapping_page(client, owner):
    client.force_login(owner)
    upload(client, csv_bytes([["Телефон", "Комментарий"], ["89161234567", "x"]]))
    batch = ImportBatch.objects.get()
    response = client.post(
        reverse("parties:import_mapping", args=[batch.pk]),
        {"col_0": "phone", "duplicates": "skip", "on_error": "skip_rows"},
    )
    assert response.status_code == 422
    assert "it is required" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UPLOADED


def test_roles_without_the_create_right_get_403_on_upload(client, marketer):
    client.force_login(marketer)
    assert client.get(reverse("parties:import_new")).status_code == 403
    assert upload(client, csv_bytes(ROWS)).status_code == 403
    assert not ImportBatch.objects.exists()


def test_another_users_batch_is_a_404_like_a_missing_one(client, owner, colleague, outsider):
    client.force_login(owner)
    upload(client, csv_bytes(ROWS))
    batch = ImportBatch.objects.get()
    for user in (colleague, outsider):
        client.force_login(user)
        for name in ("import_detail", "import_mapping", "import_progress", "import_errors"):
            assert client.get(reverse(f"parties:{name}", args=[batch.pk])).status_code == 404
        assert client.post(reverse("parties:import_run", args=[batch.pk])).status_code == 404
        assert "clients.csv" not in client.get(reverse("parties:import_list")).content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UPLOADED


def test_the_imports_list_costs_a_fixed_number_of_queries(
    client, owner, django_assert_max_num_queries
):
    client.force_login(owner)
    for i in range(5):
        upload(client, csv_bytes(ROWS), name=f"f{i}.csv")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("parties:import_list"))
    assert response.content.decode().count("/imports/") >= 5


def test_the_progress_fragment_polls_while_running_and_refreshes_when_done(client, owner):
    client.force_login(owner)
    upload(client, csv_bytes(ROWS))
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(status="running", total_rows=10, cursor=5)
    fragment = client.get(reverse("parties:import_progress", args=[batch.pk]))
    assert 'hx-trigger="every 1s"' in fragment.content.decode()
    assert "<progress" in fragment.content.decode()
    ImportBatch.objects.filter(pk=batch.pk).update(status="done")
    done = client.get(reverse("parties:import_progress", args=[batch.pk]) + "?polling=1")
    assert done["HX-Refresh"] == "true"
