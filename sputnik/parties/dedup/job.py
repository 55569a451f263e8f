"""The batch duplicate run against the database: load in bulk, find, store clusters.

Reads a million persons as plain tuples through server-side cursors (values_list with
iterator(), no model instances), so memory stays at the size of the name skeletons.
Open clusters of earlier runs are replaced; merged and dismissed ones stay as history,
and pairs a person dismissed ("not a duplicate") are never proposed again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sputnik.core.models import User
from sputnik.parties.dedup import names as name_index
from sputnik.parties.dedup.engine import Population, clusters_of, find_pairs
from sputnik.parties.dedup.match import NameRec
from sputnik.parties.models import (
    ContactPoint,
    DedupRun,
    DismissedPair,
    DuplicateCluster,
    DuplicatePair,
    Person,
)

log = logging.getLogger(__name__)
CHUNK = 20_000
# A run that has not reported for this long died with its worker (Huey does not retry).
STALE_AFTER = timedelta(minutes=30)


def start_run(*, actor: User | None) -> tuple[DedupRun, bool]:
    """A queued run, or the one already queued or running: (run, created)."""
    with transaction.atomic():
        active = (
            DedupRun.objects.select_for_update()
            .filter(status__in=[DedupRun.Status.QUEUED, DedupRun.Status.RUNNING])
            .first()
        )
        if active is not None:
            heartbeat = active.started_at or active.created_at
            if timezone.now() - heartbeat < STALE_AFTER or (
                active.progress and (timezone.now() - heartbeat < STALE_AFTER * 2)
            ):
                return active, False
            active.status = DedupRun.Status.FAILED
            active.error = "abandoned: its worker stopped reporting"
            active.save(update_fields=["status", "error"])
        return DedupRun.objects.create(started_by=actor), True


def _progress(run: DedupRun, step: str, share: float) -> None:
    run.step, run.progress = step, max(0, min(100, int(share * 100)))
    DedupRun.objects.filter(pk=run.pk).update(
        step=run.step, progress=run.progress, started_at=run.started_at
    )


def _rows_postgresql(sql: str) -> Iterator[list[str]]:
    """Rows of `sql` as lists of text through COPY … TO STDOUT (NULL as "").

    Measured need: at a million persons the ORM iterator spent ~2 µs a row building
    tuples and converting dates that the finder wants as ISO text anyway; COPY hands the
    text over in bulk (5× faster here).
    """
    connection.ensure_connection()
    raw = connection.connection  # the psycopg connection under Django's
    with raw.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
        tail = b""
        for block in copy:
            data = tail + bytes(block)
            lines = data.split(b"\n")
            tail = lines.pop()
            for line in lines:
                yield [
                    "" if field == "\\N" else field.replace("\\\\", "\\")
                    for field in line.decode().split("\t")
                ]
        if tail:
            yield tail.decode().split("\t")


def _person_rows() -> Iterator[tuple[int, str, str, str, str, int]]:
    """(id, last, first, middle, ISO birth date or "", centre id) of every person."""
    if connection.vendor == "postgresql":
        table = Person._meta.db_table
        for pk, last, first, middle, born, centre in _rows_postgresql(
            f"SELECT id, last_name, first_name, middle_name, birthday, centre_id FROM {table}"
        ):
            yield int(pk), last, first, middle, born, int(centre)
        return
    rows = Person.objects.order_by().values_list(
        "id", "last_name", "first_name", "middle_name", "birthday", "centre_id"
    )
    for row in rows.iterator(chunk_size=CHUNK):
        born_on = row[4]
        yield row[0], row[1], row[2], row[3], born_on.isoformat() if born_on else "", row[5]


def _contact_rows() -> Iterator[tuple[int, str, str]]:
    kinds = (ContactPoint.Kind.PHONE, ContactPoint.Kind.EMAIL)
    if connection.vendor == "postgresql":
        table = ContactPoint._meta.db_table
        for pk, kind, value in _rows_postgresql(
            f"SELECT person_id, kind, value FROM {table}"
            f" WHERE person_id IS NOT NULL AND kind IN ('{kinds[0]}', '{kinds[1]}')"
        ):
            yield int(pk), kind, value
        return
    rows = (
        ContactPoint.objects.order_by()
        .filter(person__isnull=False, kind__in=kinds)
        .values_list("person_id", "kind", "value")
    )
    yield from rows.iterator(chunk_size=CHUNK)


def load_population(progress: Callable[[str, float], None] | None = None) -> Population:
    pop = Population()
    index: dict[int, int] = {}
    cache: dict[tuple[str, str, str, str], NameRec] = {}
    for pk, last, first, middle, born, centre in _person_rows():
        key = (last, first, middle, born)
        rec = cache.get(key)
        if rec is None:
            rec = NameRec.build(last, first, middle, born)
            if len(cache) < 500_000:
                cache[key] = rec
        index[pk] = pop.add(pk, rec, centre)
    if progress:
        progress("persons loaded", 0.1)
    pop.add_contacts(index, _contact_rows())
    if progress:
        progress("contacts loaded", 0.15)
    return pop


def _dismissed() -> set[tuple[int, int]]:
    return set(DismissedPair.objects.values_list("person_a_id", "person_b_id").iterator())


def _insert_clusters(run: DedupRun, rows: list[tuple[int, int, int | None]], now: Any) -> list[int]:
    """Insert (size, score, centre) clusters; returns their ids in order.

    On PostgreSQL the ids are drawn from the sequence and the rows COPYed (bulk_create
    took ~20 s per 10,000 clusters on a busy machine); elsewhere bulk_create.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [
            DuplicateCluster(
                run=run, size=size, score=score, centre_id=centre, created_at=now, updated_at=now
            )
            for size, score, centre in rows
        ]
        DuplicateCluster.objects.bulk_create(objs, batch_size=5000)
        return [o.pk for o in objs]
    table = DuplicateCluster._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)",
            [len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        stamp = now.isoformat()
        with cursor.cursor.copy(
            f"COPY {table} (id, run_id, status, size, score, centre_id, created_at, updated_at)"
            " FROM STDIN"
        ) as copy:
            for pk, (size, score, centre) in zip(ids, rows, strict=True):
                copy.write_row(
                    (pk, run.pk, DuplicateCluster.Status.OPEN, size, score, centre, stamp, stamp)
                )
    return ids


def _insert_pairs(rows: list[tuple[int, int, int, int, str]]) -> None:
    if connection.vendor != "postgresql":
        DuplicatePair.objects.bulk_create(
            [
                DuplicatePair(
                    cluster_id=c, person_a_id=a, person_b_id=b, score=score, reasons=reasons
                )
                for c, a, b, score, reasons in rows
            ],
            batch_size=5000,
        )
        return
    table = DuplicatePair._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {table} (cluster_id, person_a_id, person_b_id, score, reasons, status)"
            " FROM STDIN"
        ) as copy,
    ):
        for c, a, b, score, reasons in rows:
            copy.write_row((c, a, b, score, reasons, DuplicatePair.Status.OPEN))


