"""What every benchmark shares: the environment a benchmark process runs Django under,
its own database, the machine line printed beside each figure, and timing.

Call `use_database(...)` at import time, before anything imports Django's settings.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HOST = "postgres://postgres@127.0.0.1:5432"
ROOT = Path(__file__).resolve().parent


def use_database(own_db: str, *, test_client: bool = False) -> None:
    """Production-like settings for the process (DEBUG would make Django keep every query
    in memory and slow each one down) on `own_db` unless DATABASE_URL says otherwise."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sputnik.settings")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 40)
    if test_client:
        os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("DATABASE_URL", f"{HOST}/{own_db}")


def log(text: str) -> None:
    print(text, flush=True)


def ensure_database(*, fresh: bool = False) -> None:
    """Create DATABASE_URL's database when it is missing (dropped first when `fresh`)."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
    conninfo = f"host={cfg['HOST']} port={cfg['PORT'] or 5432} user={cfg['USER']} dbname=postgres"
    name = cfg["NAME"]
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if fresh or not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")


def machine() -> dict[str, Any]:
    """The machine line: CPU, cores, memory, the load when the run starts, versions."""
    import django
    import psycopg

    cpu, mem_kb = "unknown", 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        pass
    with psycopg.connect(f"{HOST}/postgres") as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "loadavg_at_start": os.getloadavg(),
        "postgresql": row[0] if row else "?",
        "python": platform.python_version(),
        "django": django.get_version(),
        "os": platform.platform(),
    }


def samples(fn: Callable[[int], Any], count: int) -> list[float]:
    """Seconds per call of fn(0), fn(1), … fn(count - 1)."""
    out = []
    for i in range(count):
        start = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - start)
    return out


def stats(seconds: list[float], places: int = 2) -> dict[str, float]:
    """Median, 95th percentile and maximum in milliseconds, and calls per second."""
    ordered = sorted(seconds)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, places),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, places),
        "max_ms": round(ordered[-1] * 1000, places),
        "per_second": round(len(ordered) / sum(ordered), 1),
    }
