"""Exporting the persons and companies lists: streamed, filtered as on screen, scoped to
what the user may see, escaped against formula injection, logged and audited."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sputnik.core.models import AuditEntry
from sputnik.documents.models import Export
from sputnik.parties import exports
from sputnik.parties.selectors import PersonFilters
from sputnik.parties.services import company_create, person_create

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _body(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


def _rows(data: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding)), delimiter=";"))


@pytest.fixture
def crowd(owner, outsider, person):
    """Centre A: `person` and two more of the owner's; centre B: one of the outsider's."""
    mine = [
        person_create(
            actor=owner,
            data={"last_name": "Сидоров", "first_name": "Иван", "phones": ["+79120000001"]},
        ),
        person_create(
            actor=owner,
            data={
                "last_name": '=HYPERLINK("http://evil")',
                "first_name": "@SUM(1)",
                "middle_name": "<script>alert(1)</script>",
                "stage": "customer",
                "emails": ["evil@example.ru"],
            },
        ),
    ]
    theirs = person_create(
        actor=outsider,
        data={"last_name": "Чужой", "first_name": "Клиент", "phones": ["+79990000000"]},
    )
    return {"mine": [person, *mine], "theirs": theirs}


def test_csv_export_streams_utf8_with_bom_and_semicolons_for_russian_excel(owner, crowd):
    response = _client(owner).get(reverse("parties:person_export"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="persons-')
    data = _body(response)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = _rows(data)
    assert rows[0][:4] == ["ID", "Last name", "First name", "Middle name"]
    names = {r[1] for r in rows[1:]}
    assert "Иванов" in names and "Сидоров" in names
    ivanov = next(r for r in rows[1:] if r[1] == "Иванов")
    assert ivanov[4] == "+79123456789"  # a plain number keeps its plus, no apostrophe
    assert ivanov[6] == "sergey.ivanov@example.ru"


def test_formula_cells_are_escaped_and_script_is_plain_text_in_csv(owner, crowd):
    data = _body(_client(owner).get(reverse("parties:person_export"), {"format": "csv"}))
    rows = _rows(data)
    evil = next(r for r in rows[1:] if "HYPERLINK" in r[1])
    assert evil[1] == '\'=HYPERLINK("http://evil")'
    assert evil[2] == "'@SUM(1)"
    assert evil[3] == "<script>alert(1)</script>"  # data, not markup: a CSV is never rendered


def test_cp1251_export_is_readable_by_old_excel(owner, crowd):
    response = _client(owner).get(reverse("parties:person_export"), {"format": "csv_cp1251"})
    assert response["Content-Type"] == "text/csv; charset=windows-1251"
    data = _body(response)
    assert not data.startswith(b"\xef\xbb\xbf")
    assert "Иванов".encode("cp1251") in data


def test_xlsx_export_writes_strings_as_strings_never_formulas(owner, crowd):
    response = _client(owner).get(reverse("parties:person_export"), {"format": "xlsx"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(_body(response)))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "Last name"
    evil_row = next(r for r in sheet.iter_rows(min_row=2) if "HYPERLINK" in str(r[1].value))
    assert evil_row[1].data_type == "s"
    assert evil_row[1].value == '\'=HYPERLINK("http://evil")'
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    ivanov = next(r for r in rows[1:] if r[1] == "Иванов")
    assert ivanov[4] == "+79123456789"
    assert isinstance(ivanov[0], int)


def test_export_holds_exactly_the_list_filter(owner, crowd):
    client = _client(owner)
    data = _body(client.get(reverse("parties:person_export"), {"format": "csv", "q": "сидоров"}))
    assert [r[1] for r in _rows(data)[1:]] == ["Сидоров"]
    data = _body(
        client.get(reverse("parties:person_export"), {"format": "csv", "stage": "customer"})
    )
    assert [r[7] for r in _rows(data)[1:]] == ["Customer"]
    data = _body(
        client.get(reverse("parties:person_export"), {"format": "csv", "q": "+7 912 000-00-01"})
    )
    assert [r[1] for r in _rows(data)[1:]] == ["Сидоров"]


@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b"),
    [
        ("owner", True, False),
        ("colleague", False, False),
        ("head", True, False),
        ("outsider", False, True),
        ("other_head", False, True),
        ("operator", True, True),
        ("marketer", True, True),
        ("executive", True, True),
        ("admin_user", True, True),
    ],
)
def test_export_holds_only_what_the_persona_may_see(request, crowd, persona, sees_a, sees_b):
    user = request.getfixturevalue(persona)
    data = _body(_client(user).get(reverse("parties:person_export"), {"format": "csv"}))
    names = {r[1] for r in _rows(data)[1:]}
    assert ("Иванов" in names) is sees_a
    assert ("Чужой" in names) is sees_b


def test_a_tampered_filter_never_widens_the_export(outsider, crowd, centre_a):
    params = {
        "format": "csv",
        "centre": str(centre_a.pk),
        "owner": "1 OR 1=1",
        "stage": "'; DROP TABLE parties_person; --",
        "cf_nonexistent": "x",
        "sort": "password",
    }
    response = _client(outsider).get(reverse("parties:person_export"), params)
    assert response.status_code == 200
    rows = _rows(_body(response))
    assert all(r[1] != "Иванов" for r in rows[1:])


def test_an_unknown_format_is_refused_with_a_message_and_no_export(owner, crowd):
    response = _client(owner).get(
        reverse("parties:person_export"), {"format": "exe", "q": "x"}, follow=True
    )
    assert response.status_code == 200
    assert "Unknown export format" in response.content.decode()
    assert response.redirect_chain[0][0].startswith(reverse("parties:person_list"))
    assert not Export.objects.exists()


def test_export_is_logged_and_audited_with_filter_and_row_count(owner, crowd):
    _body(_client(owner).get(reverse("parties:person_export"), {"format": "csv", "q": "сидоров"}))
    export = Export.objects.get()
    assert export.actor == owner
    assert export.entity == "persons" and export.format == "csv"
    assert export.filters["q"] == "сидоров"
    assert export.status == "done" and export.rows == 1 and export.finished_at
    entries = AuditEntry.objects.filter(entity="documents.export", entity_id=export.pk)
    assert entries.count() == 2
    assert entries.order_by("at", "id").last().after == {"rows": 1, "status": "done"}


def test_an_export_cut_off_by_the_client_is_logged_as_failed(owner, crowd):
    file = exports.export_persons(actor=owner, filters=PersonFilters(), fmt="csv", chunk_size=1)
    next(file.content)
    file.content.close()  # the browser went away
    export = Export.objects.get()
    assert export.status == "failed"


def test_query_count_does_not_grow_with_rows(owner):
    def count_queries() -> int:
        file = exports.export_persons(
            actor=owner, filters=PersonFilters(), fmt="csv", chunk_size=500
        )
        with CaptureQueriesContext(connection) as ctx:
            b"".join(file.content)
        return len(ctx.captured_queries)

    for i in range(3):
        person_create(actor=owner, data={"last_name": f"Малый{i}", "phones": [f"+7912100000{i}"]})
    few = count_queries()
    for i in range(3, 60):
        person_create(
            actor=owner, data={"last_name": f"Большой{i}", "phones": [f"+791210000{i:02d}"]}
        )
    many = count_queries()
    assert few == many
    assert many <= 8


def test_large_exports_read_in_chunks_with_flat_memory(owner):
    for i in range(25):
        person_create(actor=owner, data={"last_name": f"Клиент{i:02d}"})
    file = exports.export_persons(actor=owner, filters=PersonFilters(), fmt="csv", chunk_size=10)
    pieces = list(file.content)
    # the header, then one piece per chunk of 10 rows: rows leave as they are read
    assert len(pieces) == 1 + 3
    assert sum(p.count(b"\r\n") for p in pieces) == 26


def test_a_large_xlsx_is_built_in_the_background_with_progress_and_a_download(
    owner, colleague, crowd, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(exports, "XLSX_SYNC_LIMIT", 2)
    client = _client(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("parties:person_export"), {"format": "xlsx"})
    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("parties:export_status", args=[export.pk])
    # Huey runs tasks at once under test: the job has claimed, built and stored the file.
    export.refresh_from_db()
    assert export.status == "done" and export.rows == 3 and export.total == 3
    page = client.get(response["Location"]).content.decode()
    assert reverse("parties:export_download", args=[export.pk]) in page
    download = client.get(reverse("parties:export_download", args=[export.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 4
    # an export is its requester's alone
    other = _client(colleague)
    assert other.get(reverse("parties:export_status", args=[export.pk])).status_code == 404
    assert other.get(reverse("parties:export_download", args=[export.pk])).status_code == 404


def test_the_status_page_polls_while_the_job_waits(owner, crowd, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_SYNC_LIMIT", 2)
    client = _client(owner)
    response = client.get(reverse("parties:person_export"), {"format": "xlsx"})  # not committed
    export = Export.objects.get()
    assert export.status == "queued"
    fragment = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "<progress" in fragment
    assert reverse("parties:export_download", args=[export.pk]) not in fragment
    assert client.get(reverse("parties:export_download", args=[export.pk])).status_code == 404


def test_a_job_whose_worker_died_is_requeued_and_finished_by_the_reconciler(
    owner, crowd, monkeypatch
):
    import datetime as dt

    from django.utils import timezone

    from sputnik.parties.exports.jobs import reconcile_exports

    monkeypatch.setattr(exports, "XLSX_SYNC_LIMIT", 2)
    _client(owner).get(reverse("parties:person_export"), {"format": "xlsx"})
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Export.objects.update(status="running", heartbeat_at=long_ago, started_at=long_ago)
    assert reconcile_exports() == 1
    export = Export.objects.get()
    assert export.status == "done" and export.rows == 3 and export.file


def test_the_api_answers_202_with_a_job_for_a_large_xlsx(
    owner, crowd, monkeypatch, django_capture_on_commit_callbacks
):
    from sputnik.core.services import token_create

    monkeypatch.setattr(exports, "XLSX_SYNC_LIMIT", 2)
    api = Client(headers={"authorization": f"Bearer {token_create(actor=None, user=owner)}"})
    with django_capture_on_commit_callbacks(execute=True):
        response = api.get("/api/v1/exports/persons", {"format": "xlsx"})
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "queued" and job["total"] == 3
    job = api.get(f"/api/v1/export-jobs/{job['id']}").json()
    assert job["status"] == "done" and job["percent"] == 100
    download = api.get(job["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"PK")


def test_more_rows_than_an_excel_sheet_holds_is_refused_with_guidance(owner, crowd, monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 2)
    response = _client(owner).get(reverse("parties:person_export"), {"format": "xlsx"}, follow=True)
    assert "export CSV" in response.content.decode()
    assert not Export.objects.exists()


def test_company_export_follows_the_company_list_search_and_visibility(owner, outsider):
    company_create(actor=owner, data={"name": "ООО Ромашка", "inn": "7707083893"})
    company_create(actor=owner, data={"name": "=cmd|' /C calc'!A0"})
    company_create(actor=outsider, data={"name": "ООО Чужая"})
    client = _client(owner)
    rows = _rows(_body(client.get(reverse("parties:company_export"), {"format": "csv"})))
    names = {r[1] for r in rows[1:]}
    assert names == {"ООО Ромашка", "'=cmd|' /C calc'!A0"}
    rows = _rows(_body(client.get(reverse("parties:company_export"), {"q": "ромашка"})))
    assert [r[1] for r in rows[1:]] == ["ООО Ромашка"]
    response = client.get(reverse("parties:company_export"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(_body(response))).active
    assert {r[1] for r in sheet.iter_rows(min_row=2, values_only=True)} == names


def test_company_export_does_not_offer_vcard(owner):
    response = _client(owner).get(
        reverse("parties:company_export"), {"format": "vcard"}, follow=True
    )
    assert "Unknown export format" in response.content.decode()


def test_the_lists_offer_the_export_menu(owner, crowd):
    client = _client(owner)
    page = client.get(reverse("parties:person_list"), {"q": "сидоров"}).content.decode()
    assert (
        reverse("parties:person_export")
        + "?q=%D1%81%D0%B8%D0%B4%D0%BE%D1%80%D0%BE%D0%B2&amp;format=csv"
        in page
    )
    assert reverse("parties:person_vcard_import") in page
    page = client.get(reverse("parties:company_list")).content.decode()
    assert reverse("parties:company_export") + "?format=xlsx" in page


def test_headers_and_labels_follow_the_users_language(owner, crowd):
    owner.language = "ru"
    owner.save(update_fields=["language"])
    rows = _rows(_body(_client(owner).get(reverse("parties:person_export"), {"format": "csv"})))
    assert rows[0][1] == "Фамилия"
    assert {r[7] for r in rows[1:]} == {"Потенциальный клиент", "Клиент"}
