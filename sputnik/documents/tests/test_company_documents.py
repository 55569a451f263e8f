"""Documents held by a company (what has no person, such as a company-only deal's quote):
stored through the same checks, audited on the company, served only through a visible
company; a document is held by exactly one person or company."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from sputnik.conftest import VISIBILITY_MATRIX
from sputnik.core.models import AuditEntry
from sputnik.documents import selectors
from sputnik.documents.models import Document
from sputnik.documents.services import document_upload
from sputnik.parties.errors import AccessDenied
from sputnik.parties.services import company_create

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + b"0" * 64


@pytest.fixture
def company(owner):
    """A company of centre A owned by `owner` (visible like `person`)."""
    return company_create(actor=owner, data={"name": "ООО Ромашка"})


@pytest.fixture
def document(owner, company) -> Document:
    return document_upload(
        actor=owner, company=company, kind="quote", upload=ContentFile(PDF, "kp.pdf")
    )


def test_a_company_document_is_stored_and_audited_on_the_company(owner, company, document):
    assert (document.company_id, document.person_id, document.kind) == (company.pk, None, "quote")
    assert document.file.read() == PDF
    entry = AuditEntry.objects.get(entity="documents.document", entity_id=document.pk)
    assert (entry.subject_company_id, entry.subject_person_id) == (company.pk, None)
    assert [d.pk for d in selectors.company_documents(actor=owner, company=company)] == [
        document.pk
    ]


def test_a_user_who_does_not_see_the_company_cannot_file_for_it(outsider, company):
    with pytest.raises(AccessDenied):
        document_upload(
            actor=outsider, company=company, kind="quote", upload=ContentFile(PDF, "kp.pdf")
        )
    assert not Document.objects.exists()


def test_a_document_is_held_by_a_person_or_a_company_never_both_or_neither(owner, person, company):
    for holders in ({}, {"person": person, "company": company}):
        with pytest.raises(ValueError):
            document_upload(actor=owner, kind="other", upload=ContentFile(PDF, "x.pdf"), **holders)
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            kind="other", name="x.pdf", content_type="application/pdf", size=1, sha256="0" * 64
        )
    assert not Document.objects.exists()


@pytest.mark.parametrize(("persona", "sees"), VISIBILITY_MATRIX)
def test_a_company_document_is_served_only_to_who_sees_the_company(
    request, persona, sees, company, document
):
    user = request.getfixturevalue(persona)
    client = Client()
    client.force_login(user)
    url = reverse(
        "documents:company_document_download",
        kwargs={"company_id": company.pk, "document_id": document.pk},
    )
    response = client.get(url)
    assert response.status_code == (200 if sees else 404)
    if sees:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_person_document_is_not_reached_through_a_company(owner, person, company):
    held = document_upload(
        actor=owner, person=person, kind="other", upload=ContentFile(PDF, "scan.pdf")
    )
    client = Client()
    client.force_login(owner)
    url = reverse(
        "documents:company_document_download",
        kwargs={"company_id": company.pk, "document_id": held.pk},
    )
    assert client.get(url).status_code == 404
