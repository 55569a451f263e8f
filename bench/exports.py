"""Export benchmark: 1,000,000 persons to CSV through the export's own generator, beside a
raw `COPY (SELECT …) TO STDOUT` of the same columns in the same run.

    python -m bench.exports

Environment:
  DATABASE_URL        default: postgres://…/sputnik_bench when it exists (read only),
                      otherwise postgres://…/sputnik_bench_exports (created, migrated and
                      loaded with the demo network when it holds fewer persons than asked)
  BENCH_PERSONS       persons to load into an own database, default 1,000,000
  BENCH_EXPORT_LIMIT  stop after this many rows (a quick run), default: all
  BENCH_FORMATS       comma list of csv, vcard; default csv
  BENCH_NAME          results file name suffix, default exports-<rows>

The export side is the code the view runs, minus its two log writes (the Export row and
its audit entries, which a read-only database refuses): `filtered_persons` for an
executive (sees everything) → `person_records` in keyset chunks → `csv_stream`. Figures:
rows/s, time to the first data row (the header leaves before any query, so it is not
counted), peak RSS of the process, queries. The raw side reads the same columns (primary
and other phones, e-mail, centre and owner names) with one COPY on a bare psycopg
connection. Both sessions are set read-only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import sys
import time
from typing import Any

from bench.common import HOST, ROOT, log, machine

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sputnik.settings")
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 40)

PERSONS = int(os.environ.get("BENCH_PERSONS", "1000000"))
LIMIT = int(os.environ.get("BENCH_EXPORT_LIMIT", "0")) or None
FORMATS = [f.strip() for f in os.environ.get("BENCH_FORMATS", "csv").split(",") if f.strip()]
SHARED_DB = "sputnik_bench"
OWN_DB = "sputnik_bench_exports"


def _database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{HOST}/postgres", autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def choose_database() -> tuple[str, bool]:
    """(DATABASE_URL, whether it is ours to load)."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"], False
    if _database_exists(SHARED_DB):
        return f"{HOST}/{SHARED_DB}", False
    return f"{HOST}/{OWN_DB}", True