def _store(run: DedupRun, pop: Population, clusters: list[list[int]], pairs: list[Any]) -> int:
    """Replace the open clusters with the new ones; returns the number of pairs stored."""
    ids, centres = pop.ids, pop.centres
    cluster_of: dict[int, int] = {}
    for number, members in enumerate(clusters):
        for i in members:
            cluster_of[i] = number
    by_cluster: dict[int, list[tuple[int, int, int, str]]] = {}
    for a, b, score, reasons in pairs:
        home = cluster_of.get(a)
        if home is not None and home == cluster_of.get(b):
            by_cluster.setdefault(home, []).append((a, b, score, reasons))
    pair_t, cluster_t = DuplicatePair._meta.db_table, DuplicateCluster._meta.db_table
    stored = 0
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Plain SQL: the ORM's cascade collector would load every old pair first.
            cursor.execute(
                f"DELETE FROM {pair_t} WHERE cluster_id IN"
                f" (SELECT id FROM {cluster_t} WHERE status = %s)",
                [DuplicateCluster.Status.OPEN],
            )
            cursor.execute(
                f"DELETE FROM {cluster_t} WHERE status = %s", [DuplicateCluster.Status.OPEN]
            )
        numbers = sorted(by_cluster)
        clusters_rows = []
        for number in numbers:
            members = clusters[number]
            member_centres = {centres[i] for i in members}
            clusters_rows.append(
                (
                    len(members),
                    max(p[2] for p in by_cluster[number]),
                    member_centres.pop() if len(member_centres) == 1 else None,
                )
            )
        cluster_ids = _insert_clusters(run, clusters_rows, now)
        pair_rows = []
        for number, cluster_id in zip(numbers, cluster_ids, strict=True):
            for a, b, score, reasons in by_cluster[number]:
                pa, pb = sorted((ids[a], ids[b]))
                pair_rows.append((cluster_id, pa, pb, score, reasons[:200]))
        _insert_pairs(pair_rows)
        stored = len(pair_rows)
    return stored


def run_dedup(*, run: DedupRun | None = None, index_missing_names: bool = True) -> DedupRun:
    """Find duplicate clusters among all persons and store them for review.

    The same code serves `sputnik dedup`, the Huey task and the benchmark.
    """
    if run is None:
        run = DedupRun.objects.create()
    run.status, run.started_at = DedupRun.Status.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    timings: dict[str, float] = {}
    try:
        t0 = time.perf_counter()
        pop = load_population(lambda step, share: _progress(run, step, share))
        timings["load_s"] = time.perf_counter() - t0

        t1 = time.perf_counter()
        found = find_pairs(
            pop,
            dismissed=_dismissed(),
            progress=lambda step, share: _progress(run, step, 0.15 + 0.65 * share),
        )
        clusters = clusters_of(pop.recs, found.pairs)
        timings["match_s"] = time.perf_counter() - t1

        t2 = time.perf_counter()
        _progress(run, "storing clusters", 0.82)
        stored = _store(run, pop, clusters, found.pairs)
        timings["store_s"] = time.perf_counter() - t2

        t3 = time.perf_counter()
        indexed = 0
        if index_missing_names:
            _progress(run, "name index", 0.95)
            indexed = name_index.index_missing_names()
        timings["name_index_s"] = time.perf_counter() - t3

        run.stats = {
            **found.stats,
            "clusters": len(clusters),
            "stored_pairs": stored,
            "clustered_persons": sum(len(c) for c in clusters),
            "name_keys_written": indexed,
            **{k: round(v, 2) for k, v in timings.items()},
        }
        run.status, run.progress, run.step = DedupRun.Status.DONE, 100, "done"
    except Exception as exc:  # the run row must say it failed; the error is re-raised
        log.exception("duplicate run %s failed", run.pk)
        run.status, run.error = DedupRun.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        run.finished_at = timezone.now()
        run.save()
        raise
    run.finished_at = timezone.now()
    run.save()
    return run
