"""Document downloads: only through the person (or company) the user sees that holds the
file (no public media URL)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sputnik.documents import selectors
from sputnik.documents.models import Document
from sputnik.parties.selectors import company_get, person_get
from sputnik.web.access import acting_user, visible_or_404


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


@login_required
@require_GET
def person_documents_panel(request: HttpRequest, person_id: int) -> HttpResponse:
    """The documents panel of a person's card (lazy-loaded by htmx)."""
    person = visible_or_404(person_get, actor=request.user, person_id=person_id)
    documents = selectors.person_documents(actor=acting_user(request), person=person)
    return render(request, "documents/_panel.html", {"documents": documents})


@login_required
@require_GET
def company_documents_panel(request: HttpRequest, company_id: int) -> HttpResponse:
    """The documents panel of a company's card: the files the company holds (quotes of
    its deals without a person); a person's files stay on the person's card."""
    company = visible_or_404(company_get, actor=request.user, company_id=company_id)
    documents = selectors.company_documents(actor=acting_user(request), company=company)
    return render(request, "documents/_panel.html", {"documents": documents})
