"""CSV and XLSX writers over chunks of records.

CSV is written for Russian Excel: `;` between fields (the list separator of a Russian
locale) and UTF-8 with a byte-order mark, so Cyrillic opens without an import dialog;
Windows-1251 on request for older software (characters it lacks become "?"). XLSX is
written by xlsxwriter in constant-memory mode to a temporary file, every text cell as a
string (never a formula), dates as dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.parties.exports.cells import NEEDS_CHECK, safe_cell
from sputnik.parties.exports.columns import Column, Record, local_naive

# Excel's sheet holds 1,048,576 rows, one of them the header.
XLSX_MAX_ROWS = 1_048_575


def _text_cell(value: Any) -> str:
    if not value:
        return ""
    text = value if isinstance(value, str) else str(value)
    # Most cells start with a letter or digit: decided by one set lookup (a million rows).
    return safe_cell(text) if text[0] in NEEDS_CHECK or text[0].isspace() else text


def cell_formatters(columns: list[Column]) -> list[Callable[[Any], str]]:
    """One text formatter per column, with labels and the time zone resolved once per
    export (per cell, the translation and time-zone lookups were a third of the time)."""
    yes, no = _("yes"), _("no")
    zone = timezone.get_current_timezone()

    def boolean(value: Any) -> str:
        return "" if value is None else (yes if value else no)

    def integer(value: Any) -> str:
        return "" if value is None else str(value)

    def moment(value: Any) -> str:
        return "" if value is None else value.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    def day(value: Any) -> str:
        return "" if value is None else value.isoformat()

    by_kind = {"bool": boolean, "int": integer, "datetime": moment, "date": day}
    return [by_kind.get(column.kind, _text_cell) for column in columns]


def csv_stream(
    columns: list[Column],
    chunks: Iterable[list[Record]],
    *,
    encoding: str = "utf-8",
    on_rows: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The CSV as byte chunks: the header first (so the first byte leaves at once)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_cell(str(c.label)) for c in columns])
    bom = "\ufeff" if encoding == "utf-8" else ""

    def take() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode(encoding, errors="replace")

    yield bom.encode("utf-8") + take()
    keys = [c.key for c in columns]
    formatters = cell_formatters(columns)
    pairs = list(zip(keys, formatters, strict=True))
    for chunk in chunks:
        writer.writerows([fmt(record.values.get(key)) for key, fmt in pairs] for record in chunk)
        if on_rows is not None:
            on_rows(len(chunk))
        yield take()


def xlsx_file(
    columns: list[Column],
    chunks: Iterable[list[Record]],
    *,
    sheet_name: str,
    on_rows: Callable[[int], None] | None = None,
) -> IO[bytes]:
    """A temporary file holding the workbook, positioned at its start."""
    # Returned open: the caller streams it out and closes it (file_chunks).
    out = tempfile.TemporaryFile(prefix="sputnik-export-", suffix=".xlsx")  # noqa: SIM115
    try:
        _write_workbook(out, columns, chunks, sheet_name=sheet_name, on_rows=on_rows)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def _write_workbook(
    out: IO[bytes],
    columns: list[Column],
    chunks: Iterable[list[Record]],
    *,
    sheet_name: str,
    on_rows: Callable[[int], None] | None,
) -> None:
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": False,
        },
    )
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
    datetime_format = workbook.add_format({"num_format": "dd.mm.yyyy hh:mm"})
    for col, column in enumerate(columns):
        sheet.write_string(0, col, str(column.label), bold)
        sheet.set_column(col, col, 12 if column.kind in ("int", "bool", "date") else 20)
    sheet.freeze_panes(1, 0)
    formatters = cell_formatters(columns)
    row = 0
    for chunk in chunks:
        for record in chunk:
            row += 1
            if row > XLSX_MAX_ROWS:
                raise OverflowError("more rows than an Excel sheet holds")
            for col, column in enumerate(columns):
                value = record.values.get(column.key)
                if value is None or value == "":
                    continue
                if column.kind == "int":
                    sheet.write_number(row, col, value)
                elif column.kind == "datetime":
                    sheet.write_datetime(row, col, local_naive(value), datetime_format)
                elif column.kind == "date":
                    sheet.write_datetime(
                        row, col, dt.datetime.combine(value, dt.time()), date_format
                    )
                else:
                    sheet.write_string(row, col, formatters[col](value))
        if on_rows is not None:
            on_rows(len(chunk))
    workbook.close()


def file_chunks(handle: IO[bytes], size: int = 256 * 1024) -> Iterator[bytes]:
    try:
        while block := handle.read(size):
            yield block
    finally:
        handle.close()
