"""The persons list's "escalated" filter: only leads with an open escalation to their
centre's head, scoped like every list (a head sees their centre's), kept across pages,
taken by the export and offered by the API."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from sputnik.core.services import token_create
from sputnik.documents.models import Export
from sputnik.parties import exports
from sputnik.parties.exports.sources import person_filters
from sputnik.parties.models import Escalation, Person, ProspectAssignment
from sputnik.parties.selectors import PersonFilters
from sputnik.parties.services import person_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def escalate(
    person: Person, *, resolved: bool = False, reason: str = Escalation.Reason.UNCONTACTED
) -> Escalation:
    assignment, _new = ProspectAssignment.objects.get_or_create(
        person=person,
        is_current=True,
        defaults={"centre_id": person.centre_id, "owner_id": person.owner_id, "method": "rule"},
    )
    return Escalation.objects.create(
        assignment=assignment,
        person=person,
        centre_id=person.centre_id,
        reason=reason,
        resolved_at=timezone.now() if resolved else None,
    )


@pytest.fixture
def leads(owner, outsider):
    """Centre A: an escalated lead, one whose escalation was resolved, a calm customer;
    centre B: an escalated lead."""
    waiting = person_create(actor=owner, data={"last_name": "Ждущий", "first_name": "А"})
    settled = person_create(actor=owner, data={"last_name": "Дозвонились", "first_name": "Б"})
    calm = person_create(actor=owner, data={"last_name": "Спокойный", "first_name": "В"})
    theirs = person_create(actor=outsider, data={"last_name": "Чужой", "first_name": "Г"})
    escalate(waiting)
    escalate(waiting, reason=Escalation.Reason.UNASSIGNED)  # two open at once: still one row
    escalate(settled, resolved=True)
    escalate(theirs)
    return {"waiting": waiting, "settled": settled, "calm": calm, "theirs": theirs}


def _page(user, **params) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("parties:person_list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_head_sees_only_their_centres_leads_with_an_open_escalation(head, leads):
    html = _page(head, escalated="on")
    assert "Ждущий" in html
    for hidden in ("Дозвонились", "Спокойный", "Чужой"):
        assert hidden not in html
    assert "Found: 1" in html
    checkbox = re.search(r'<input[^>]*name="escalated"[^>]*>', html)
    assert checkbox and "checked" in checkbox.group(0)
    everyone = _page(head)
    assert "Found: 3" in everyone and "Спокойный" in everyone


@pytest.mark.parametrize(
    ("persona", "sees_ours", "sees_theirs"),
    [
        ("owner", True, False),
        ("colleague", False, False),
        ("advisor", True, False),
        ("head", True, False),
        ("outsider", False, True),
        ("other_head", False, True),
        ("operator", True, True),
        ("marketer", True, True),
        ("executive", True, True),
        ("admin_user", True, True),
    ],
)
def test_the_filter_never_widens_what_a_persona_sees(
    request, leads, persona, sees_ours, sees_theirs
):
    html = _page(request.getfixturevalue(persona), escalated="on")
    assert ("Ждущий" in html) is sees_ours
    assert ("Чужой" in html) is sees_theirs
    assert "Спокойный" not in html and "Дозвонились" not in html


@pytest.mark.parametrize("value", ["maybe", "0", "", "\x00", "1" * 500])
def test_a_value_other_than_on_leaves_the_filter_off_rather_than_failing(head, leads, value):
    html = _page(head, escalated=value)
    assert "Found: 3" in html


def test_the_filter_survives_paging(head, owner):
    for i in range(55):
        escalate(person_create(actor=owner, data={"last_name": f"Лид{i:02d}", "first_name": "Э"}))
    for i in range(10):
        person_create(actor=owner, data={"last_name": f"Лид{i:02d}Тихий", "first_name": "Т"})
    client = Client()
    client.force_login(head)
    first = client.get(reverse("parties:person_list"), {"escalated": "on"}).content.decode()
    assert "Found: 55" in first and "Лид00" in first and "Лид54" not in first
    link = first.split('hx-get="/persons/?')[1].split('"')[0].replace("&amp;", "&")
    assert "escalated=on" in link
    second = client.get("/persons/?" + link, **HTMX).content.decode()
    assert "Лид54" in second and "Тихий" not in second
    assert "Found: 55" in second


def test_the_filter_reads_the_same_number_of_queries_for_any_page_size(head, owner):
    for i in range(3):
        escalate(person_create(actor=owner, data={"last_name": f"Мало{i}", "first_name": "М"}))
    client = Client()
    client.force_login(head)
    url = reverse("parties:person_list")
    client.get(url, {"escalated": "on"})  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"escalated": "on"})
    for i in range(30):
        escalate(person_create(actor=owner, data={"last_name": f"Много{i}", "first_name": "М"}))
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"escalated": "on"})
    assert len(many) == len(few)


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_the_export_of_the_filtered_list_holds_only_the_escalated_leads(head, leads):
    html = _page(head, escalated="on")
    # The list's export menu carries the filter …
    export_link = html.split('href="/persons/export/?')[1].split('"')[0].replace("&amp;", "&")
    assert "escalated=on" in export_link
    client = Client()
    client.force_login(head)
    response = client.get("/persons/export/?" + export_link)
    assert response.status_code == 200
    names = [r[1] for r in _rows(b"".join(response.streaming_content))[1:]]
    assert names == ["Ждущий"]
    # … and the export log records it, so a background job reads the same list.
    export = Export.objects.latest("id")
    assert export.filters["escalated"] is True
    assert person_filters(export.filters) == PersonFilters(escalated=True)


def test_a_background_export_job_builds_the_filtered_list(
    head, leads, monkeypatch, django_capture_on_commit_callbacks
):
    import openpyxl

    monkeypatch.setattr(exports, "XLSX_SYNC_LIMIT", 0)  # every XLSX goes to the background
    client = Client()
    client.force_login(head)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            reverse("parties:person_export"), {"format": "xlsx", "escalated": "on"}
        )
    assert response.status_code == 302
    export = Export.objects.get()
    assert export.status == "done" and export.rows == 1
    download = client.get(reverse("parties:export_download", args=[export.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Ждущий"]


def test_the_api_lists_and_exports_escalated_leads_within_visibility(head, other_head, leads):
    api = Client(headers={"authorization": f"Bearer {token_create(actor=None, user=head)}"})
    items = api.get("/api/v1/persons", {"escalated": "true"}).json()["items"]
    assert [i["last_name"] for i in items] == ["Ждущий"]
    assert len(api.get("/api/v1/persons").json()["items"]) == 3
    assert api.get("/api/v1/persons", {"escalated": "maybe"}).status_code == 422
    data = b"".join(
        api.get("/api/v1/exports/persons", {"escalated": "true", "format": "csv"}).streaming_content
    )
    assert [r[1] for r in _rows(data)[1:]] == ["Ждущий"]
    other = Client(headers={"authorization": f"Bearer {token_create(actor=None, user=other_head)}"})
    items = other.get("/api/v1/persons", {"escalated": "true"}).json()["items"]
    assert [i["last_name"] for i in items] == ["Чужой"]
