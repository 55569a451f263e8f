"""Sputnik benchmarks on PostgreSQL: `python -m bench.run` (or `make bench`).

Environment:
  DATABASE_URL        default postgres://postgres@127.0.0.1:5432/sputnik_bench (created if missing)
  BENCH_PERSONS       default 1,000,000
  BENCH_INTERACTIONS  default 10,000,000 timeline entries
  BENCH_RUNS          repeated runs per figure (the median of the runs is reported), default 5
  BENCH_ITERATIONS    timed calls per run, default 100
  BENCH_SKIP_LOAD     "1": reuse the data already loaded (the load figures are then omitted)
  BENCH_NAME          results file name suffix, default pg-<persons>

Every figure is measured twice: through the project's selectors with a real acting user
(what a page costs), and as the raw SQL the same page needs on the bare psycopg
connection (what the engine costs). The ratio is selector / raw.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.common import ROOT, ensure_database, log, machine, use_database

use_database("sputnik_bench")
PERSONS = int(os.environ.get("BENCH_PERSONS", "1000000"))
INTERACTIONS = int(os.environ.get("BENCH_INTERACTIONS", "10000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
ITERATIONS = int(os.environ.get("BENCH_ITERATIONS", "100"))
SKIP_LOAD = os.environ.get("BENCH_SKIP_LOAD", "") in {"1", "true", "yes"}
HEAVY = 20  # persons with 1,000 timeline entries each

TARGETS_MS = {
    "phone_lookup": ("p99", 5.0),
    "list_page": ("p95", 50.0),
    "list_page_2": ("p95", 50.0),
    "search_common": ("p95", 100.0),
    "search_rare": ("p95", 100.0),
    "search_common_centre": ("p95", 100.0),
    "card_timeline": ("p95", 80.0),
}


def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- timing helpers ----------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def measure(
    fn: Callable[[int], Any], *, runs: int = RUNS, iterations: int = ITERATIONS
) -> dict[str, float]:
    """p50/p95/p99 in ms of `fn(i)`; each percentile is the median over `runs` runs."""
    for i in range(min(10, iterations)):  # warm the caches and the connection
        fn(i)
    per_run: dict[str, list[float]] = {"p50": [], "p95": [], "p99": [], "mean": []}
    for run in range(runs):
        times = []
        for i in range(iterations):
            t0 = time.perf_counter()
            fn(run * iterations + i)
            times.append((time.perf_counter() - t0) * 1000)
        per_run["p50"].append(percentile(times, 0.50))
        per_run["p95"].append(percentile(times, 0.95))
        per_run["p99"].append(percentile(times, 0.99))
        per_run["mean"].append(statistics.fmean(times))
    return {k: round(statistics.median(v), 3) for k, v in per_run.items()}


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cur.fetchall())


def slowest_query(fn: Callable[[], Any]) -> tuple[int, str, float]:
    """Number of queries `fn` runs, the slowest one's SQL and its time in ms."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    worst = max(ctx.captured_queries, key=lambda q: float(q["time"]))
    return len(ctx.captured_queries), worst["sql"], float(worst["time"]) * 1000


# --- the load ------------------------------------------------------------------

BULK_KEYS = (
    "company",
    "person",
    "contact",
    "address",
    "important_date",
    "company_role",
    "relation",
    "asset",
    "stage_change",
    "person_interest",
    "person_tag",
    "interaction",
)


def bench_load() -> dict[str, Any]:
    from sputnik.core.demo.load import existing_data, load_demo, wipe

    if existing_data():
        log("emptying the CRM tables…")
        wipe()
    log(f"loading {PERSONS:,} persons and ~{INTERACTIONS:,} timeline entries…")
    stats = load_demo(
        persons=PERSONS,
        interactions=INTERACTIONS,
        seed=42,
        heavy_persons=HEAVY,
        chunk_size=50_000,
        report=log,
    )
    rows = sum(stats.rows.values())
    return {
        "seconds": round(stats.seconds, 1),
        "copy_seconds": round(stats.copy_seconds, 1),
        "index_seconds": round(stats.index_seconds, 1),
        "rows": stats.rows,
        "rows_total": rows,
        "persons_per_s": round(stats.persons / stats.seconds),
        "interactions_per_s": round(stats.interactions / stats.seconds),
        "rows_per_s": round(rows / stats.seconds),
        "heavy_person_ids": stats.heavy_person_ids,
    }


