"""Writing a chunk of new records and their contacts in bulk.

PostgreSQL: COPY through psycopg 3 straight into the target tables (their indexes stay:
the table is live and others read it). SQLite: executemany in the chunk's transaction.
Measured here (PERFORMANCE.md): COPY into an indexed table ~45,000 rows/s, bulk_create
~10,700, save() ~1,200, so the import builds row tuples and never model instances.

The column list is every concrete column of the model, so a column another area adds
later is written with its own default instead of failing the COPY.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models

from sputnik.parties.models import Company, ContactPoint, Person


def next_ids(model: type[models.Model], n: int) -> list[int]:
    """Reserve `n` primary keys (the caller holds the chunk's transaction)."""
    if n <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return [r[0] for r in cur.fetchall()]
        # SQLite: the chunk's transaction holds the write lock, so max(id) cannot move.
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = int(cur.fetchone()[0]) + 1
        return list(range(start, start + n))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if type(value) is str:
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


class TableRows:
    """Rows for one table: the given columns first, then every other column at its default.

    COPY names its columns, so the given ones lead and the rest follow as one suffix of
    defaults formatted once, not per row.
    """

    def __init__(self, model: type[models.Model], given: Sequence[str]) -> None:
        self.model = model
        self.table = model._meta.db_table
        fields = list(model._meta.concrete_fields)
        by_name = {f.attname: f for f in fields}
        missing = [a for a in given if a not in by_name]
        if missing:
            raise ValueError(f"unknown columns {missing} for {self.table}")
        self.given = list(given)
        rest = [f for f in fields if f.attname not in self.given]
        self.columns = [by_name[a].column for a in self.given] + [f.column for f in rest]
        # Defaults in database form, once: JSON as text, dates as the backend stores them.
        defaults: list[Any] = []
        for f in rest:
            default = f.get_default() if f.has_default() else None
            if isinstance(f, models.JSONField):
                default = json.dumps(default if default is not None else {})
            elif default is not None and not isinstance(f, models.ForeignKey):
                default = f.get_db_prep_save(default, connection)
            defaults.append(default)
        self.defaults = tuple(defaults)
        self.copy_suffix = "".join("\t" + _copy_field(v) for v in self.defaults)


def copy_text(table_rows: TableRows, rows: list[tuple[Any, ...]]) -> bytes:
    """The rows (of the given columns, in `table_rows.given` order) as COPY text.

    Built by hand: psycopg's write_row looks up a dumper per value, which measured ~3x
    slower for these narrow rows. Pure Python, so the import builds it on its reading
    thread while the database writes the previous chunk.
    """
    field = _copy_field
    suffix = table_rows.copy_suffix + "\n"
    return "".join(["\t".join([field(v) for v in row]) + suffix for row in rows]).encode()


def write_rows(
    table_rows: TableRows, rows: list[tuple[Any, ...]], text: bytes | None = None
) -> None:
    """Write rows of the given columns in one statement (PostgreSQL: COPY of `text`, built
    from the rows when not given)."""
    if not rows:
        return
    cols = ", ".join(f'"{c}"' for c in table_rows.columns)
    with connection.cursor() as django_cursor:
        if connection.vendor == "postgresql":
            data = copy_text(table_rows, rows) if text is None else text
            raw = django_cursor.cursor  # psycopg cursor on the same connection and transaction
            with raw.copy(f"COPY {table_rows.table} ({cols}) FROM STDIN") as copy:
                for start in range(0, len(data), COPY_BLOCK):
                    copy.write(data[start : start + COPY_BLOCK])
        else:
            defaults = table_rows.defaults
            placeholders = ", ".join(["%s"] * len(table_rows.columns))
            django_cursor.executemany(
                f"INSERT INTO {table_rows.table} ({cols}) VALUES ({placeholders})",
                [row + defaults for row in rows],
            )


COPY_BLOCK = 1 << 20  # bytes per write to the server


PERSON_COLUMNS = (
    "id",
    "centre_id",
    "owner_id",
    "source",
    "custom",
    "external_id",
    "import_batch_id",
    "search_name",
    "created_at",
    "updated_at",
    "created_by_id",
    "last_name",
    "first_name",
    "middle_name",
    "stage",
    "birthday",
    "family_status",
    "job_title",
    "wishes",
    "is_vip",
    "source_campaign",
    "utm_source",
    "utm_medium",
    "utm_campaign",
)
COMPANY_COLUMNS = (
    "id",
    "centre_id",
    "owner_id",
    "source",
    "custom",
    "external_id",
    "import_batch_id",
    "search_name",
    "created_at",
    "updated_at",
    "created_by_id",
    "name",
    "inn",
    "industry",
    "website",
    "source_campaign",
    "utm_source",
    "utm_medium",
    "utm_campaign",
)
CONTACT_COLUMNS = ("id", "person_id", "company_id", "kind", "value", "label", "is_primary")


class ChunkWriter:
    """Collects a chunk's new records and contacts, then writes each table in one go.

    Records come as tuples in the order of PERSON_COLUMNS / COMPANY_COLUMNS.
    """

    def __init__(self, entity: str) -> None:
        self.entity = entity
        self.model: type[models.Model] = Person if entity == "person" else Company
        self.records = TableRows(
            self.model, PERSON_COLUMNS if entity == "person" else COMPANY_COLUMNS
        )
        self.contacts = TableRows(ContactPoint, CONTACT_COLUMNS)
        self.record_rows: list[tuple[Any, ...]] = []
        self.pending_contacts: list[tuple[int, str, str, bool]] = []

    def add(self, record: tuple[Any, ...], phones: list[str], emails: list[str]) -> None:
        self.record_rows.append(record)
        pk = record[0]
        pending = self.pending_contacts
        for i, phone in enumerate(phones):
            pending.append((pk, "phone", phone, i == 0))
        for i, email in enumerate(emails):
            pending.append((pk, "email", email, i == 0))

    def prepare(self) -> PreparedChunk:
        """Contact ids reserved and, on PostgreSQL, the COPY text of both tables built:
        everything but the writing, so it can run away from the writing transaction."""
        ids = next_ids(ContactPoint, len(self.pending_contacts))
        pairs = zip(ids, self.pending_contacts, strict=True)
        contact_rows: list[tuple[Any, ...]]
        if self.entity == "person":
            contact_rows = [(pk, o, None, k, v, "", p) for pk, (o, k, v, p) in pairs]
        else:
            contact_rows = [(pk, None, o, k, v, "", p) for pk, (o, k, v, p) in pairs]
        prepared = PreparedChunk(self.records, self.record_rows, self.contacts, contact_rows)
        if connection.vendor == "postgresql":
            prepared.record_text = copy_text(self.records, self.record_rows)
            prepared.contact_text = copy_text(self.contacts, contact_rows)
        self.record_rows, self.pending_contacts = [], []
        return prepared

    def flush(self) -> tuple[int, int]:
        return self.prepare().write()


@dataclass
class PreparedChunk:
    """A chunk's new records and contacts, ready to write (see ChunkWriter.prepare)."""

    records: TableRows
    record_rows: list[tuple[Any, ...]]
    contacts: TableRows
    contact_rows: list[tuple[Any, ...]]
    record_text: bytes | None = None
    contact_text: bytes | None = None

    def write(self) -> tuple[int, int]:
        """Write both tables in the caller's transaction: (records, contacts) written."""
        write_rows(self.records, self.record_rows, self.record_text)
        write_rows(self.contacts, self.contact_rows, self.contact_text)
        return len(self.record_rows), len(self.contact_rows)


def db_datetime(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def db_date(value: dt.date | None) -> Any:
    return None if value is None else connection.ops.adapt_datefield_value(value)
