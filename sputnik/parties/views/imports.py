"""Import screens: the user's imports, upload, column mapping, preview and check, run,
live progress (HTMX polling), the error report, undo.

A batch the user may not see is a 404, exactly like a missing id. Uploading needs the
create right (403 otherwise). The upload is streamed through ImportUploadHandler, so
the size limit cuts a too-large file off while it arrives.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sputnik.core.models import Centre
from sputnik.core.roles import Right
from sputnik.parties.imports import fields as import_fields
from sputnik.parties.imports import services
from sputnik.parties.imports.messages import render as render_message
from sputnik.parties.imports.reading import DELIMITERS, ENCODING_CHOICES
from sputnik.parties.imports.report import error_report_lines, outcome_counts, preview
from sputnik.parties.imports.rows import may_place
from sputnik.parties.imports.upload import ImportUploadHandler, max_upload_bytes
from sputnik.parties.models import ImportBatch
from sputnik.web.access import acting_user, require_right, service_errors, visible_or_404


def _batch(request: HttpRequest, batch_id: int) -> ImportBatch:
    return visible_or_404(services.import_batch_get, actor=acting_user(request), batch_id=batch_id)


# --- list -------------------------------------------------------------------------------


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    batches = list(services.import_batches(actor=actor).order_by("-created_at", "-id")[:100])
    return render(
        request,
        "parties/imports/list.html",
        {
            "nav": "imports",
            "batches": batches,
            "can_import": actor.has_right(Right.PARTY_CREATE),
        },
    )


# --- upload -------------------------------------------------------------------------------


class UploadForm(forms.Form):
    entity = forms.ChoiceField(
        label=gettext_lazy("Records"),
        choices=ImportBatch.Entity.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".csv,.txt,.xlsx"}
        ),
    )
    centre = forms.ModelChoiceField(
        label=gettext_lazy("Centre for new records"),
        queryset=Centre.objects.filter(is_active=True),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, allow_centre: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_centre:
            del self.fields["centre"]


@login_required
@csrf_exempt  # the upload handler must be installed before the body is read; see below
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    require_right(acting_user(request), Right.PARTY_CREATE)
    handler = ImportUploadHandler(request, max_upload_bytes())
    if request.method == "POST":
        # Django reads the body when CSRF is checked, so the size-limited handler goes in
        # first and the CSRF check runs right after (csrf_protect on the inner view).
        request.upload_handlers = [handler]
    return _import_new(request, handler)


@csrf_protect
def _import_new(request: HttpRequest, handler: ImportUploadHandler) -> HttpResponse:
    actor = acting_user(request)
    allow_centre = may_place(actor)
    limit_mb = max_upload_bytes() // (1024 * 1024)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, allow_centre=allow_centre)
        if handler.too_large:
            form.is_valid()
            form.errors.clear()
            form.add_error(None, render_message("file_too_large", {"limit": limit_mb}))
        elif form.is_valid():
            uploaded = form.cleaned_data["file"]
            stored = getattr(uploaded, "stored", None)
            if stored is None:
                form.add_error("file", _("The upload did not arrive whole; try again."))
            else:
                centre = form.cleaned_data.get("centre")
                try:
                    with service_errors():
                        batch = services.import_upload(
                            actor=actor,
                            stored=stored,
                            entity=form.cleaned_data["entity"],
                            centre_id=centre.pk if centre else None,
                        )
                except ValidationError as exc:
                    for messages_ in exc.message_dict.values():
                        for message in messages_:
                            form.add_error(None, message)
                else:
                    return redirect("parties:import_mapping", batch_id=batch.pk)
        else:
            stored = getattr(request.FILES.get("file"), "stored", None)
            if stored is not None:
                stored.discard()
        status = 413 if handler.too_large else 422
    else:
        form = UploadForm(
            initial={"entity": request.GET.get("entity") or "person"}, allow_centre=allow_centre
        )
        status = 200
    return render(
        request,
        "parties/imports/new.html",
        {"nav": "imports", "form": form, "limit_mb": limit_mb},
        status=status,
    )


# --- mapping ------------------------------------------------------------------------------


def _mapping_context(
    request: HttpRequest, batch: ImportBatch, mapping: dict[str, str], errors: list[str]
) -> dict[str, Any]:
    actor = acting_user(request)
    known = import_fields.targets(batch.entity)
    choices = [("", _("— do not import —"))] + [
        (key, str(t.label)) for key, t in known.items() if not t.placement or may_place(actor)
    ]
    info_sample = preview_sample(batch)
    columns = []
    for i, header in enumerate(batch.headers):
        samples = [str(row[i]) for row in info_sample if i < len(row) and str(row[i]).strip()][:3]
        columns.append(
            {"index": i, "header": header, "samples": samples, "selected": mapping.get(str(i), "")}
        )
    return {
        "nav": "imports",
        "batch": batch,
        "columns": columns,
        "choices": choices,
        "errors": errors,
        "saved": list(services.saved_mappings(actor=actor, entity=batch.entity)),
        "encodings": ENCODING_CHOICES,
        "delimiters": [(d, {"\t": _("Tab")}.get(d, d)) for d in DELIMITERS],
        "duplicate_choices": ImportBatch.Duplicates.choices,
        "error_choices": ImportBatch.OnError.choices,
        "file_notes": [
            render_message(n.get("code", ""), n.get("params")) for n in batch.file_notes
        ],
    }


def preview_sample(batch: ImportBatch) -> list[list[Any]]:
    from itertools import islice

    from sputnik.parties.imports.engine import file_info, stored_path
    from sputnik.parties.imports.reading import FileProblem, iter_rows

    try:
        rows = iter_rows(stored_path(batch), file_info(batch))
        sample = [values for _n, values in islice(rows, 5)]
        rows.close()
        return sample
    except FileProblem:
        return []


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, batch_id: int) -> HttpResponse:
    actor = acting_user(request)
    batch = _batch(request, batch_id)
    require_right(actor, Right.PARTY_CREATE)
    errors: list[str] = []
    mapping = dict(batch.mapping)
    if request.method == "POST":
        mapping = {
            str(i): str(request.POST.get(f"col_{i}") or "")
            for i in range(len(batch.headers))
            if request.POST.get(f"col_{i}")
        }
        try:
            with service_errors():
                services.import_configure(
                    actor=actor,
                    batch=batch,
                    mapping=mapping,
                    duplicates=str(request.POST.get("duplicates") or ""),
                    on_error=str(request.POST.get("on_error") or ""),
                    encoding=str(request.POST.get("encoding") or ""),
                    delimiter=str(request.POST.get("delimiter") or ""),
                    save_as=str(request.POST.get("save_as") or ""),
                )
        except ValidationError as exc:
            errors = [m for ms in exc.message_dict.values() for m in ms]
        else:
            batch.refresh_from_db()
            if "apply_reading" in request.POST:
                return redirect("parties:import_mapping", batch_id=batch.pk)
            return redirect("parties:import_detail", batch_id=batch.pk)
    elif request.GET.get("saved"):
        mapping = services.apply_saved_mapping(
            actor=actor, batch=batch, name=str(request.GET["saved"])[:100]
        )
    context = _mapping_context(request, batch, mapping, errors)
    return render(request, "parties/imports/mapping.html", context, status=422 if errors else 200)


# --- the batch: preview, check, run, progress, report, undo ---------------------------------


def _detail_context(batch: ImportBatch) -> dict[str, Any]:
    return {
        "nav": "imports",
        "batch": batch,
        "counts": outcome_counts(batch),
        "failure": render_message(batch.failure.get("code", ""), batch.failure.get("params"))
        if batch.failure
        else "",
        "file_notes": [
            render_message(n.get("code", ""), n.get("params")) for n in batch.file_notes
        ],
        "error_count": batch.row_errors.filter(is_error=True).count(),
        "note_count": batch.row_errors.filter(is_error=False).count(),
    }


@login_required
@require_GET
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    context = _detail_context(batch)
    if batch.status in (
        ImportBatch.Status.READY,
        ImportBatch.Status.VALIDATED,
        ImportBatch.Status.UPLOADED,
    ):
        context["preview"] = preview(batch)
    return render(request, "parties/imports/detail.html", context)


@login_required
@require_GET
def import_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    response = render(request, "parties/imports/_progress.html", _detail_context(batch))
    if request.GET.get("polling") and not batch.is_active:
        # Finished while the page watched: reload it for the new actions and counts.
        response["HX-Refresh"] = "true"
    return response


def _action(request: HttpRequest, batch_id: int, service: Any, done: str) -> HttpResponse:
    actor = acting_user(request)
    batch = _batch(request, batch_id)
    try:
        with service_errors():
            service(actor=actor, batch=batch)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("parties:import_detail", batch_id=batch.pk)


@login_required
@require_POST
def import_check(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _action(request, batch_id, services.import_check, _("Checking the file…"))


@login_required
@require_POST
def import_run(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _action(request, batch_id, services.import_start, _("The import has started."))


@login_required
@require_POST
def import_undo(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _action(request, batch_id, services.import_undo, _("Undoing the import…"))


@login_required
@require_GET
def import_errors(request: HttpRequest, batch_id: int) -> HttpResponseBase:
    batch = _batch(request, batch_id)
    response = StreamingHttpResponse(
        error_report_lines(batch), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.csv"'
    return response
