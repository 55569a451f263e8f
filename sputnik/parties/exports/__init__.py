"""Export the list a user sees — the current filter — as CSV, XLSX or vCard.

    export_persons(actor=…, filters=PersonFilters(…), fmt="csv") -> ExportFile
    export_companies(actor=…, q=…, centre_id=…, fmt="xlsx") -> ExportFile

The rows come from the same visibility-scoped selectors as the lists
(`filtered_persons`, `filtered_companies`), so an export never holds a record the user
cannot open. Every export is logged (documents.Export) and audited with its filter and
row count.

Size policy: CSV and vCard stream at any size — rows leave as they are read, memory
stays flat and the first byte leaves at once, so a million rows neither time out nor
exhaust memory. XLSX cannot be streamed (a zip is finished only at its end): up to
XLSX_SYNC_LIMIT rows it is built in constant-memory mode in a temporary file and sent
at once; a larger one is queued as a background job (jobs.py) whose status page shows
its progress and then a download link. Beyond an Excel sheet's 1,048,575 rows XLSX is
refused with a message pointing to CSV.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sputnik.core.models import User
from sputnik.core.roles import Right
from sputnik.documents.models import Export
from sputnik.parties.errors import AccessDenied
from sputnik.parties.exports.cells import is_formula_like, safe_cell
from sputnik.parties.exports.columns import DEFAULT_CHUNK
from sputnik.parties.exports.log import RowCounter, export_finish, export_start
from sputnik.parties.exports.sources import export_source
from sputnik.parties.exports.writers import XLSX_MAX_ROWS, csv_stream, file_chunks, xlsx_file
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
    content: Iterator[bytes] | None  # None: queued, built in the background
    filename: str
    content_type: str
    export: Export

    @property
    def queued(self) -> bool:
        return self.content is None


def _tracked(
    export: Export, stream: Iterator[bytes], counter: RowCounter, language: str | None
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
        export_finish(export, counter.rows, finished)


def _check_format(fmt: str, allowed: set[str]) -> str:
    if fmt not in allowed:
        raise ExportError(
            _("Unknown export format %(format)s; choose one of: %(choices)s.")
            % {"format": safe_cell(str(fmt))[:20], "choices": ", ".join(sorted(allowed))}
        )
    return fmt


def _count(qs: Any, cap: int) -> int:
    """Rows of the list, counted no further than `cap` (an exact count of a million costs)."""
    return int(qs.values("pk")[:cap].count())


def _filename(entity: str, fmt: str) -> str:
    return f"{entity}-{timezone.localtime():%Y%m%d-%H%M}.{EXTENSIONS[fmt]}"  # type: ignore[index]


def _export(
    *, actor: User, entity: str, fmt: str, filters: dict[str, Any], via: str, chunk_size: int
) -> ExportFile:
    from sputnik.parties.exports.jobs import queue_export
    from sputnik.parties.vcard.writer import vcard_stream

    source = export_source(
        actor=actor, entity=entity, fmt=fmt, filters=filters, chunk_size=chunk_size
    )
    content_type = CONTENT_TYPES[fmt]  # type: ignore[index]
    filename = _filename(entity, fmt)
    if fmt == Export.Format.XLSX:
        rows = _count(source.queryset, XLSX_MAX_ROWS + 1)
        if rows > XLSX_MAX_ROWS:
            raise ExportError(
                _(
                    "The list has more rows than an Excel sheet holds (1,048,575). "
                    "Narrow the filter or export CSV, which has no limit."
                )
            )
        if rows > XLSX_SYNC_LIMIT:
            export = queue_export(
                actor=actor, entity=entity, fmt=fmt, filters=filters, via=via, total=rows
            )
            return ExportFile(None, filename, content_type, export)
        export = export_start(actor, entity, fmt, filters, via, total=rows)
        counter = RowCounter()
        try:
            handle = xlsx_file(
                source.columns, source.chunks, sheet_name=source.sheet_name, on_rows=counter
            )
        except BaseException:
            export_finish(export, counter.rows, ok=False)
            raise
        export_finish(export, counter.rows, ok=True)
        return ExportFile(file_chunks(handle), filename, content_type, export)
    export = export_start(actor, entity, fmt, filters, via)
    counter = RowCounter()
    if fmt == Export.Format.VCARD:
        stream = vcard_stream(source.chunks, on_rows=counter)
    else:
        encoding = "cp1251" if fmt == Export.Format.CSV_1251 else "utf-8"
        stream = csv_stream(source.columns, source.chunks, encoding=encoding, on_rows=counter)
    return ExportFile(
        _tracked(export, stream, counter, translation.get_language()),
        filename,
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
    """The persons the actor sees under `filters`, in `fmt` (csv, csv_cp1251, xlsx, vcard).

    A large XLSX comes back queued (`ExportFile.content` is None): it is built in the
    background and offered for download on its status page.
    """
    if actor is None or not actor.has_right(Right.PARTY_VIEW):
        raise AccessDenied(Right.PARTY_VIEW)
    fmt = _check_format(fmt, set(Export.Format.values))
    return _export(
        actor=actor,
        entity=Export.Entity.PERSONS,
        fmt=fmt,
        filters=dataclasses.asdict(filters),
        via=via,
        chunk_size=chunk_size,
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
    return _export(
        actor=actor,
        entity=Export.Entity.COMPANIES,
        fmt=fmt,
        filters={"q": q, "centre_id": centre_id},
        via=via,
        chunk_size=chunk_size,
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
