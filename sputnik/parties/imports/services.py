"""Writes on import batches and saved mappings; reads of them, scoped to the actor.

The steps a user takes: upload (the file is read and a mapping suggested), configure
(mapping, encoding/separator, duplicate and bad-row policies, optionally saved under a
name), check (a dry run in the background: the per-row report, nothing written), run
(in the background), undo. Only roles with the create right import; a batch is seen by
the user who uploaded it (and administrators).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.models import User
from sputnik.core.roles import Right
from sputnik.parties.errors import AccessDenied
from sputnik.parties.imports import fields as import_fields
from sputnik.parties.imports.messages import render
from sputnik.parties.imports.reading import DELIMITERS, ENCODING_CHOICES, FileProblem, sniff
from sputnik.parties.imports.rows import check_mapping
from sputnik.parties.imports.upload import StoredFile
from sputnik.parties.imports.work import enqueue_on_commit
from sputnik.parties.models import ImportBatch, ImportMapping
from sputnik.parties.models.imports import ImportRowError

Status = ImportBatch.Status


def _require_import(actor: User) -> None:
    if actor is None or not actor.has_right(Right.PARTY_CREATE):
        raise AccessDenied(Right.PARTY_CREATE)


def _problem(field: str, code: str, params: dict[str, Any] | None = None) -> ValidationError:
    return ValidationError({field: [render(code, params)]})


# --- reads --------------------------------------------------------------------------------


def import_batches(*, actor: User) -> QuerySet[ImportBatch]:
    """The batches the actor may see: their own; administrators see every batch."""
    qs = ImportBatch.objects.select_related("created_by", "centre")
    if actor.has_right(Right.CONFIGURE):
        return qs
    return qs.filter(created_by=actor)


def import_batch_get(*, actor: User, batch_id: int) -> ImportBatch:
    """A visible batch or ImportBatch.DoesNotExist (a 404, like a missing id)."""
    return import_batches(actor=actor).get(pk=batch_id)


def saved_mappings(*, actor: User, entity: str) -> QuerySet[ImportMapping]:
    return ImportMapping.objects.filter(created_by=actor, entity=entity)


# --- writes -------------------------------------------------------------------------------


@transaction.atomic
def import_upload(
    *,
    actor: User,
    stored: StoredFile,
    entity: str,
    centre_id: int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> ImportBatch:
    """Register an uploaded file as a batch: read it, suggest a mapping. Bad file: no batch."""
    _require_import(actor)
    if entity not in ImportBatch.Entity.values:
        stored.discard()
        raise _problem("entity", "file_type")
    try:
        info = sniff(stored.path, name=stored.name, encoding=encoding, delimiter=delimiter)
    except FileProblem as problem:
        stored.discard()
        raise _problem("file", problem.code, problem.params) from problem
    if not (centre_id or actor.centre_id):
        stored.discard()
        raise _problem("file", "no_centre")
    notes = []
    if info.formula_count:
        notes.append(
            {
                "code": "formula_cells",
                "params": {"count": info.formula_count, "cells": ", ".join(info.formula_refs)},
            }
        )
    batch = ImportBatch.objects.create(
        entity=entity,
        created_by=actor,
        centre_id=centre_id or actor.centre_id,
        file_name=stored.name or "import",
        file_path=stored.relative_path,
        file_size=stored.size,
        file_sha256=stored.sha256,
        file_format=info.format,
        encoding=info.encoding,
        delimiter=info.delimiter,
        sheet=info.sheet,
        headers=info.headers,
        mapping=import_fields.suggest_mapping(info.headers, entity),
        total_rows=info.estimated_rows,
        file_notes=notes,
    )
    return batch


def _editable(actor: User, batch: ImportBatch) -> ImportBatch:
    _require_import(actor)
    locked = import_batches(actor=actor).select_for_update(of=("self",)).filter(pk=batch.pk).first()
    if locked is None:
        raise AccessDenied("not visible")
    return locked


@transaction.atomic
def import_configure(
    *,
    actor: User,
    batch: ImportBatch,
    mapping: dict[str, str],
    duplicates: str,
    on_error: str,
    encoding: str = "",
    delimiter: str = "",
    save_as: str = "",
) -> ImportBatch:
    """Set how the file is read and mapped and what to do with duplicates and bad rows."""
    batch = _editable(actor, batch)
    if batch.status not in (Status.UPLOADED, Status.READY, Status.VALIDATED, Status.FAILED):
        raise ValidationError({"__all__": [_("This import can no longer be changed.")]})
    errors: dict[str, list[str]] = {}
    if duplicates not in ImportBatch.Duplicates.values:
        errors["duplicates"] = [_("Choose a valid option.")]
    if on_error not in ImportBatch.OnError.values:
        errors["on_error"] = [_("Choose a valid option.")]
    if encoding and encoding not in ENCODING_CHOICES:
        errors["encoding"] = [_("Choose a valid option.")]
    if delimiter and delimiter not in DELIMITERS:
        errors["delimiter"] = [_("Choose a valid option.")]
    if errors:
        raise ValidationError(errors)
    if batch.file_format == "csv" and (
        (encoding and encoding != batch.encoding) or (delimiter and delimiter != batch.delimiter)
    ):
        from sputnik.parties.imports.engine import stored_path

        try:
            info = sniff(
                stored_path(batch),
                name=batch.file_name,
                encoding=encoding or batch.encoding,
                delimiter=delimiter or batch.delimiter,
            )
        except FileProblem as problem:
            raise _problem("encoding", problem.code, problem.params) from problem
        if info.headers != batch.headers:
            mapping = import_fields.suggest_mapping(info.headers, batch.entity)
        batch.encoding, batch.delimiter, batch.headers = info.encoding, info.delimiter, info.headers
    known = import_fields.targets(batch.entity)
    clean_mapping = {
        str(k): str(v)
        for k, v in mapping.items()
        if str(k).isdigit() and int(k) < len(batch.headers) and v in known
    }
    problems = check_mapping(
        entity=batch.entity,
        headers=batch.headers,
        mapping=clean_mapping,
        actor=actor,
        duplicates=duplicates,
    )
    if problems:
        raise ValidationError({"__all__": [render(code, params) for code, params in problems]})
    batch.mapping = clean_mapping
    batch.duplicates = duplicates
    batch.on_error = on_error
    batch.status = Status.READY
    batch.validation = {}
    batch.failure = {}
    batch.save()
    ImportRowError.objects.filter(batch=batch).delete()
    name = save_as.strip()[:100]
    if name:
        ImportMapping.objects.update_or_create(
            created_by=actor,
            entity=batch.entity,
            name=name,
            defaults={
                "columns": import_fields.saved_columns(batch.headers, clean_mapping),
                "updated_at": timezone.now(),
            },
        )
    return batch


@transaction.atomic
def import_check(*, actor: User, batch: ImportBatch, enqueue: bool = True) -> ImportBatch:
    """Queue the dry run: every row validated, normalised and matched; nothing written."""
    batch = _editable(actor, batch)
    if batch.status not in (Status.READY, Status.VALIDATED):
        raise ValidationError({"__all__": [_("Map the columns first.")]})
    batch.status = Status.VALIDATING
    batch.cursor = 1
    batch.validation = {}
    batch.claim_token = ""
    batch.attempts = 0
    batch.heartbeat_at = timezone.now()
    batch.save()
    if enqueue:  # the CLI works the batch in its own process instead
        enqueue_on_commit(batch.pk)
    return batch


@transaction.atomic
def import_start(*, actor: User, batch: ImportBatch, enqueue: bool = True) -> ImportBatch:
    """Queue the run. Under "write nothing if any row is bad", a checked file with bad rows
    is refused here, before anything is written."""
    batch = _editable(actor, batch)
    if batch.status not in (Status.READY, Status.VALIDATED):
        raise ValidationError({"__all__": [_("This import cannot be started now.")]})
    if batch.on_error == ImportBatch.OnError.WRITE_NOTHING:
        if batch.status != Status.VALIDATED:
            raise ValidationError(
                {
                    "__all__": [
                        _("Check the file first: you chose to write nothing if any row is bad.")
                    ]
                }
            )
        invalid = int(batch.validation.get("invalid", 0))
        if invalid:
            raise ValidationError(
                {"__all__": [render("bad_rows_write_nothing", {"count": invalid})]}
            )
    batch.status = Status.QUEUED
    batch.cursor = 1
    batch.counts = {}
    batch.claim_token = ""
    batch.attempts = 0
    batch.heartbeat_at = timezone.now()
    batch.save()
    if enqueue:
        enqueue_on_commit(batch.pk)
    return batch


@transaction.atomic
def import_undo(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """Queue the undo of a finished import: created records removed, updated ones restored."""
    batch = _editable(actor, batch)
    if batch.status != Status.DONE:
        raise ValidationError({"__all__": [_("Only a finished import can be undone.")]})
    batch.status = Status.UNDOING
    batch.undone_by = actor
    batch.claim_token = ""
    batch.attempts = 0
    batch.heartbeat_at = timezone.now()
    batch.save()
    enqueue_on_commit(batch.pk)
    return batch


def apply_saved_mapping(*, actor: User, batch: ImportBatch, name: str) -> dict[str, str]:
    """The saved mapping `name` applied to this batch's headers (not stored until configure)."""
    saved = saved_mappings(actor=actor, entity=batch.entity).filter(name=name).first()
    if saved is None:
        return dict(batch.mapping)
    return import_fields.mapping_from_saved(batch.headers, saved.columns, batch.entity)
