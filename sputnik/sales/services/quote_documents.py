"""Keeping generated sales documents (quote PDFs) with the customer, through the
documents app's own service: the same checks, storage, audit and download view as any
file about a person.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from sputnik.core.models import User
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import Person


def store_document(
    *, actor: User, person_id: int, name: str, content: bytes, deal_id: int | None = None
) -> int | None:
    """Store `content` as a document of the person; its id, or None when the actor may
    not file documents for that person (then the PDF is rendered on each download).

    `deal_id` is kept on the quote that points at the document, so the deal shows it.
    """
    from sputnik.documents.models import Document
    from sputnik.documents.services import document_upload

    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return None
    try:
        document = document_upload(
            actor=actor,
            person=person,
            kind=getattr(Document.Kind, "QUOTE", Document.Kind.OTHER),
            upload=SimpleUploadedFile(name, content, content_type="application/pdf"),
        )
    except AccessDenied:
        return None
    return int(document.pk)
