"""Import benchmark: `python -m bench.imports`.

A CSV of BENCH_IMPORT_ROWS persons (Windows-1251, `;`, realistic variation: phone
spellings, CAPS names, Excel serial and Russian dates, e-mails in mixed case, ~1% rows
matching persons already stored, ~0.5% repeated within the file, ~0.5% bad rows) is
imported into a PostgreSQL database already holding BENCH_IMPORT_BASE persons, through
the same code path as the CLI (`sputnik import persons FILE`, a child process whose
peak RSS is measured). The engine's limit is measured in the same run: the very rows the
import wrote (persons and contacts, dumped afterwards) COPYed raw into a twin of the
same database, same tables, same indexes and constraints. The ratio is raw time / import
time (1.0 = as fast as a bare COPY).

Environment:
  BENCH_IMPORT_DB    base database, default sputnik_bench_import (created, migrated and
                     loaded with the demo network once; reused afterwards)
  BENCH_IMPORT_BASE  persons preloaded, default 1,000,000
  BENCH_IMPORT_ROWS  rows in the file, default 1,000,000
  BENCH_IMPORT_CHUNK rows per transaction, default 5,000
  BENCH_KEEP         "1": keep the twin databases afterwards
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from bench.common import log, machine

ROOT = Path(__file__).resolve().parent
BASE_DB = os.environ.get("BENCH_IMPORT_DB", "sputnik_bench_import")
BASE_PERSONS = int(os.environ.get("BENCH_IMPORT_BASE", "1000000"))
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
CHUNK = int(os.environ.get("BENCH_IMPORT_CHUNK", "5000"))
KEEP = os.environ.get("BENCH_KEEP", "") in {"1", "true", "yes"}
HOST = "host=127.0.0.1 port=5432 user=postgres"
RUN_DB, RAW_DB = f"{BASE_DB}_run", f"{BASE_DB}_raw"


def url(db: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{db}"


def admin(sql: str) -> None:
    with psycopg.connect(f"{HOST} dbname=postgres", autocommit=True) as conn:
        conn.execute(sql)


def exists(db: str) -> bool:
    with psycopg.connect(f"{HOST} dbname=postgres", autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone())


def child_env(db: str) -> dict[str, str]:
    # Bytecode is cached for the child (the shell here sets PYTHONDONTWRITEBYTECODE), so
    # the measured import does not spend its first seconds compiling Django.
    drop = ("SPUTNIK_TESTING", "DEBUG", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        DATABASE_URL=url(db),
        DJANGO_SETTINGS_MODULE="sputnik.settings",
        SECRET_KEY="bench-only-" + "k" * 40,
        SPUTNIK_VAR_DIR=str(ROOT.parent / "var" / "bench-imports"),
    )
    return env


def ensure_base() -> None:
    """The base database with the demo network and BASE_PERSONS persons (built once)."""
    if exists(BASE_DB):
        with psycopg.connect(f"{HOST} dbname={BASE_DB}") as conn:
            row = conn.execute("SELECT count(*) FROM parties_person").fetchone()
            if row and row[0] >= BASE_PERSONS:
                log(f"base database {BASE_DB}: {row[0]:,} persons (reused)")
                return
        admin(f'DROP DATABASE "{BASE_DB}"')
    admin(f'CREATE DATABASE "{BASE_DB}"')
    env = child_env(BASE_DB)
    log(f"building {BASE_DB}: migrate, then the demo network with {BASE_PERSONS:,} persons")
    subprocess.run([sys.executable, "-m", "sputnik.cli", "migrate", "-v", "0"], env=env, check=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sputnik.cli",
            "demo",
            "--persons",
            str(BASE_PERSONS),
            "--interactions",
            "0",
            "--no-serve",
        ],
        env=env,
        check=True,
    )
    with psycopg.connect(f"{HOST} dbname={BASE_DB}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def migrate_base() -> None:
    """Apply migrations added since the base was built (the twins copy its schema)."""
    subprocess.run(
        [sys.executable, "-m", "sputnik.cli", "migrate", "-v", "0"],
        env=child_env(BASE_DB),
        check=True,
    )


def twin(name: str) -> None:
    if exists(name):
        admin(f'DROP DATABASE "{name}"')
    admin(f'CREATE DATABASE "{name}" TEMPLATE "{BASE_DB}"')


# --- the file ----------------------------------------------------------------------------

MONTHS = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]


def phone_spelling(rng: random.Random, e164: str) -> str:
    n = e164[2:]
    a, b, c, d = n[:3], n[3:6], n[6:8], n[8:]
    return rng.choice(
        (
            f"8 ({a}) {b}-{c}-{d}",
            f"+7 {a} {b} {c} {d}",
            f"8{n}",
            f"+7({a}){b}-{c}-{d}",
            f"{a}-{b}-{c}-{d}",
            f"7 {a} {b}{c}{d}",
            f"+7{n}",
        )
    )


def birthday_spelling(rng: random.Random) -> str:
    day = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 55))
    kind = rng.random()
    if kind < 0.5:
        return day.strftime("%d.%m.%Y")
    if kind < 0.7:
        return str((day - dt.date(1899, 12, 30)).days)  # Excel serial
    if kind < 0.9:
        return f"{day.day} {MONTHS[day.month - 1]} {day.year} г."
    return day.isoformat()


def existing_phones(limit: int) -> list[str]:
    with psycopg.connect(f"{HOST} dbname={BASE_DB}") as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT value FROM parties_contactpoint WHERE kind = 'phone' AND person_id IS NOT NULL"
                " ORDER BY id DESC LIMIT %s",
                [limit],
            )
        ]


def write_file(path: Path, rows: int, seed: int = 7) -> dict[str, int]:
    """The CSV the way Russian Excel saves it: Windows-1251, `;`, CRLF."""
    sys.path.insert(0, str(ROOT.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sputnik.settings")
    from sputnik.core.demo.pools import NamePools, PhoneSequence, translit

    rng = random.Random(seed)
    pools = NamePools.build(seed, size=4000)
    names = pools.russian + pools.english
    phones = PhoneSequence(random.Random(seed + 99), start=5_000_000)
    known = existing_phones(max(rows // 100, 10))
    domains = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru", "list.ru", "rambler.ru")
    stats = {"rows": rows, "existing_phone": 0, "repeated": 0, "bad": 0}
    recent: list[list[str]] = []
    header = [
        "Код клиента",
        "Фамилия",
        "Имя",
        "Отчество",
        "Телефон",
        "E-mail",
        "Дата рождения",
        "Комментарий",
    ]
    with open(path, "w", encoding="cp1251", errors="replace", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        for i in range(rows):
            roll = rng.random()
            if roll < 0.005 and recent:
                writer.writerow(rng.choice(recent))  # the same customer twice in the file
                stats["repeated"] += 1
                continue
            name = rng.choice(names)
            last, first, middle = name.last, name.first, name.middle
            if rng.random() < 0.05:
                last, first, middle = last.upper(), first.upper(), middle.upper()
            if roll < 0.015 and known:
                e164 = rng.choice(known)
                stats["existing_phone"] += 1
            else:
                e164 = phones.next()
            phone = phone_spelling(rng, e164)
            email = ""
            if rng.random() < 0.7:
                local = f"{translit(name.first)}.{translit(name.last)}{rng.randrange(10000)}"
                email = f"{local}@{rng.choice(domains)}"
                if rng.random() < 0.2:
                    email = email.title()
            birthday = birthday_spelling(rng) if rng.random() < 0.6 else ""
            ext = f"1C-{i:07d}" if rng.random() < 0.5 else ""
            if 0.015 <= roll < 0.02:
                stats["bad"] += 1
                if rng.random() < 0.5:
                    phone = "12-34"
                else:
                    last = first = middle = ""
            row = [ext, last, first, middle, phone, email, birthday, ""]
            if rng.random() < 0.01:
                row[7] = "Перезвонить после 18:00; интересуется кроссовером"
            writer.writerow(row)
            if len(recent) < 1000 and rng.random() < 0.01:
                recent.append(row)
    return stats


# --- measuring ------------------------------------------------------------------------------


def run_import(path: Path) -> dict[str, Any]:
    env = child_env(RUN_DB)
    with psycopg.connect(f"{HOST} dbname={RUN_DB}") as conn:
        user = conn.execute(
            "SELECT username FROM core_user WHERE role = 'centre_head' AND is_active ORDER BY id LIMIT 1"
        ).fetchone()[0]
    cmd = [
        sys.executable,
        "-m",
        "sputnik.cli",
        "import",
        "persons",
        str(path),
        "--user",
        user,
        "--json",
        "--chunk",
        str(CHUNK),
    ]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"import failed: {err.decode()[-2000:]}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["wall_seconds"] = seconds
    result["peak_rss_mib"] = usage.ru_maxrss / 1024  # the largest child so far: the import
    result["user"] = user
    return result


def dump_written(batch_id: int, folder: Path) -> dict[str, Any]:
    """The rows the import wrote, as COPY text, for the raw twin."""
    files = {}
    with psycopg.connect(f"{HOST} dbname={RUN_DB}") as conn:
        for name, sql in (
            ("batch", f"SELECT * FROM parties_importbatch WHERE id = {batch_id}"),
            (
                "person",
                f"SELECT * FROM parties_person WHERE import_batch_id = {batch_id} ORDER BY id",
            ),
            (
                "contact",
                "SELECT c.* FROM parties_contactpoint c JOIN parties_person p ON p.id = c.person_id"
                f" WHERE p.import_batch_id = {batch_id} ORDER BY c.id",
            ),
        ):
            target = folder / f"raw-{name}.copy"
            with open(target, "wb") as fh, conn.cursor().copy(f"COPY ({sql}) TO STDOUT") as copy:
                for block in copy:
                    fh.write(block)
            files[name] = target
    return files


def raw_copy(files: dict[str, Path]) -> dict[str, Any]:
    with psycopg.connect(f"{HOST} dbname={RAW_DB}") as conn:
        with conn.cursor() as cur, cur.copy("COPY parties_importbatch FROM STDIN") as copy:
            copy.write(files["batch"].read_bytes())
        conn.commit()
        counts = {}
        started = time.perf_counter()
        with conn.transaction():
            for name, table in (("person", "parties_person"), ("contact", "parties_contactpoint")):
                n = 0
                with (
                    conn.cursor() as cur,
                    cur.copy(f"COPY {table} FROM STDIN") as copy,
                    open(files[name], "rb") as fh,
                ):
                    while block := fh.read(1024 * 1024):
                        copy.write(block)
                        n += block.count(b"\n")
                counts[name] = n
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": counts}


def main() -> None:
    info = machine()
    log(
        f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM, PostgreSQL "
        f"{info['postgresql']}, load average {info['loadavg_at_start'][0]:.2f}"
    )
    ensure_base()
    migrate_base()
    work_dir = ROOT.parent / "var" / "bench-imports"
    work_dir.mkdir(parents=True, exist_ok=True)
    path = work_dir / f"persons-{ROWS}.csv"
    t0 = time.perf_counter()
    file_stats = write_file(path, ROWS)
    log(
        f"file: {path.name}, {path.stat().st_size / 1e6:.0f} MB, {ROWS:,} rows "
        f"(generated in {time.perf_counter() - t0:.0f} s): {file_stats}"
    )
    twin(RUN_DB)
    twin(RAW_DB)
    try:
        log("import through `sputnik import persons` …")
        result = run_import(path)
        counts = result["counts"]
        log(
            f"  {result['wall_seconds']:.1f} s, peak RSS {result['peak_rss_mib']:.0f} MiB: {counts}"
        )
        files = dump_written(result["batch"], work_dir)
        log("raw COPY of the same rows into the twin …")
        raw = raw_copy(files)
        log(f"  {raw['seconds']:.1f} s: {raw['rows']}")
    finally:
        if not KEEP:
            for name in (RUN_DB, RAW_DB):
                if exists(name):
                    admin(f'DROP DATABASE "{name}"')
    persons = raw["rows"]["person"]
    import_rate = ROWS / result["wall_seconds"]
    written_rate = persons / result["wall_seconds"]
    raw_rate = persons / raw["seconds"]
    ratio = raw["seconds"] / result["wall_seconds"]
    summary = {
        "date": dt.date.today().isoformat(),
        "machine": info,
        "base_persons": BASE_PERSONS,
        "file": {"rows": ROWS, "bytes": path.stat().st_size, **file_stats},
        "chunk_rows": CHUNK,
        "import": result,
        "raw_copy": raw,
        "rates": {
            "import_file_rows_per_s": round(import_rate),
            "import_persons_written_per_s": round(written_rate),
            "raw_copy_persons_per_s": round(raw_rate),
            "ratio_raw_time_over_import_time": round(ratio, 3),
        },
        "targets": {"ratio_at_least": 0.5, "peak_rss_mib_below": 1024},
        "met": ratio >= 0.5 and result["peak_rss_mib"] < 1024,
    }
    log("")
    log(f"import:   {import_rate:10,.0f} file rows/s  ({written_rate:,.0f} persons written/s)")
    log(f"raw COPY: {raw_rate:10,.0f} persons/s (+ their contacts), same tables and indexes")
    log(
        f"ratio:    {ratio:.2f} (target >= 0.5)   peak RSS {result['peak_rss_mib']:.0f} MiB (< 1024)"
    )
    out = ROOT / "results" / f"{dt.date.today().isoformat()}-imports-{ROWS // 1000}k.json"
    out.write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str))
    log(f"saved {out}")


if __name__ == "__main__":
    main()
