"""The batch duplicate run against the database: load in bulk, find, store clusters.

Reads a million persons as plain tuples through server-side cursors (values_list with
iterator(), no model instances), so memory stays at the size of the name skeletons.
Open clusters of earlier runs are replaced; merged and dismissed ones stay as history,
and pairs a person dismissed ("not a duplicate") are never proposed again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from sputnik.core.models import User
from sputnik.parties.dedup.engine import Population, clusters_of, find_pairs
from sputnik.parties.dedup.match import NameRec
from sputnik.parties.dedup.names import index_names, persons_without_keys
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


def load_population(progress: Callable[[str, float], None] | None = None) -> Population:
    pop = Population()
    index: dict[int, int] = {}
    cache: dict[tuple[Any, ...], NameRec] = {}
    rows = Person.objects.order_by().values_list(
        "id", "last_name", "first_name", "middle_name", "birthday", "centre_id"
    )
    for pk, last, first, middle, birthday, centre in rows.iterator(chunk_size=CHUNK):
        key = (last, first, middle, birthday)
        rec = cache.get(key)
        if rec is None:
            rec = NameRec.build(last, first, middle, birthday.isoformat() if birthday else "")
            if len(cache) < 500_000:
                cache[key] = rec
        index[pk] = pop.add(pk, rec, centre)
    if progress:
        progress("persons loaded", 0.1)
    contacts = (
        ContactPoint.objects.order_by()
        .filter(person__isnull=False, kind__in=[ContactPoint.Kind.PHONE, ContactPoint.Kind.EMAIL])
        .values_list("person_id", "kind", "value")
    )
    pop.add_contacts(index, contacts.iterator(chunk_size=CHUNK))
    if progress:
        progress("contacts loaded", 0.15)
    return pop


def _dismissed() -> set[tuple[int, int]]:
    return set(DismissedPair.objects.values_list("person_a_id", "person_b_id").iterator())


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
        for start in range(0, len(numbers), 5000):
            batch = numbers[start : start + 5000]
            objs = []
            for number in batch:
                members = clusters[number]
                member_centres = {centres[i] for i in members}
                objs.append(
                    DuplicateCluster(
                        run=run,
                        size=len(members),
                        score=max(p[2] for p in by_cluster[number]),
                        centre_id=member_centres.pop() if len(member_centres) == 1 else None,
                        created_at=now,
                        updated_at=now,
                    )
                )
            DuplicateCluster.objects.bulk_create(objs)
            pair_objs = []
            for number, cluster in zip(batch, objs, strict=True):
                for a, b, score, reasons in by_cluster[number]:
                    pa, pb = sorted((ids[a], ids[b]))
                    pair_objs.append(
                        DuplicatePair(
                            cluster=cluster,
                            person_a_id=pa,
                            person_b_id=pb,
                            score=score,
                            reasons=reasons[:200],
                        )
                    )
            DuplicatePair.objects.bulk_create(pair_objs, batch_size=5000)
            stored += len(pair_objs)
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
            indexed = index_names(persons_without_keys())
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
