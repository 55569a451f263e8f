"""Export the persons or companies list as filtered on screen; import persons from vCard."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from sputnik.core.roles import Right
from sputnik.documents.models import Export
from sputnik.parties import exports, selectors
from sputnik.parties.vcard import MAX_VCARD_BYTES, VCardFileError, vcard_import
from sputnik.parties.views._common import _is_fragment
from sputnik.web.access import acting_user, require_right, service_errors


def streaming_download(file: exports.ExportFile) -> StreamingHttpResponse:
    """A download that starts at once and never holds the whole file in memory."""
    assert file.content is not None
    response = StreamingHttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _download_or_status(request: HttpRequest, file: exports.ExportFile) -> HttpResponseBase:
    if file.queued:
        messages.info(
            request,
            _("The list is large: the XLSX file is being prepared. It will be ready here."),
        )
        return redirect("parties:export_status", export_id=file.export.pk)
    return streaming_download(file)


def _back(list_name: str, request: HttpRequest) -> HttpResponse:
    params = {k: v for k, v in request.GET.items() if k != "format"}
    url = reverse(list_name)
    return redirect(f"{url}?{urlencode(params)}" if params else url)


@login_required
@require_GET
def person_export(request: HttpRequest) -> HttpResponseBase:
    """?format=csv|csv_cp1251|xlsx|vcard plus the list's own filter parameters."""
    actor = acting_user(request)
    filters = selectors.PersonFilters.from_params(request.GET, actor)
    try:
        with service_errors():
            file = exports.export_persons(
                actor=actor, filters=filters, fmt=str(request.GET.get("format") or "csv")
            )
    except exports.ExportError as exc:
        messages.error(request, str(exc))
        return _back("parties:person_list", request)
    return _download_or_status(request, file)


@login_required
@require_GET
def company_export(request: HttpRequest) -> HttpResponseBase:
    """?format=csv|csv_cp1251|xlsx plus the company list's search and centre."""
    actor = acting_user(request)
    centre = str(request.GET.get("centre") or "")
    try:
        with service_errors():
            file = exports.export_companies(
                actor=actor,
                q=str(request.GET.get("q") or ""),
                centre_id=int(centre)
                if centre.isascii() and centre.isdigit() and len(centre) < 19
                else None,
                fmt=str(request.GET.get("format") or "csv"),
            )
    except exports.ExportError as exc:
        messages.error(request, str(exc))
        return _back("parties:company_list", request)
    return _download_or_status(request, file)


class VCardUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("vCard file (.vcf)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".vcf,text/vcard,text/x-vcard"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["file"].widget.attrs["class"] = "form-control"

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_VCARD_BYTES:
            raise forms.ValidationError(
                _("The file is too large; the limit is %(limit)d MB.")
                % {"limit": MAX_VCARD_BYTES // 1024 // 1024}
            )
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def person_vcard_import(request: HttpRequest) -> HttpResponseBase:
    actor = acting_user(request)
    require_right(actor, Right.PARTY_CREATE)
    report = None
    if request.method == "POST":
        form = VCardUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                with service_errors():
                    report = vcard_import(
                        actor=actor, data=upload.read(), filename=str(upload.name or "")[:200]
                    )
            except VCardFileError as exc:
                form.add_error("file", str(exc))
            else:
                if report.created:
                    messages.success(
                        request,
                        _("Persons created: %(n)d.") % {"n": report.created},
                    )
    else:
        form = VCardUploadForm()
    return render(
        request,
        "parties/exports/vcard_import.html",
        {"nav": "persons", "form": form, "report": report},
    )


def _own_export(request: HttpRequest, export_id: int) -> Export:
    """An export is its requester's: anyone else gets the missing-record answer."""
    try:
        return Export.objects.get(pk=export_id, actor=acting_user(request))
    except Export.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def export_status(request: HttpRequest, export_id: int) -> HttpResponse:
    """Progress of a background export (polled by HTMX), then its download link."""
    export = _own_export(request, export_id)
    template = (
        "parties/exports/_status.html" if _is_fragment(request) else "parties/exports/status.html"
    )
    return render(request, template, {"export": export, "nav": "persons"})


@login_required
@require_GET
def export_download(request: HttpRequest, export_id: int) -> HttpResponseBase:
    export = _own_export(request, export_id)
    if export.status != Export.Status.DONE or not export.file:
        raise Http404
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=(export.file.name or "export.xlsx").rsplit("/", 1)[-1],
        content_type=exports.CONTENT_TYPES[export.format],  # type: ignore[index]
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
