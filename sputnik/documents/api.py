"""Document endpoints: list a person's files, upload one, download one (visibility first)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from sputnik.core.api import ERRORS, Id, UserRef, actor_of, user_ref
from sputnik.documents import selectors, services
from sputnik.documents.models import Document
from sputnik.parties import selectors as party_selectors

router = Router(tags=["documents"])


class DocumentOut(Schema):
    id: int
    person_id: int
    kind: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: UserRef | None
    uploaded_at: dt.datetime
    consents: list[int]


def _out(document: Document, consents: list[int]) -> dict[str, Any]:
    return {
        "id": document.pk,
        "person_id": document.person_id,
        "kind": document.kind,
        "name": document.name,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "uploaded_by": user_ref(document.uploaded_by),
        "uploaded_at": document.uploaded_at,
        "consents": consents,
    }


@router.get(
    "/persons/{person_id}/documents",
    response={200: list[DocumentOut], **ERRORS},
    summary="A person's documents, newest first",
    operation_id="sputnik_documents_api_list_documents",
)
def list_documents(request: HttpRequest, person_id: Id) -> list[dict[str, Any]]:
    actor = actor_of(request)
    person = party_selectors.person_get(actor=actor, person_id=person_id)
    documents = selectors.person_documents(actor=actor, person=person)
    links: dict[int, list[int]] = {}
    for document_id, consent_id in Document.consents.through.objects.filter(
        document_id__in=[d.pk for d in documents]
    ).values_list("document_id", "consent_id"):
        links.setdefault(document_id, []).append(consent_id)
    return [_out(d, links.get(d.pk, [])) for d in documents]


@router.post(
    "/persons/{person_id}/documents",
    response={201: DocumentOut, **ERRORS},
    summary="Upload a document about a person (PDF, JPEG, PNG or TIFF)",
    operation_id="sputnik_documents_api_upload_document",
)
def upload_document(
    request: HttpRequest,
    person_id: Id,
    file: File[UploadedFile],
    kind: Form[Literal["consent_form", "other"]] = "other",  # type: ignore[assignment]
) -> Status[Any]:
    actor = actor_of(request)
    person = party_selectors.person_get(actor=actor, person_id=person_id)
    document = services.document_upload(actor=actor, person=person, kind=kind, upload=file)
    return Status(201, _out(document, []))


@router.get(
    "/persons/{person_id}/documents/{document_id}/file",
    response={200: None, **ERRORS},
    summary="Download a document's file",
    operation_id="sputnik_documents_api_download_document",
)
def download_document(request: HttpRequest, person_id: Id, document_id: Id) -> FileResponse:
    document = selectors.document_get(
        actor=actor_of(request), person_id=person_id, document_id=document_id
    )
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