def bench_raw_copy() -> dict[str, Any]:
    """The same rows, same tables and indexes, COPY from files: no Python per row.

    Each loaded table is exported with COPY TO, then copied into a bare twin (primary key
    only) and given the same secondary indexes. Foreign keys are not re-checked.
    """
    from django.db import connection

    from sputnik.core.demo.load import table_of

    data = ROOT / "data"
    data.mkdir(exist_ok=True)
    connection.ensure_connection()
    raw = connection.connection
    tables = [table_of(k) for k in BULK_KEYS]
    with connection.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS bench_raw CASCADE")
        cur.execute("CREATE SCHEMA bench_raw")
    log("exporting the loaded rows…")
    for table in tables:
        with (
            raw.cursor() as cur,
            open(data / f"{table}.copy", "wb") as out,
            cur.copy(f"COPY {table} TO STDOUT") as copy,
        ):
            for block in copy:
                out.write(block)
    result: dict[str, Any] = {"tables": {}}
    started = time.perf_counter()
    with raw.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '1GB'")
        for table in tables:
            t0 = time.perf_counter()
            cur.execute(
                f"CREATE TABLE bench_raw.{table} "
                f"(LIKE public.{table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            )
            cur.execute(f"ALTER TABLE bench_raw.{table} ADD PRIMARY KEY (id)")
            with (
                open(data / f"{table}.copy", "rb") as src,
                cur.copy(f"COPY bench_raw.{table} FROM STDIN") as copy,
            ):
                while block := src.read(1 << 20):
                    copy.write(block)
            copy_s = time.perf_counter() - t0
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "AND tablename = %s AND indexname NOT LIKE '%%_pkey'",
                [table],
            )
            t1 = time.perf_counter()
            for name, indexdef in cur.fetchall():
                cur.execute(
                    indexdef.replace(
                        f"INDEX {name} ON public.{table}", f"INDEX raw_{name} ON bench_raw.{table}"
                    )
                )
            index_s = time.perf_counter() - t1
            raw.commit()
            result["tables"][table] = {
                "copy_seconds": round(copy_s, 2),
                "index_seconds": round(index_s, 2),
            }
            log(f"  raw {table}: COPY {copy_s:.1f} s, indexes {index_s:.1f} s")
        cur.execute("ANALYZE " + ", ".join(f"bench_raw.{t}" for t in tables))
        raw.commit()
    result["seconds"] = round(time.perf_counter() - started, 1)
    with connection.cursor() as cur:
        cur.execute("DROP SCHEMA bench_raw CASCADE")
    for table in tables:
        (data / f"{table}.copy").unlink(missing_ok=True)
    return result


# --- the queries ------------------------------------------------------------------


