"""Keeping generated sales documents (quote PDFs) with the customer, through the
documents app's own service: the same checks, storage, audit and download view as any
file about a person or a company.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from sputnik.core.models import User
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import Company, Person


def store_document(
    *,
    actor: User,
    name: str,
    content: bytes,
    person_id: int | None = None,
    company_id: int | None = None,
) -> int | None:
    """Store `content` as a document of the person, or, without a person, of the company;
    its id, or None when there is neither or the actor may not file documents for them
    (then the PDF is rendered on each download).

    A deal with both keeps the file with the person only: a quote names its person, and a
    file about a person is never served through a company the person is not visible by.
    """
    from sputnik.documents.models import Document
    from sputnik.documents.services import document_upload

    person = company = None
    if person_id is not None:
        person = Person.objects.filter(pk=person_id).first()
    elif company_id is not None:
        company = Company.objects.filter(pk=company_id).first()
    if person is None and company is None:
        return None
    try:
        document = document_upload(
            actor=actor,
            person=person,
            company=company,
            kind=Document.Kind.QUOTE,
            upload=SimpleUploadedFile(name, content, content_type="application/pdf"),
        )
    except AccessDenied:
        return None
    return int(document.pk)
