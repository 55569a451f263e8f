"""The name-key index (PersonNameKey) kept in step with persons."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from sputnik.parties.dedup.keys import entry_keys
from sputnik.parties.models import Person, PersonNameKey


def index_names(person_ids: Iterable[int]) -> int:
    """(Re)write the name keys of these persons; returns how many keys were written.

    Called on create and update through domain events; bulk writers (imports) call it
    with the ids they created, and the batch run fills in any person still missing keys.
    """
    ids = list(person_ids)
    written = 0
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        PersonNameKey.objects.filter(person_id__in=chunk).delete()
        rows = [
            PersonNameKey(person_id=pk, key=key)
            for pk, last, first, middle in Person.objects.filter(pk__in=chunk).values_list(
                "pk", "last_name", "first_name", "middle_name"
            )
            for key in entry_keys(last, first, middle)
        ]
        PersonNameKey.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
        written += len(rows)
    return written


def index_missing_names() -> int:
    """Write name keys for every person that has none (after a bulk load); returns the
    number of keys written. On PostgreSQL the persons stream out and the keys stream in
    by COPY: a million persons need three million keys, ~5 minutes through bulk_create."""
    if connection.vendor != "postgresql":
        return index_names(persons_without_keys())
    from sputnik.parties.dedup.job import _rows_postgresql

    person_t, key_t = Person._meta.db_table, PersonNameKey._meta.db_table
    rows = _rows_postgresql(
        f"SELECT p.id, p.last_name, p.first_name, p.middle_name FROM {person_t} p"
        f" WHERE NOT EXISTS (SELECT 1 FROM {key_t} k WHERE k.person_id = p.id)"
    )
    pending = list(rows)  # read fully before writing on the same connection
    written = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {key_t} (person_id, key) FROM STDIN") as copy,
    ):
        for pk, last, first, middle in pending:
            for key in entry_keys(last, first, middle):
                copy.write_row((int(pk), key))
                written += 1
    return written


def persons_without_keys(limit: int | None = None) -> list[int]:
    """Ids of persons that have no name keys yet (created by a bulk path)."""
    person_t, key_t = Person._meta.db_table, PersonNameKey._meta.db_table
    sql = (
        f"SELECT p.id FROM {person_t} p WHERE NOT EXISTS"
        f" (SELECT 1 FROM {key_t} k WHERE k.person_id = p.id) ORDER BY p.id"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]
