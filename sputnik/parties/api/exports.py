"""Export endpoints (the list filters of GET /persons and GET /companies, streamed as CSV,
XLSX or vCard) and vCard import.

Paths sit under /exports and /imports, not /persons/…, so they can never be taken for a
person id by the `/persons/{person_id}` routes registered before them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Query, Schema
from ninja.files import UploadedFile

from sputnik.core.api import ERRORS, Id, Str200, actor_of
from sputnik.documents.models import Export
from sputnik.parties import exports, selectors
from sputnik.parties.api._router import router
from sputnik.parties.api.persons import PersonListQuery
from sputnik.parties.vcard import MAX_VCARD_BYTES, VCardFileError, vcard_import
from sputnik.parties.views.exports import streaming_download


class PersonExportQuery(PersonListQuery):
    format: Literal["csv", "csv_cp1251", "xlsx", "vcard"] = "csv"


class CompanyExportQuery(Schema):
    format: Literal["csv", "csv_cp1251", "xlsx"] = "csv"
    q: Str200 = ""
    centre: Id | None = None


class CardOutcomeOut(Schema):
    number: int
    name: str
    status: Literal["created", "duplicate", "error"]
    person_id: int | None
    messages: list[str]


class VCardImportOut(Schema):
    created: int
    duplicates: int
    errors: int
    cards: list[CardOutcomeOut]


def _custom_filters(request: HttpRequest) -> dict[str, str]:
    custom: dict[str, str] = {}
    for key in request.GET:
        value = str(request.GET.get(key, ""))
        if key.startswith("cf_") and len(key) < 60 and value.strip() and "\x00" not in value:
            custom[key[3:]] = value
    return custom


class ExportJobOut(Schema):
    id: int
    entity: str
    format: str
    status: Literal["queued", "running", "done", "failed"]
    rows: int
    total: int | None
    percent: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    download_url: str | None


def _job_out(export: Export) -> dict[str, Any]:
    done = export.status == Export.Status.DONE and bool(export.file)
    return {
        "id": export.pk,
        "entity": export.entity,
        "format": export.format,
        "status": export.status,
        "rows": export.rows,
        "total": export.total,
        "percent": export.percent,
        "started_at": export.started_at,
        "finished_at": export.finished_at,
        "download_url": reverse("api:download_export_job", kwargs={"export_id": export.pk})
        if done
        else None,
    }


def _download_or_job(request: HttpRequest, file: exports.ExportFile) -> HttpResponseBase:
    """The file itself, or 202 with the background job to poll (a large XLSX)."""
    if file.queued:
        from sputnik.api import api

        return api.create_response(request, _job_out(file.export), status=202)
    return streaming_download(file)


def _own_job(request: HttpRequest, export_id: int) -> Export:
    return Export.objects.get(pk=export_id, actor=actor_of(request))


@router.get(
    "/export-jobs/{export_id}",
    response={200: ExportJobOut, **ERRORS},
    summary="Progress of an export built in the background",
    operation_id="sputnik_parties_api_get_export_job",
)
def get_export_job(request: HttpRequest, export_id: Id) -> dict[str, Any]:
    """Only the user who asked for the export sees it; anyone else gets 404."""
    return _job_out(_own_job(request, export_id))


@router.get(
    "/export-jobs/{export_id}/file",
    response={200: None, **ERRORS},
    summary="Download the file of a finished background export",
    operation_id="sputnik_parties_api_download_export_job",
)
def download_export_job(request: HttpRequest, export_id: Id) -> HttpResponseBase:
    export = _own_job(request, export_id)
    if export.status != Export.Status.DONE or not export.file:
        raise Export.DoesNotExist("not ready")
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=(export.file.name or "export.xlsx").rsplit("/", 1)[-1],
        content_type=exports.CONTENT_TYPES[export.format],  # type: ignore[index]
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _export_error(exc: exports.ExportError) -> ValidationError:
    return ValidationError({"format": [str(exc)]})


@router.get(
    "/exports/persons",
    response={200: None, 202: ExportJobOut, **ERRORS},
    summary="Export the persons you see (the list's filters) as CSV, XLSX or vCard",
    operation_id="sputnik_parties_api_export_persons",
)
def export_persons(request: HttpRequest, params: Query[PersonExportQuery]) -> HttpResponseBase:
    """Streams: CSV and vCard of any size start at once and use flat memory. An XLSX over
    200,000 rows answers 202 with a background job to poll (GET /export-jobs/{id}) and
    download when done. Audited with the filter and row count."""
    actor = actor_of(request)
    owner_id = actor.pk if params.owner == "me" else (int(params.owner) if params.owner else None)
    filters = selectors.PersonFilters(
        q=params.q.strip(),
        stage=params.stage or "",
        centre_id=params.centre,
        owner_id=owner_id,
        tag=params.tag.strip(),
        interest=params.interest.strip(),
        source=params.source or "",
        custom=_custom_filters(request),
        escalated=params.escalated,
    )
    try:
        file = exports.export_persons(actor=actor, filters=filters, fmt=params.format, via="api")
    except exports.ExportError as exc:
        raise _export_error(exc) from exc
    return _download_or_job(request, file)


@router.get(
    "/exports/companies",
    response={200: None, 202: ExportJobOut, **ERRORS},
    summary="Export the companies you see as CSV or XLSX",
    operation_id="sputnik_parties_api_export_companies",
)
def export_companies(request: HttpRequest, params: Query[CompanyExportQuery]) -> HttpResponseBase:
    try:
        file = exports.export_companies(
            actor=actor_of(request),
            q=params.q,
            centre_id=params.centre,
            fmt=params.format,
            via="api",
        )
    except exports.ExportError as exc:
        raise _export_error(exc) from exc
    return _download_or_job(request, file)


@router.post(
    "/imports/vcard",
    response={200: VCardImportOut, **ERRORS},
    summary="Import persons from a vCard file (2.1, 3.0 or 4.0; many cards)",
    operation_id="sputnik_parties_api_import_vcard",
)
def import_vcard(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Multipart upload, field `file`. Each card is created through the same checks as
    POST /persons; a card whose phone or e-mail is already known is skipped; each card
    that fails is reported with its reasons and the others are kept."""
    if (file.size or 0) > MAX_VCARD_BYTES:
        raise ValidationError({"file": [_too_large()]})
    try:
        report = vcard_import(
            actor=actor_of(request), data=file.read(), filename=str(file.name or "")[:200]
        )
    except VCardFileError as exc:
        raise ValidationError({"file": [str(exc)]}) from exc
    return {
        "created": report.created,
        "duplicates": report.duplicates,
        "errors": report.errors,
        "cards": [
            {
                "number": o.number,
                "name": o.name,
                "status": o.status,
                "person_id": o.person_id,
                "messages": o.messages,
            }
            for o in report.outcomes
        ],
    }


def _too_large() -> str:
    return _("The file is too large; the limit is %(limit)d MB.") % {
        "limit": MAX_VCARD_BYTES // 1024 // 1024
    }
