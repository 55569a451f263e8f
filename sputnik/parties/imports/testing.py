"""Helpers for the import tests and the benchmark: build files, run a batch end to end."""

from __future__ import annotations

import io
from typing import Any

from sputnik.core.models import User
from sputnik.parties.imports import services
from sputnik.parties.imports.upload import store_stream
from sputnik.parties.imports.work import work
from sputnik.parties.models import ImportBatch


def csv_bytes(rows: list[list[Any]], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(
    rows: list[list[Any]], *, formulas: dict[str, tuple[str, Any]] | None = None
) -> bytes:
    """A workbook with `rows` on its first sheet; formulas: {"D2": ("=B2*2", cached value)}."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Клиенты")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    for cell, (formula, cached) in (formulas or {}).items():
        sheet.write_formula(cell, formula, None, cached)
    book.close()
    return buffer.getvalue()


def upload(
    actor: User, data: bytes, *, name: str = "clients.csv", entity: str = "person", **kwargs: Any
) -> ImportBatch:
    stored = store_stream(io.BytesIO(data), name)
    return services.import_upload(actor=actor, stored=stored, entity=entity, **kwargs)


def configure(
    actor: User,
    batch: ImportBatch,
    *,
    mapping: dict[str, str] | None = None,
    duplicates: str = "skip",
    on_error: str = "skip_rows",
) -> ImportBatch:
    return services.import_configure(
        actor=actor,
        batch=batch,
        mapping=mapping if mapping is not None else dict(batch.mapping),
        duplicates=duplicates,
        on_error=on_error,
    )


def check(actor: User, batch: ImportBatch, **options: Any) -> ImportBatch:
    services.import_check(actor=actor, batch=batch, enqueue=False)
    return work(batch.pk, **options) or ImportBatch.objects.get(pk=batch.pk)


def run(actor: User, batch: ImportBatch, **options: Any) -> ImportBatch:
    services.import_start(actor=actor, batch=batch, enqueue=False)
    return work(batch.pk, **options) or ImportBatch.objects.get(pk=batch.pk)


def import_file(
    actor: User,
    data: bytes,
    *,
    name: str = "clients.csv",
    entity: str = "person",
    mapping: dict[str, str] | None = None,
    duplicates: str = "skip",
    on_error: str = "skip_rows",
    **options: Any,
) -> ImportBatch:
    """Upload, configure and run a file the way the screens do (check first when asked)."""
    batch = upload(actor, data, name=name, entity=entity)
    batch = configure(actor, batch, mapping=mapping, duplicates=duplicates, on_error=on_error)
    if on_error == "write_nothing":
        batch = check(actor, batch, **options)
    return run(actor, batch, **options)
