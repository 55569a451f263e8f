"""What the user reads about a batch: the preview of rows as they would be stored, the
outcome counts, and the per-row error report (CSV, in the reader's language).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.utils.translation import gettext as _

from sputnik.core.normalize import format_phone
from sputnik.parties.exports.cells import safe_cell
from sputnik.parties.imports.engine import file_info, stored_path
from sputnik.parties.imports.fields import targets
from sputnik.parties.imports.messages import render
from sputnik.parties.imports.reading import FileProblem, iter_rows
from sputnik.parties.imports.rows import RowCleaner
from sputnik.parties.models import ImportBatch
from sputnik.parties.models.imports import ImportRowError


@dataclass
class PreviewRow:
    number: int
    cells: list[str]
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Preview:
    columns: list[str]
    rows: list[PreviewRow]
    problem: str = ""


def preview(batch: ImportBatch, *, rows: int = 10) -> Preview:
    """The first rows cleaned as the import would store them, with their problems."""
    known = targets(batch.entity)
    used = []
    for key in dict.fromkeys(batch.mapping.values()):
        if key in known:
            used.append(key)
    if "full_name" in used:
        used = [k for k in used if k != "full_name"]
        for part in ("last_name", "first_name", "middle_name"):
            if part not in used:
                used.insert(0 if part == "last_name" else used.index("last_name") + 1, part)
    labels = {
        **{k: str(t.label) for k, t in known.items()},
        "last_name": str(known["last_name"].label) if "last_name" in known else "",
        "first_name": str(known["first_name"].label) if "first_name" in known else "",
        "middle_name": str(known["middle_name"].label) if "middle_name" in known else "",
    }
    result = Preview(columns=[labels.get(k, k) for k in used], rows=[])
    try:
        info = file_info(batch)
        cleaner = RowCleaner(
            entity=batch.entity,
            headers=info.headers,
            mapping=batch.mapping,
            actor=batch.created_by,
            formula_cells=info.formula_cells,
        )
        source = iter_rows(stored_path(batch), info)
        for number, values in islice(source, rows):
            row = cleaner.clean(number, values)
            cells = []
            for key in used:
                cells.append(_shown(key, row))
            result.rows.append(
                PreviewRow(
                    number=number,
                    cells=cells,
                    errors=[_cell(h, render(c, p)) for h, c, p in row.errors],
                    notes=[_cell(h, render(c, p)) for h, c, p in row.notes],
                )
            )
        source.close()
    except FileProblem as problem:
        result.problem = render(problem.code, problem.params)
    return result


def _cell(header: str, message: str) -> str:
    return f"{header}: {message}" if header else message


def _shown(key: str, row: Any) -> str:
    if key == "phone":
        return ", ".join(format_phone(p) for p in row.phones)
    if key == "email":
        return ", ".join(row.emails)
    if key.startswith("custom."):
        value = row.custom.get(key.removeprefix("custom."))
        return "" if value is None else str(value)
    if key in ("centre", "owner"):
        return str(row.centre_id or "") if key == "centre" else str(row.owner_id or "")
    value = row.fields.get(key)
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def error_report_lines(batch: ImportBatch, *, include_notes: bool = True) -> Iterator[str]:
    """The report as CSV lines: row, column, message (in the active language), kind.

    UTF-8 with a byte-order mark and `;` so that Excel opens it as Russian users expect.
    """
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow([_("Row"), _("Column"), _("Message"), _("Kind")])
    if batch.failure:
        yield writer.writerow(
            ["", "", render(batch.failure.get("code", ""), batch.failure.get("params")), _("error")]
        )
    for note in batch.file_notes or []:
        yield writer.writerow(["", "", render(note.get("code", ""), note.get("params")), _("note")])
    qs = ImportRowError.objects.filter(batch=batch)
    if not include_notes:
        qs = qs.filter(is_error=True)
    for number, column, code, params, is_error in (
        qs.order_by("row_number", "id")
        .values_list("row_number", "column", "code", "params", "is_error")
        .iterator(chunk_size=2000)
    ):
        yield writer.writerow(
            [
                number,
                safe_cell(column),
                safe_cell(render(code, params)),
                _("error") if is_error else _("note"),
            ]
        )


def outcome_counts(batch: ImportBatch) -> list[tuple[str, int]]:
    """Labelled counts of the check or the run, in a fixed order, zeroes left out."""
    source = batch.counts if batch.status in _RUN_STATUSES else batch.validation
    labels = [
        ("rows", _("Rows read")),
        ("created", _("New records") if batch.status in _RUN_STATUSES else _("Would be created")),
        ("updated", _("Updated") if batch.status in _RUN_STATUSES else _("Would be updated")),
        ("unchanged", _("Already up to date")),
        ("skipped_duplicate", _("Duplicates skipped")),
        ("already_imported", _("Already imported from this file")),
        ("duplicate_in_file", _("Repeated within the file")),
        ("owned_elsewhere", _("Owned elsewhere (not changed)")),
        ("invalid", _("Rows with errors")),
        ("contacts_created", _("Phones and e-mails added")),
    ]
    return [(label, int(source.get(key, 0))) for key, label in labels if source.get(key)]


_RUN_STATUSES = {
    ImportBatch.Status.QUEUED,
    ImportBatch.Status.RUNNING,
    ImportBatch.Status.DONE,
    ImportBatch.Status.UNDOING,
    ImportBatch.Status.UNDONE,
    ImportBatch.Status.FAILED,
}
