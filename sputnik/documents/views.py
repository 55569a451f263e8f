"""Document downloads: only through the person (or company) the user sees that holds the
file (no public media URL)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from sputnik.documents import selectors
from sputnik.documents.models import Document
from sputnik.web.access import visible_or_404


def file_response(document: Document) -> FileResponse:
    """The stored file as an attachment; a file missing from storage is a 404."""
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=document.name, content_type=document.content_type
    )
    # A stored file is data, never a page: no sniffing, no scripts, not cached by proxies.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def document_download(request: HttpRequest, person_id: int, document_id: int) -> FileResponse:
    document = visible_or_404(
        selectors.document_get,
        actor=request.user,
        person_id=person_id,
        document_id=document_id,
    )
    return file_response(document)


@login_required
@require_GET
def company_document_download(
    request: HttpRequest, company_id: int, document_id: int
) -> FileResponse:
    document = visible_or_404(
        selectors.company_document_get,
        actor=request.user,
        company_id=company_id,
        document_id=document_id,
    )
    return file_response(document)
