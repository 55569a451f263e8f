"""Writing loaded records back in bulk: one statement for a chunk's changed rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def bulk_set(model: type[models.Model], records: Sequence[models.Model], fields: list[str]) -> None:
    """Write `fields` of already-loaded records back, a few statements for any number.

    PostgreSQL: one `UPDATE … FROM (VALUES …)` per 2,000 records. Django's bulk_update
    builds a CASE over the batch per column: measured at an update import's 5,000 rows,
    5.9 s of its 11 s, nearly all of it building and planning the CASE expressions.
    SQLite keeps bulk_update (the embedded database sees small imports).
    """
    if not records:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(records, fields, batch_size=500)
        return
    pk = model._meta.pk
    assert pk is not None
    columns = [pk, *(model._meta.get_field(name) for name in fields)]
    one_row = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in columns) + ")"  # type: ignore[union-attr]
    names = ", ".join(f'"{f.column}"' for f in columns)  # type: ignore[union-attr]
    assignments = ", ".join(f'"{f.column}" = v."{f.column}"' for f in columns[1:])  # type: ignore[union-attr]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(records), 2000):
            chunk = records[start : start + 2000]
            params: list[Any] = []
            for record in chunk:
                for f in columns:
                    params.append(f.get_db_prep_save(getattr(record, f.attname), connection))  # type: ignore[union-attr]
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} "
                f"FROM (VALUES {', '.join([one_row] * len(chunk))}) AS v ({names}) "
                f'WHERE t."{pk.column}" = v."{pk.column}"',
                params,
            )
