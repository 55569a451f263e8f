"""Documents: checked by content and size before storing, kept privately, served only
through a visible person."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sputnik.conftest import VISIBILITY_MATRIX
from sputnik.core.models import AuditEntry
from sputnik.core.services import token_create
from sputnik.documents.models import Document
from sputnik.documents.services import document_upload
from sputnik.documents.storage import documents_root
from sputnik.parties.errors import AccessDenied

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_an_upload_is_stored_privately_with_its_digest_and_audited(owner, person):
    document = document_upload(
        actor=owner, person=person, kind="other", upload=ContentFile(PNG, "../../etc/скан.png")
    )
    assert document.name == "скан.png"
    assert document.content_type == "image/png" and document.size == len(PNG)
    assert document.sha256 == hashlib.sha256(PNG).hexdigest()
    path = documents_root() / document.file.name
    assert path.read_bytes() == PNG
    # outside everything a web server maps
    for public in (settings.MEDIA_ROOT, settings.STATIC_ROOT):
        assert not str(path.resolve()).startswith(str(public))
    with pytest.raises(NotImplementedError):
        document.file.url  # noqa: B018
    entry = AuditEntry.objects.get(entity="documents.document")
    assert entry.subject_person_id == person.pk and entry.after["sha256"] == document.sha256


@pytest.fixture(autouse=True)
def _english():
    """The services answer in the active language; these tests read the English texts."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00\x03", "Upload a PDF, JPEG, PNG or TIFF"),
        (b"<html><script>alert(1)</script>", "Upload a PDF, JPEG, PNG or TIFF"),
        (b"PK\x03\x04zip", "Upload a PDF, JPEG, PNG or TIFF"),
        (b"", "empty"),
    ],
)
def test_files_are_judged_by_content_not_name(owner, person, content, message):
    with pytest.raises(ValidationError, match=message):
        document_upload(
            actor=owner, person=person, kind="other", upload=ContentFile(content, "scan.pdf")
        )
    assert not Document.objects.exists()


def test_a_file_over_the_limit_is_refused(owner, person, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="too large"):
        document_upload(
            actor=owner, person=person, kind="other", upload=ContentFile(PNG * 3, "a.png")
        )


def test_only_users_who_may_edit_the_person_may_upload(marketer, outsider, person):
    with pytest.raises(AccessDenied):
        document_upload(
            actor=marketer, person=person, kind="other", upload=ContentFile(PNG, "a.png")
        )
    with pytest.raises(AccessDenied, match="not visible"):
        document_upload(
            actor=outsider, person=person, kind="other", upload=ContentFile(PNG, "a.png")
        )
    assert not Document.objects.exists()


def test_the_same_scan_twice_is_stored_once(owner, person):
    first = document_upload(
        actor=owner, person=person, kind="other", upload=ContentFile(PNG, "a.png")
    )
    second = document_upload(
        actor=owner, person=person, kind="other", upload=ContentFile(PNG, "b.png")
    )
    assert first.file.name == second.file.name
    assert Document.objects.count() == 2


@pytest.mark.parametrize(("persona", "sees"), VISIBILITY_MATRIX)
def test_downloads_follow_the_visibility_matrix_in_ui_and_api(
    request, owner, person, persona, sees
):
    document = document_upload(
        actor=owner, person=person, kind="other", upload=ContentFile(PNG, "a.png")
    )
    user = request.getfixturevalue(persona)
    web = Client()
    web.force_login(user)
    response = web.get(reverse("documents:document_download", args=[person.pk, document.pk]))
    assert response.status_code == (200 if sees else 404)
    if sees:
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content) == PNG
    api = Client(headers={"authorization": f"Bearer {token_create(actor=None, user=user)}"})
    response = api.get(f"/api/v1/persons/{person.pk}/documents/{document.pk}/file")
    assert response.status_code == (200 if sees else 404)
    listing = api.get(f"/api/v1/persons/{person.pk}/documents")
    assert listing.status_code == (200 if sees else 404)


def test_the_api_uploads_and_lists_documents(owner, person):
    api = Client(headers={"authorization": f"Bearer {token_create(actor=None, user=owner)}"})
    upload = SimpleUploadedFile("scan.png", PNG, content_type="image/png")
    response = api.post(
        f"/api/v1/persons/{person.pk}/documents", {"file": upload, "kind": "consent_form"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "consent_form"
    bad = SimpleUploadedFile("scan.png", b"MZ", content_type="image/png")
    response = api.post(f"/api/v1/persons/{person.pk}/documents", {"file": bad})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]
    assert [d["name"] for d in api.get(f"/api/v1/persons/{person.pk}/documents").json()] == [
        "scan.png"
    ]


def test_the_admin_lists_and_shows_documents_and_exports_without_a_file_url(
    admin_user, owner, person
):
    from sputnik.parties.exports.log import export_finish, export_start

    document = document_upload(
        actor=owner, person=person, kind="other", upload=ContentFile(PNG, "a.png")
    )
    export = export_start(owner, "persons", "xlsx", {"q": "x"}, "web", total=1)
    export.file.save("persons.xlsx", ContentFile(b"PK\x03\x04"), save=False)
    export_finish(export, 1, ok=True)
    client = Client()
    client.force_login(admin_user)
    for url in (
        "/admin/documents/document/",
        f"/admin/documents/document/{document.pk}/change/",
        "/admin/documents/export/",
        f"/admin/documents/export/{export.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert str(documents_root()) not in response.content.decode()