def prepare_own_database() -> None:
    """Create, migrate and load our own database (never the shared one)."""
    import psycopg

    if not _database_exists(OWN_DB):
        with psycopg.connect(f"{HOST}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{OWN_DB}"')
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from sputnik.parties.models import Person

    have = Person.objects.count()
    if have >= PERSONS:
        log(f"{have:,} persons already loaded")
        return
    from sputnik.core.demo.load import existing_data, load_demo, wipe

    if existing_data():
        wipe()
    log(f"loading {PERSONS:,} persons (no timeline) into {OWN_DB}…")
    stats = load_demo(
        persons=PERSONS, interactions=0, seed=42, heavy_persons=0, chunk_size=50_000, report=log
    )
    log(f"loaded in {stats.seconds:.0f} s")


def read_only() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def bench_generator(fmt: str) -> dict[str, Any]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from sputnik.core.models import User
    from sputnik.core.roles import Role
    from sputnik.parties.exports.columns import DEFAULT_CHUNK, PERSON_COLUMNS, person_records
    from sputnik.parties.exports.writers import csv_stream
    from sputnik.parties.selectors import PersonFilters, filtered_persons, visible_companies
    from sputnik.parties.vcard.writer import vcard_stream

    actor = User.objects.filter(role=Role.EXECUTIVE, is_active=True).order_by("pk").first()
    assert actor is not None, "the benchmark needs an executive in the database"
    qs = filtered_persons(actor=actor, filters=PersonFilters())

    def employers(ids: set[int]) -> dict[int, str]:
        return dict(visible_companies(actor).filter(pk__in=ids).values_list("pk", "name"))

    chunks = person_records(
        qs,
        chunk_size=DEFAULT_CHUNK,
        with_addresses=fmt == "vcard",
        visible_employers=employers if fmt == "vcard" else None,
    )
    stream = (
        vcard_stream(chunks)
        if fmt == "vcard"
        else csv_stream(PERSON_COLUMNS, chunks, encoding="utf-8")
    )
    rss_before = rss_mb()
    reset_queries()
    rows = 0
    size = 0
    first_row = None
    cpu_started = time.process_time()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        for i, piece in enumerate(stream):
            size += len(piece)
            if fmt == "vcard":
                rows += piece.count(b"BEGIN:VCARD")
            else:
                rows += piece.count(b"\r\n") - (1 if i == 0 else 0)
            if first_row is None and rows:
                first_row = time.perf_counter() - started
            if LIMIT and rows >= LIMIT:
                stream.close()
                break
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return {
        "format": fmt,
        # On a shared machine wall time depends on the load; the process's own CPU time
        # shows what the export costs per row.
        "cpu_seconds": round(cpu, 2),
        "rows_per_cpu_s": round(rows / cpu) if cpu else None,
        "rows": rows,
        "bytes": size,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "first_row_ms": round((first_row or 0) * 1000, 1),
        "queries": len(ctx.captured_queries),
        "chunk_size": DEFAULT_CHUNK,
        "rss_before_mb": rss_before,
        "peak_rss_mb": rss_mb(),
    }


RAW_SQL = """
COPY (
  SELECT p.id, p.last_name, p.first_name, p.middle_name,
         ph.v[1], array_to_string(ph.v[2:], ', '), em.v[1],
         p.stage, p.birthday, p.job_title, p.is_vip, c.name,
         nullif(concat_ws(' ', u.first_name, u.last_name), ''), p.source, p.created_at
  FROM parties_person p
  JOIN core_centre c ON c.id = p.centre_id
  LEFT JOIN core_user u ON u.id = p.owner_id
  LEFT JOIN LATERAL (SELECT array_agg(value ORDER BY is_primary DESC, id) v
                     FROM parties_contactpoint
                     WHERE person_id = p.id AND kind = 'phone') ph ON true
  LEFT JOIN LATERAL (SELECT array_agg(value ORDER BY is_primary DESC, id) v
                     FROM parties_contactpoint
                     WHERE person_id = p.id AND kind = 'email') em ON true
  ORDER BY p.id {limit}
) TO STDOUT WITH (FORMAT csv, DELIMITER ';', HEADER)
"""


def bench_raw_copy(database_url: str) -> dict[str, Any]:
    import psycopg

    limit = f"LIMIT {int(LIMIT)}" if LIMIT else ""
    size = 0
    lines = 0
    first_row = None
    with psycopg.connect(database_url) as conn:
        conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy(RAW_SQL.format(limit=limit)) as copy:
            for block in copy:
                size += len(block)
                lines += bytes(block).count(b"\n")
                if first_row is None and lines > 1:
                    first_row = time.perf_counter() - started
        seconds = time.perf_counter() - started
    rows = max(lines - 1, 0)
    return {
        "rows": rows,
        "bytes": size,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "first_row_ms": round((first_row or 0) * 1000, 1),
    }


def main() -> None:
    database_url, ours = choose_database()
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    if ours:
        prepare_own_database()
    read_only()
    info = machine()
    log(
        f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM; "
        f"PostgreSQL {info['postgresql']}; load average {info['loadavg_at_start']}"
    )
    log(f"database: {database_url.rsplit('/', 1)[-1]}")
    results: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "database": database_url.rsplit("/", 1)[-1],
        "machine": info,
        "limit": LIMIT,
    }
    figures = []
    for fmt in FORMATS:
        log(f"export generator ({fmt})…")
        figures.append(bench_generator(fmt))
        log(f"  {figures[-1]}")
    results["generator"] = figures
    log("raw COPY (SELECT …) TO STDOUT…")
    raw = bench_raw_copy(database_url)
    log(f"  {raw}")
    results["raw_copy"] = raw
    for figure in figures:
        figure["ratio_to_raw_copy"] = round(figure["rows_per_s"] / raw["rows_per_s"], 3)
    results["loadavg_at_end"] = os.getloadavg()
    lines = [
        "| path | rows | seconds | rows/s | first row ms | peak RSS MB | ratio to COPY |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for f in figures:
        lines.append(
            f"| export generator ({f['format']}) | {f['rows']:,} | {f['seconds']} | "
            f"{f['rows_per_s']:,} | {f['first_row_ms']} | {f['peak_rss_mb']} | "
            f"{f['ratio_to_raw_copy']}× |"
        )
    lines.append(
        f"| raw COPY (SELECT …) TO STDOUT | {raw['rows']:,} | {raw['seconds']} | "
        f"{raw['rows_per_s']:,} | {raw['first_row_ms']} | — | 1× |"
    )
    results["summary_markdown"] = "\n".join(lines)
    log(results["summary_markdown"])
    name = os.environ.get("BENCH_NAME") or f"exports-{(LIMIT or figures[0]['rows']) // 1000}k"
    out = ROOT / "results" / f"{results['date']}-{name}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    log(f"saved {out}")


if __name__ == "__main__":
    sys.exit(main())
