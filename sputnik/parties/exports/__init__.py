"""Export the list a user sees — the current filter — as CSV, XLSX or vCard.

    export_persons(actor=…, filters=PersonFilters(…), fmt="csv") -> ExportFile
    export_companies(actor=…, q=…, centre_id=…, fmt="xlsx") -> ExportFile

The rows come from the same visibility-scoped selectors as the lists
(`filtered_persons`, `filtered_companies`), so an export never holds a record the user
cannot open. Every export is logged (documents.Export) and audited with its filter and
row count.

Size policy: CSV and vCard stream at any size — rows leave as they are read, memory
stays flat and the first byte leaves at once, so a million rows neither time out nor
exhaust memory. XLSX cannot be streamed (a zip is finished at its end): it is built in
constant-memory mode in a temporary file and sent when done, up to XLSX_SYNC_LIMIT rows;
a larger XLSX is refused with a message pointing to CSV (a background job with a
download link is the next step when the business needs million-row workbooks).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sputnik.core.audit import audit_record
from sputnik.core.models import User
from sputnik.core.roles import Right
from sputnik.documents.models import Export
from sputnik.parties import selectors
from sputnik.parties.errors import AccessDenied
from sputnik.parties.exports.cells import is_formula_like, safe_cell
from sputnik.parties.exports.columns import (
    COMPANY_COLUMNS,
    DEFAULT_CHUNK,
    PERSON_COLUMNS,
    company_records,
    person_records,
)
from sputnik.parties.exports.writers import csv_stream, file_chunks, xlsx_file
from sputnik.parties.selectors import PersonFilters

XLSX_SYNC_LIMIT = 200_000

CONTENT_TYPES = {
    Export.Format.CSV: "text/csv; charset=utf-8",
    Export.Format.CSV_1251: "text/csv; charset=windows-1251",
    Export.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Export.Format.VCARD: "text/vcard; charset=utf-8",
}
EXTENSIONS = {
    Export.Format.CSV: "csv",
    Export.Format.CSV_1251: "csv",
    Export.Format.XLSX: "xlsx",
    Export.Format.VCARD: "vcf",
}


class ExportError(ValueError):
    """The export cannot be made as asked; the message is for the user."""


@dataclass
class ExportFile:
    content: Iterator[bytes]
    filename: str
    content_type: str
    export: Export


class _Counter:
    def __init__(self) -> None:
        self.rows = 0

    def __call__(self, n: int) -> None:
        self.rows += n


def _start(actor: User, entity: str, fmt: str, filters: dict[str, Any], via: str) -> Export:
    with transaction.atomic():
        export = Export.objects.create(
            actor=actor, entity=entity, format=fmt, filters=filters, via=via
        )
        audit_record(
            actor=actor,
            action="create",
            instance=export,
            after={"entity": entity, "format": fmt, "filters": filters, "via": via},
            summary=f"export {entity} {fmt}",
        )
    return export


def _finish(export: Export, rows: int, ok: bool) -> None:
    export.rows = rows
    export.status = Export.Status.DONE if ok else Export.Status.FAILED
    export.finished_at = timezone.now()
    with transaction.atomic():
        export.save(update_fields=["rows", "status", "finished_at"])
        audit_record(
            actor=export.actor,
            action="update",
            instance=export,
            before={"rows": 0, "status": Export.Status.RUNNING},
            after={"rows": rows, "status": export.status},
            summary=f"export {export.entity} {export.format}: {rows}",
        )


def _tracked(
    export: Export, stream: Iterator[bytes], counter: _Counter, language: str | None
) -> Iterator[bytes]:
    """Pass the stream through and log its end: done, or failed (client gone, error).

    The rows are written after the view has returned, so the headers and choice labels
    are rendered in the language the request had, not whatever the thread has by then.
    """
    finished = False
    try:
        with translation.override(language):
            yield from stream
        finished = True
    finally:
        _finish(export, counter.rows, finished)


def _check_format(fmt: str, allowed: set[str]) -> str:
    if fmt not in allowed:
        raise ExportError(
            _("Unknown export format %(format)s; choose one of: %(choices)s.")
            % {"format": safe_cell(str(fmt))[:20], "choices": ", ".join(sorted(allowed))}
        )
    return fmt


def _check_xlsx_size(qs: Any) -> None:
    if qs.values("pk")[: XLSX_SYNC_LIMIT + 1].count() > XLSX_SYNC_LIMIT:
        raise ExportError(
            _(
                "The list has more than %(limit)s rows: too many for an XLSX download. "
                "Narrow the filter or export CSV, which has no limit."
            )
            % {"limit": f"{XLSX_SYNC_LIMIT:,}".replace(",", " ")}
        )


def _filename(entity: str, fmt: str) -> str:
    return f"{entity}-{timezone.localtime():%Y%m%d-%H%M}.{EXTENSIONS[fmt]}"  # type: ignore[index]


def _render(
    *,
    actor: User,
    entity: str,
    fmt: str,
    filters: dict[str, Any],
    via: str,
    columns: list[Any],
    chunks: Any,
    sheet_name: str,
) -> ExportFile:
    from sputnik.parties.vcard.writer import vcard_stream

    export = _start(actor, entity, fmt, filters, via)
    counter = _Counter()
    content_type = CONTENT_TYPES[fmt]  # type: ignore[index]
    if fmt == Export.Format.XLSX:
        try:
            handle = xlsx_file(columns, chunks, sheet_name=sheet_name, on_rows=counter)
        except BaseException:
            _finish(export, counter.rows, ok=False)
            raise
        _finish(export, counter.rows, ok=True)
        return ExportFile(file_chunks(handle), _filename(entity, fmt), content_type, export)
    if fmt == Export.Format.VCARD:
        stream = vcard_stream(chunks, on_rows=counter)
    else:
        encoding = "cp1251" if fmt == Export.Format.CSV_1251 else "utf-8"
        stream = csv_stream(columns, chunks, encoding=encoding, on_rows=counter)
    return ExportFile(
        _tracked(export, stream, counter, translation.get_language()),
        _filename(entity, fmt),
        content_type,
        export,
    )


def export_persons(
    *,
    actor: User,
    filters: PersonFilters,
    fmt: str,
    via: str = "web",
    chunk_size: int = DEFAULT_CHUNK,
) -> ExportFile:
    """The persons the actor sees under `filters`, in `fmt` (csv, csv_cp1251, xlsx, vcard)."""
    if actor is None or not actor.has_right(Right.PARTY_VIEW):
        raise AccessDenied(Right.PARTY_VIEW)
    fmt = _check_format(fmt, set(Export.Format.values))
    qs = selectors.filtered_persons(actor=actor, filters=filters)
    if fmt == Export.Format.XLSX:
        _check_xlsx_size(qs)

    def employers(ids: set[int]) -> dict[int, str]:
        # Only companies the actor may see: a hidden employer's name is another centre's data.
        return dict(selectors.visible_companies(actor).filter(pk__in=ids).values_list("pk", "name"))

    chunks = person_records(
        qs,
        chunk_size=chunk_size,
        with_addresses=fmt == Export.Format.VCARD,
        visible_employers=employers if fmt == Export.Format.VCARD else None,
    )
    return _render(
        actor=actor,
        entity=Export.Entity.PERSONS,
        fmt=fmt,
        filters=dataclasses.asdict(filters),
        via=via,
        columns=PERSON_COLUMNS,
        chunks=chunks,
        sheet_name=_("Persons"),
    )


def export_companies(
    *,
    actor: User,
    q: str = "",
    centre_id: int | None = None,
    fmt: str,
    via: str = "web",
    chunk_size: int = DEFAULT_CHUNK,
) -> ExportFile:
    """The companies the actor sees under the list's search, in csv, csv_cp1251 or xlsx."""
    if actor is None or not actor.has_right(Right.PARTY_VIEW):
        raise AccessDenied(Right.PARTY_VIEW)
    allowed = {Export.Format.CSV, Export.Format.CSV_1251, Export.Format.XLSX}
    fmt = _check_format(fmt, {str(f) for f in allowed})
    qs = selectors.filtered_companies(actor=actor, q=q, centre_id=centre_id)
    if fmt == Export.Format.XLSX:
        _check_xlsx_size(qs)
    return _render(
        actor=actor,
        entity=Export.Entity.COMPANIES,
        fmt=fmt,
        filters={"q": q, "centre_id": centre_id},
        via=via,
        columns=COMPANY_COLUMNS,
        chunks=company_records(qs, chunk_size=chunk_size),
        sheet_name=_("Companies"),
    )


__all__ = [
    "CONTENT_TYPES",
    "XLSX_SYNC_LIMIT",
    "ExportError",
    "ExportFile",
    "export_companies",
    "export_persons",
    "is_formula_like",
    "safe_cell",
]
