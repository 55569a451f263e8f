"""Duplicate-finding benchmark: `python -m bench.dedup`.

A labelled synthetic population (sputnik.parties.dedup.synthetic: originals, families on
one phone that are NOT duplicates, and duplicates with transliterated, mistyped and
swapped names, phones in other spellings, missing fields) of BENCH_DEDUP_PERSONS persons
is loaded by COPY into its own PostgreSQL database, phones and e-mails normalised by the
project's own normalisers on the way. The batch finder then runs exactly as an operator
runs it — `sputnik dedup`, a child process whose peak RSS is measured — and the clusters it
stored are scored against the labels: precision and recall over the pairs the clusters
assert. The engine's own baseline for the blocking work is measured in the same run: raw
SQL self-joins producing the same candidate pairs (exact phone, exact e-mail, same birth
date); the ratio is finder time / raw blocking time.

Environment:
  BENCH_DEDUP_DB       database, default sputnik_bench_dedup (dropped and rebuilt when the
                       population size or seed differs)
  BENCH_DEDUP_PERSONS  persons, default 1,000,000
  BENCH_DEDUP_SEED     generator seed, default 11 (the rule was tuned on seed 8)
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from bench.common import log, machine

ROOT = Path(__file__).resolve().parent
DB = os.environ.get("BENCH_DEDUP_DB", "sputnik_bench_dedup")
PERSONS = int(os.environ.get("BENCH_DEDUP_PERSONS", "1000000"))
SEED = int(os.environ.get("BENCH_DEDUP_SEED", "11"))
HOST = "host=127.0.0.1 port=5432 user=postgres"
CENTRES = 10


def admin(sql: str) -> None:
    with psycopg.connect(f"{HOST} dbname=postgres", autocommit=True) as conn:
        conn.execute(sql)


def exists(db: str) -> bool:
    with psycopg.connect(f"{HOST} dbname=postgres", autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone())


def child_env() -> dict[str, str]:
    # Bytecode is written as in any installed deployment (this shell may forbid it).
    dropped = ("SPUTNIK_TESTING", "DEBUG", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB}",
        DJANGO_SETTINGS_MODULE="sputnik.settings",
        SECRET_KEY="bench-only-" + "k" * 40,
        SPUTNIK_VAR_DIR=str(ROOT.parent / "var" / "bench-dedup"),
    )
    return env


# --- the population -----------------------------------------------------------------------


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")


def _fillers(conn: psycopg.Connection, table: str, given: list[str]) -> tuple[str, str]:
    """Columns NOT NULL without a database default (Django keeps defaults in Python), and
    the empty value of each, appended to every COPY row."""
    rows = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s"
        " AND is_nullable = 'NO' AND column_default IS NULL ORDER BY ordinal_position",
        [table],
    ).fetchall()
    empty = {"jsonb": "{}", "boolean": "f", "integer": "0", "smallint": "0", "bigint": "0"}
    cols = [(name, empty.get(kind, "")) for name, kind in rows if name not in given]
    return "".join(f", {n}" for n, _v in cols), "".join(f"\t{v}" for _n, v in cols)


def build() -> dict[str, Any]:
    """Create, migrate and load the database; returns the load figures."""
    if exists(DB):
        with psycopg.connect(f"{HOST} dbname={DB}") as conn:
            try:
                row = conn.execute("SELECT persons, seed FROM bench_meta").fetchone()
            except psycopg.Error:
                row = None
        if row == (PERSONS, SEED):
            log(f"database {DB}: {PERSONS:,} labelled persons (reused)")
            return {"reused": True}
        admin(f'DROP DATABASE "{DB}"')
    admin(f'CREATE DATABASE "{DB}"')
    env = child_env()
    log(f"building {DB}: migrate")
    subprocess.run([sys.executable, "-m", "sputnik.cli", "migrate", "-v", "0"], env=env, check=True)

    # Generation and normalisation run in this process through the project's code.
    os.environ.update(env)
    import django

    django.setup()
    from sputnik.core.normalize import search_key, try_normalize_email, try_normalize_phone
    from sputnik.parties.dedup.synthetic import generate

    t0 = time.perf_counter()
    persons = io.StringIO()
    contacts = io.StringIO()
    truth = io.StringIO()
    now = dt.datetime.now(dt.UTC).isoformat()
    pk = 0
    bad_phones = checked_phones = 0
    for rec in generate(PERSONS, seed=SEED, centres=CENTRES):
        pk += 1
        persons.write(
            "\t".join(
                _copy_text(v)
                for v in (
                    pk,
                    rec.centre,
                    rec.last_name,
                    rec.first_name,
                    rec.middle_name,
                    rec.birthday.isoformat() if rec.birthday else None,
                    search_key(rec.last_name, rec.first_name, rec.middle_name),
                    now,
                    now,
                )
            )
            + "\n"
        )
        truth.write(f"{pk}\t{rec.entity}\n")
        if rec.phone:
            # Every 20th spelling goes through the project's normaliser and must give the
            # number the generator meant; the rest use that number directly, because
            # phonenumbers costs ~80 µs a number and this machine is shared.
            phone = "+7" + rec.phone_digits
            if pk % 20 == 0:
                checked_phones += 1
                if try_normalize_phone(rec.phone) != phone:
                    bad_phones += 1
            contacts.write(f"{pk}\tphone\t{phone}\tt\n")
        if rec.email:
            email = try_normalize_email(rec.email)
            if email:
                contacts.write(f"{pk}\temail\t{_copy_text(email)}\tt\n")
    generated = time.perf_counter() - t0
    log(f"generated and normalised {pk:,} persons in {generated:.0f} s")

    t1 = time.perf_counter()
    with psycopg.connect(f"{HOST} dbname={DB}", autocommit=True) as conn:
        for i in range(1, CENTRES + 1):
            conn.execute(
                "INSERT INTO core_centre (id, name, kind, region, city, is_active)"
                " VALUES (%s, %s, 'showroom', 'Москва', 'Москва', true)",
                [i, f"Центр {i}"],
            )
        given = "id centre_id last_name first_name middle_name birthday search_name created_at"
        extra_cols, extra_vals = _fillers(conn, "parties_person", [*given.split(), "updated_at"])
        with (
            conn.cursor() as cur,
            cur.copy(
                f"COPY parties_person ({given.replace(' ', ', ')}, updated_at{extra_cols})"
                " FROM STDIN"
            ) as copy,
        ):
            for line in persons.getvalue().splitlines():
                copy.write(line + extra_vals + "\n")
        extra_cols, extra_vals = _fillers(
            conn, "parties_contactpoint", ["id", "person_id", "kind", "value", "is_primary"]
        )
        with (
            conn.cursor() as cur,
            cur.copy(
                f"COPY parties_contactpoint (person_id, kind, value, is_primary{extra_cols})"
                " FROM STDIN"
            ) as copy,
        ):
            for line in contacts.getvalue().splitlines():
                copy.write(line + extra_vals + "\n")
        conn.execute("CREATE TABLE bench_truth (person_id bigint PRIMARY KEY, entity int)")
        with conn.cursor() as cur, cur.copy("COPY bench_truth FROM STDIN") as copy:
            copy.write(truth.getvalue())
        conn.execute("SELECT setval('parties_person_id_seq', %s)", [pk])
        conn.execute("CREATE TABLE bench_meta (persons int, seed int)")
        conn.execute("INSERT INTO bench_meta VALUES (%s, %s)", [PERSONS, SEED])
        conn.execute("VACUUM ANALYZE")
    loaded = time.perf_counter() - t1
    log(
        f"loaded by COPY in {loaded:.0f} s; {checked_phones:,} phone spellings normalised,"
        f" {bad_phones} of them not to the intended number"
    )
    return {
        "generate_s": round(generated, 1),
        "copy_load_s": round(loaded, 1),
        "phone_spellings_checked": checked_phones,
        "phone_spellings_wrong": bad_phones,
    }


# --- the run and its scoring ----------------------------------------------------------------


def raw_blocking(conn: psycopg.Connection) -> dict[str, Any]:
    """The engine's own time for the blocking work: SQL self-joins that produce the same
    candidate pairs (shared phone, shared e-mail, same birth date)."""
    out: dict[str, Any] = {}
    total = 0.0
    for name, sql in (
        (
            "phone",
            "SELECT count(*) FROM parties_contactpoint a JOIN parties_contactpoint b"
            " ON a.value = b.value AND a.kind = 'phone' AND b.kind = 'phone'"
            " AND a.person_id < b.person_id",
        ),
        (
            "email",
            "SELECT count(*) FROM parties_contactpoint a JOIN parties_contactpoint b"
            " ON a.value = b.value AND a.kind = 'email' AND b.kind = 'email'"
            " AND a.person_id < b.person_id",
        ),
        (
            "birthday",
            "SELECT count(*) FROM parties_person a JOIN parties_person b"
            " ON a.birthday = b.birthday AND a.id < b.id",
        ),
    ):
        t = time.perf_counter()
        pairs = (conn.execute(sql).fetchone() or (0,))[0]
        elapsed = time.perf_counter() - t
        total += elapsed
        out[name] = {"pairs": pairs, "s": round(elapsed, 2)}
        log(f"  raw SQL self-join on {name}: {pairs:,} pairs in {elapsed:.1f} s")
    out["total_s"] = round(total, 2)
    return out


def score(conn: psycopg.Connection) -> dict[str, Any]:
    """Precision and recall over the pairs the stored clusters assert, against the labels."""
    members: dict[int, set[int]] = {}
    for cluster, a, b in conn.execute(
        "SELECT p.cluster_id, p.person_a_id, p.person_b_id FROM parties_duplicatepair p"
        " JOIN parties_duplicatecluster c ON c.id = p.cluster_id WHERE c.status = 'open'"
    ):
        members.setdefault(cluster, set()).update((a, b))
    predicted: set[tuple[int, int]] = set()
    for group in members.values():
        ids = sorted(group)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                predicted.add((a, b))
    by_entity: dict[int, list[int]] = {}
    for pk, entity in conn.execute("SELECT person_id, entity FROM bench_truth"):
        by_entity.setdefault(entity, []).append(pk)
    truth: set[tuple[int, int]] = set()
    for ids in by_entity.values():
        ids.sort()
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                truth.add((a, b))
    hits = len(predicted & truth)
    return {
        "true_pairs": len(truth),
        "predicted_pairs": len(predicted),
        "correct_pairs": hits,
        "precision": round(hits / max(1, len(predicted)), 4),
        "recall": round(hits / max(1, len(truth)), 4),
        "clusters": len(members),
    }


def main() -> None:
    info = machine()
    log(
        f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM, PostgreSQL "
        f"{info['postgresql']}, load average {info['loadavg_at_start'][0]:.2f}"
    )
    load = build()
    log("running `sputnik dedup` (the batch finder, as an operator runs it)")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "sputnik.cli", "dedup", "--no-name-index"],
        env=child_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - t
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    stats = json.loads(result.stdout)
    log(f"finder: {elapsed:.1f} s, peak RSS {peak_kb / 1024:.0f} MiB (before: {before} KiB)")
    log("  " + json.dumps(stats))
    with psycopg.connect(f"{HOST} dbname={DB}") as conn:
        quality = score(conn)
        log(
            f"precision {quality['precision']:.4f}, recall {quality['recall']:.4f}"
            f" ({quality['correct_pairs']:,} of {quality['predicted_pairs']:,} asserted pairs"
            f" correct; {quality['true_pairs']:,} true pairs)"
        )
        raw = raw_blocking(conn)
    ratio = elapsed / raw["total_s"] if raw["total_s"] else None
    log(
        f"finder {elapsed:.1f} s vs raw SQL blocking self-joins {raw['total_s']:.1f} s:"
        f" ratio {ratio:.1f}x (the finder also judges every pair and stores the clusters)"
    )
    log(
        f"target: ≤ 600 s, precision ≥ 0.98, recall ≥ 0.90; load average now {os.getloadavg()[0]:.2f}"
    )
    out = {
        "benchmark": "dedup",
        "date": dt.date.today().isoformat(),
        "machine": info,
        "persons": PERSONS,
        "seed": SEED,
        "load": load,
        "finder": {
            "elapsed_s": round(elapsed, 1),
            "peak_rss_mib": round(peak_kb / 1024),
            "stats": stats,
        },
        "quality": quality,
        "raw_sql_blocking": raw,
        "ratio_finder_to_raw_blocking": round(ratio, 2) if ratio else None,
        "load_average_at_end": os.getloadavg(),
    }
    results = ROOT / "results"
    results.mkdir(exist_ok=True)
    path = results / f"{out['date']}-pg-dedup-{PERSONS // 1000}k.json"
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    log(f"saved {path}")


if __name__ == "__main__":
    main()