def bench_queries(heavy_ids: list[int]) -> dict[str, Any]:
    import random

    from django.db import connection

    from sputnik.activities.selectors import timeline_page
    from sputnik.core.models import User
    from sputnik.parties.selectors import PersonFilters, person_card, person_list, person_lookup

    rng = random.Random(7)
    connection.ensure_connection()
    execu = User.objects.get(username="exec1")
    head = User.objects.get(username="head1")
    raw = connection.connection
    results: dict[str, Any] = {}

    def raw_rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with raw.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def record(
        name: str,
        what: str,
        selector: Callable[[int], Any],
        engine: Callable[[int], Any],
        main_call: Callable[[], Any],
    ) -> None:
        log(f"measuring {name}…")
        sel = measure(selector)
        eng = measure(engine)
        n_queries, sql, ms = slowest_query(main_call)
        target = TARGETS_MS.get(name)
        entry = {
            "what": what,
            "selector_ms": sel,
            "raw_ms": eng,
            "ratio_p50": round(sel["p50"] / max(eng["p50"], 1e-6), 1),
            "queries": n_queries,
            "slowest_query_ms": round(ms, 2),
            "slowest_query": sql,
        }
        if target:
            stat, limit = target
            entry["target"] = f"{stat} <= {limit:g} ms"
            entry["target_met"] = sel[stat] <= limit
        if not target or not entry["target_met"] or ms > 5:
            entry["explain"] = explain(sql)
        results[name] = entry
        log(
            f"  selector p50 {sel['p50']:.2f} p95 {sel['p95']:.2f} p99 {sel['p99']:.2f} ms | "
            f"raw p50 {eng['p50']:.2f} p95 {eng['p95']:.2f} ms | {n_queries} queries"
        )

    person_cols = (
        "p.id, p.last_name, p.first_name, p.middle_name, p.stage, p.search_name, "
        "p.centre_id, p.owner_id, c.name, u.username"
    )
    person_from = (
        "parties_person p JOIN core_centre c ON c.id = p.centre_id "
        "LEFT JOIN core_user u ON u.id = p.owner_id"
    )

    def raw_contacts(ids: list[int], kinds: tuple[str, ...] = ("phone", "email")) -> None:
        if ids:
            raw_rows(
                "SELECT id, person_id, kind, value, label, is_primary "
                "FROM parties_contactpoint WHERE person_id = ANY(%s) AND kind = ANY(%s) "
                "ORDER BY is_primary DESC, id",
                [ids, list(kinds)],
            )

    # 1. phone lookup, typed the way people type it
    phones = [
        r[0]
        for r in raw_rows(
            "SELECT value FROM parties_contactpoint TABLESAMPLE SYSTEM (2) "
            "WHERE kind = 'phone' AND person_id IS NOT NULL LIMIT 1000",
            [],
        )
    ]
    rng.shuffle(phones)
    spelled = [f"8 ({p[2:5]}) {p[5:8]}-{p[8:10]}-{p[10:12]}" for p in phones]

    def phone_raw(i: int) -> None:
        value = phones[i % len(phones)]
        rows = raw_rows(
            f"SELECT {person_cols} FROM {person_from} WHERE p.id IN "
            "(SELECT person_id FROM parties_contactpoint WHERE kind = 'phone' "
            "AND value = %s) ORDER BY p.id LIMIT 20",
            [value],
        )
        if rows:
            raw_rows(
                "SELECT * FROM parties_contactpoint WHERE person_id = ANY(%s)",
                [[r[0] for r in rows]],
            )

    record(
        "phone_lookup",
        "person_lookup by phone (8 (9xx) xxx-xx-xx), executive",
        lambda i: person_lookup(actor=execu, phone=spelled[i % len(spelled)]),
        phone_raw,
        lambda: person_lookup(actor=execu, phone=spelled[0]),
    )

    # 2. list page: centre head, stage filter, sorted by name; then page 2 by cursor
    stages = ["prospect", "customer", "repeat", "lost"]

    def list_sel(i: int) -> Any:
        return person_list(actor=head, filters=PersonFilters(stage=stages[i % 4]), sort="name")

    def list_raw(i: int, after: tuple[str, int] | None = None) -> list[tuple[Any, ...]]:
        where = "p.centre_id = %s AND p.stage = %s"
        params: list[Any] = [head.centre_id, stages[i % 4]]
        if after:
            where += " AND (p.search_name, p.id) > (%s, %s)"
            params += list(after)
        rows = raw_rows(
            f"SELECT {person_cols} FROM {person_from} WHERE {where} "
            "ORDER BY p.search_name, p.id LIMIT 51",
            params,
        )
        raw_contacts([r[0] for r in rows[:50]])
        return rows

    record(
        "list_page",
        "person_list stage filter, sorted by name, page 1, centre head",
        list_sel,
        list_raw,
        lambda: list_sel(0),
    )
    cursors = [list_sel(i).next_cursor for i in range(4)]
    lasts = []
    for i in range(4):
        rows = list_raw(i)
        lasts.append((rows[49][5], rows[49][0]))

    def list2_sel(i: int) -> Any:
        return person_list(
            actor=head,
            filters=PersonFilters(stage=stages[i % 4]),
            sort="name",
            cursor=cursors[i % 4],
        )

    record(
        "list_page_2",
        "person_list page 2 by cursor, centre head",
        list2_sel,
        lambda i: list_raw(i, lasts[i % 4]),
        lambda: list2_sel(0),
    )

    # 3. name search: a common fragment and a rare one
    rare = pick_rare_fragment(raw_rows)
    log(f"rare fragment: {rare!r}")

    def search_raw(
        q: str, centre_id: int | None = None, fence: bool = True
    ) -> Callable[[int], None]:
        # The engine's best plan: a rare fragment through the trigram index (fenced so
        # the planner cannot walk the sort index), a common one along the sort index.
        def run(_i: int) -> None:
            where = (
                "p.id IN (SELECT id FROM parties_person WHERE search_name LIKE %s OFFSET 0)"
                if fence
                else "p.search_name LIKE %s"
            )
            params: list[Any] = [f"%{q}%"]
            if centre_id:
                where += " AND p.centre_id = %s"
                params.append(centre_id)
            rows = raw_rows(
                f"SELECT {person_cols} FROM {person_from} WHERE {where} "
                "ORDER BY p.search_name, p.id LIMIT 51",
                params,
            )
            raw_contacts([r[0] for r in rows[:50]])

        return run

    for name, q, actor, centre in (
        ("search_common", "иван", execu, None),
        ("search_common_centre", "иван", head, head.centre_id),
        ("search_rare", rare, execu, None),
    ):

        def sel(_i: int, q: str = q, actor: User = actor) -> Any:
            return person_list(actor=actor, filters=PersonFilters(q=q), sort="name")

        record(
            name,
            f"person_list q={q!r}, sorted by name, {actor.username}",
            sel,
            search_raw(q, centre, fence=not name.startswith("search_common")),
            lambda sel=sel: sel(0),
        )
    results["search_rare"]["fragment"] = rare

    # 4. the card of a person with 1,000 timeline entries
    def card_sel(i: int) -> Any:
        person = person_card(actor=execu, person_id=heavy_ids[i % len(heavy_ids)])
        return timeline_page(actor=execu, person=person)

    def card_raw(i: int) -> None:
        pid = heavy_ids[i % len(heavy_ids)]
        raw_rows(
            f"SELECT p.*, c.name, u.username, e.name FROM {person_from} "
            "LEFT JOIN parties_company e ON e.id = p.employer_id WHERE p.id = %s",
            [pid],
        )
        for sql in (
            "SELECT * FROM parties_contactpoint WHERE person_id = %s ORDER BY kind, is_primary DESC, id",
            "SELECT * FROM parties_address WHERE person_id = %s",
            "SELECT i.* FROM parties_interest i JOIN parties_person_interests t "
            "ON t.interest_id = i.id WHERE t.person_id = %s",
            "SELECT g.* FROM parties_tag g JOIN parties_person_tags t ON t.tag_id = g.id "
            "WHERE t.person_id = %s",
            "SELECT * FROM parties_importantdate WHERE person_id = %s ORDER BY date",
            "SELECT * FROM parties_asset WHERE person_id = %s "
            "ORDER BY disposed_at, purchase_date DESC, id",
            "SELECT r.*, c.name FROM parties_companyrole r JOIN parties_company c "
            "ON c.id = r.company_id WHERE r.person_id = %s",
            "SELECT r.*, o.last_name FROM parties_relation r JOIN parties_person o "
            "ON o.id = r.other_id WHERE r.person_id = %s",
            "SELECT r.*, o.last_name FROM parties_relation r JOIN parties_person o "
            "ON o.id = r.person_id WHERE r.other_id = %s",
            "SELECT * FROM parties_stagechange WHERE person_id = %s ORDER BY at DESC, id DESC",
            "SELECT i.*, u.username FROM activities_interaction i LEFT JOIN core_user u "
            "ON u.id = i.actor_id WHERE i.person_id = %s "
            "ORDER BY i.occurred_at DESC, i.id DESC LIMIT 31",
        ):
            raw_rows(sql, [pid])

    record(
        "card_timeline",
        "person_card + timeline_page (first page) of a person with 1,000 entries, executive",
        card_sel,
        card_raw,
        lambda: card_sel(0),
    )
    return results


def pick_rare_fragment(raw_rows: Callable[[str, list[Any]], list[tuple[Any, ...]]]) -> str:
    """A 4-letter piece of a Latin surname that few persons share (the p99 trap)."""
    names = [
        r[0]
        for r in raw_rows(
            "SELECT last_name FROM parties_person TABLESAMPLE SYSTEM (1) "
            "WHERE search_name ~ '^[a-z]' LIMIT 200",
            [],
        )
    ]
    for name in names:
        folded = name.casefold()
        for start in (1, 2, 0):
            piece = folded[start : start + 4]
            if len(piece) < 4 or not piece.isalpha():
                continue
            n = raw_rows(
                "SELECT count(*) FROM parties_person WHERE search_name LIKE %s", [f"%{piece}%"]
            )[0][0]
            if 1 <= n <= 300:
                return piece
    return "zzzq"


def heavy_persons() -> list[int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT person_id FROM activities_interaction WHERE person_id <= 100 "
            "GROUP BY person_id HAVING count(*) >= 1000 ORDER BY person_id"
        )
        return [r[0] for r in cur.fetchall()]


# --- report -----------------------------------------------------------------------


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; PostgreSQL "
        f"{m['postgresql']}; Python {m['python']}; Django {m['django']}. "
        f"{result['persons']:,} persons, {result['interactions']:,} timeline entries; "
        f"medians of {result['runs']} runs × {result['iterations']} calls.",
        "",
    ]
    load = result.get("load")
    raw = result.get("raw_copy")
    if load:
        lines += [
            "| load | Sputnik demo loader | raw COPY of the same rows | ratio |",
            "| --- | --- | --- | --- |",
            f"| total time ({load['rows_total']:,} rows, indexes and ANALYZE included) | "
            f"{load['seconds']} s | {raw['seconds'] if raw else '—'} s | "
            f"{load['seconds'] / raw['seconds']:.1f}× |"
            if raw
            else "",
            f"| persons/s (whole load) | {load['persons_per_s']:,} | "
            f"{round(result['persons'] / raw['seconds']):,} | |"
            if raw
            else "",
            f"| timeline entries/s (whole load) | {load['interactions_per_s']:,} | "
            f"{round(load['rows'].get('interaction', 0) / raw['seconds']):,} | |"
            if raw
            else "",
            f"| rows/s | {load['rows_per_s']:,} | "
            f"{round(load['rows_total'] / raw['seconds']):,} | |"
            if raw
            else "",
            "",
        ]
    lines += [
        "| figure | target | selector p50 / p95 / p99 ms | raw SQL p50 / p95 / p99 ms "
        "| ratio (p50) | queries | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, q in result["queries"].items():
        s, r = q["selector_ms"], q["raw_ms"]
        lines.append(
            f"| {name}: {q['what']} | {q.get('target', '')} | {s['p50']:.2f} / {s['p95']:.2f} / "
            f"{s['p99']:.2f} | {r['p50']:.2f} / {r['p95']:.2f} / {r['p99']:.2f} | "
            f"{q['ratio_p50']}× | {q['queries']} | "
            f"{'yes' if q.get('target_met') else ('**no**' if 'target' in q else '')} |"
        )
    return "\n".join(line for line in lines if line is not None)


def main() -> None:
    ensure_database()
    setup_django()
    from django.db import connection

    result: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "persons": PERSONS,
        "interactions": INTERACTIONS,
        "runs": RUNS,
        "iterations": ITERATIONS,
        "machine": machine(),
        "database": connection.settings_dict["NAME"],
    }
    log(json.dumps(result["machine"], ensure_ascii=False))
    if not SKIP_LOAD:
        result["load"] = bench_load()
        connection.close()
        result["raw_copy"] = bench_raw_copy()
        heavy_ids = result["load"]["heavy_person_ids"]
    else:
        heavy_ids = heavy_persons()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM parties_person")
        result["persons"] = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM activities_interaction")
        result["interactions"] = cur.fetchone()[0]
    result["queries"] = bench_queries(heavy_ids)
    result["loadavg_at_end"] = os.getloadavg()
    result["summary_markdown"] = markdown(result)
    out_dir = ROOT / "results"
    out_dir.mkdir(exist_ok=True)
    name = os.environ.get("BENCH_NAME") or f"pg-{PERSONS // 1000}k"
    path = out_dir / f"{dt.date.today().isoformat()}-{name}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    log("")
    log(result["summary_markdown"])
    log(f"\nwritten {path.relative_to(ROOT.parent)}")


if __name__ == "__main__":
    sys.exit(main())
