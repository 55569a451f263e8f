"""Deals board benchmark: the first screen of a pipeline's board with 10,000 open deals,
through the real view, beside the raw SQL for the same numbers, in the same run.

    python -m bench.sales_board

Its own database, loaded by COPY when it holds fewer deals than asked:
1,000,000 deals, 3,000,000 deal lines and their stage history, 200,000 persons, 10
centres with a head and 20 sales managers each. Centre 1 ("Бенч-центр 1") has exactly
10,000 open new-car deals (plus its closed and other-pipeline deals); its head is the
acting user, so every figure goes through the visibility ladder.

Environment:
  DATABASE_URL     default postgres://…/sputnik_bench_sales (created and migrated)
  BENCH_DEALS      deals, default 1,000,000 (lines: 3 per deal on average)
  BENCH_PERSONS    persons, default 200,000
  BENCH_BOARD_OPEN open new-car deals of centre 1, default 10,000
  BENCH_ROUNDS     timed calls per figure, default 40
  BENCH_RELOAD=1   empty the deal tables and load again

Figures (p50 / p95 / max, milliseconds):
  view.board       GET /pipelines/<id>/board/ through the Django test client as the
                   centre head: middleware, session, selectors, template, the HTML;
  selectors.board  selectors.deals.board(): the per-column totals and first cards;
  view.column      GET of a column's next cards ("load more", keyset cursor);
  view.list        GET /deals/?pipeline=<id> (the list, first page, with its capped count);
  raw.board        the same numbers by hand-written SQL on a bare psycopg connection:
                   one GROUP BY for the totals and one LIMIT per column with the card's
                   person and owner joined — the engine's floor for that screen.
The ratio is view / raw. The budget (issue 4) is 200 ms for the board's first screen.

The loader is reusable (e.g. by the sales analytics benchmark on the same data):
    from bench.sales_board import ensure_loaded
    ensure_loaded(deals=1_000_000, persons=200_000)
It returns the ids of the bench centre, its head and the new-car pipeline.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.common import ROOT, ensure_database, log, machine, use_database

use_database("sputnik_bench_sales")
DEALS = int(os.environ.get("BENCH_DEALS", "1000000"))
PERSONS = int(os.environ.get("BENCH_PERSONS", "200000"))
BOARD_OPEN = int(os.environ.get("BENCH_BOARD_OPEN", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))
CENTRES = 10
MANAGERS = 20
BUDGET_MS = 200.0
BENCH_CENTRE = "Бенч-центр 1"
BENCH_HEAD = "bench-head-1"
SEED = 20261123


def setup() -> None:
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- COPY plumbing -----------------------------------------------------------------------


def copy_frame(cur: Any, model: Any, frame: Any) -> int:
    """COPY a polars frame into a model's table: every concrete column, Django's own
    default (the declared one, "" for text, None otherwise) where the frame has none, so
    columns other apps add later do not break the loader. CSV through psycopg's copy()."""
    import io

    import polars as pl

    columns = []
    for f in model._meta.concrete_fields:
        if f.column in frame.columns:
            columns.append(pl.col(f.column))
            continue
        default = f.get_default()
        if isinstance(default, dict | list):
            default = json.dumps(default)
        elif isinstance(default, bool):
            default = "true" if default else "false"
        elif default is not None:
            default = str(default)
        columns.append(pl.lit(default, dtype=pl.Utf8).alias(f.column))
    out = frame.select(columns)
    buf = io.StringIO()
    # Quoted empty strings stay "" and unquoted empty fields are NULL, as COPY reads CSV.
    out.write_csv(buf, include_header=False, quote_style="non_numeric", null_value="")
    table = model._meta.db_table
    with cur.copy(f"COPY {table} ({', '.join(out.columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
        data = buf.getvalue()
        for i in range(0, len(data), 1 << 22):
            copy.write(data[i : i + (1 << 22)])
    return out.height


def _secondary_ddl(cur: Any, tables: list[str]) -> tuple[list[str], list[str]]:
    """CREATE INDEX and ADD CONSTRAINT statements of the tables' secondary indexes and
    foreign keys, dropped for the load and rebuilt after (COPY into the bare table)."""
    cur.execute(
        "SELECT schemaname, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
        " AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
        [tables],
    )
    indexes = [(name, ddl) for _s, name, ddl in cur.fetchall()]
    cur.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype IN ('f', 'c') AND conrelid::regclass::text = ANY(%s)",
        [tables],
    )
    constraints = cur.fetchall()
    for name, _ddl in indexes:
        cur.execute(f'DROP INDEX IF EXISTS "{name}"')
    for table, name, _ddl in constraints:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "{name}"')
    return [ddl for _n, ddl in indexes], [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl}' for table, name, ddl in constraints
    ]


# --- the data ----------------------------------------------------------------------------

LAST = [
    "Иванов",
    "Петров",
    "Сидоров",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
]
FIRST = ["Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Максим", "Иван", "Михаил"]
MIDDLE = ["Александрович", "Сергеевич", "Дмитриевич", "Андреевич", "Иванович", "Петрович"]
CARS = [
    ("Lada Niva Travel", 1_450_000),
    ("Lada Vesta SW Cross", 1_650_000),
    ("Lada Granta Drive Active", 980_000),
    ("Haval Jolion", 2_300_000),
    ("Chery Tiggo 7 Pro", 2_600_000),
    ("UAZ Patriot", 1_900_000),
    ("UAZ Pickup", 2_050_000),
]
EXTRAS = [
    ("Коврики салона", 6_500),
    ("Защита картера", 14_000),
    ("Фаркоп", 22_000),
    ("Зимние шины, комплект", 48_000),
    ("КАСКО, 1 год", 95_000),
    ("Тонировка", 12_000),
    ("Сигнализация с автозапуском", 36_000),
    ("ТО-1", 18_000),
    ("Диагностика", 3_500),
]
DISCOUNTS = [0, 0, 0, 3, 5, 10]
PIPELINE_SHARE = ["new-cars"] * 5 + ["used-cars"] * 2 + ["service"] * 2 + ["accessories"]
OUTCOME_SHARE = ["open"] + ["won"] * 6 + ["lost"] * 4


def _pick(values: list[Any], key: Any, dtype: Any) -> Any:
    """values[key] for an integer expression `key` (a vectorised list lookup)."""

    return key.replace_strict(dict(enumerate(values)), return_dtype=dtype)


def _h(col: str, seed: int) -> Any:
    """A deterministic pseudo-random u64 per row (vectorised: no Python per row)."""
    import polars as pl

    return pl.col(col).hash(seed)


def _frames(
    *,
    deals: int,
    persons: int,
    board_open: int,
    centre_ids: list[int],
    owners: list[list[int]],
    stages: dict[str, list[Any]],
    reasons: list[int],
    now: dt.datetime,
) -> dict[str, Any]:
    """Persons, deals, lines and stage history as polars frames, generated column-wise."""
    import polars as pl

    from sputnik.core.normalize import search_key

    utc = "UTC"
    now_s = int(now.timestamp())
    per_centre = persons // CENTRES

    # persons: id p belongs to centre index (p - 1) % CENTRES
    pid = pl.int_range(1, persons + 1, eager=True).alias("id")
    people = pl.DataFrame(pid).with_columns(
        ((pl.col("id") - 1) % CENTRES).alias("ci"),
        _pick(LAST, _h("id", 1) % len(LAST), pl.Utf8).alias("last_name"),
        _pick(FIRST, _h("id", 2) % len(FIRST), pl.Utf8).alias("first_name"),
        _pick(MIDDLE, _h("id", 3) % len(MIDDLE), pl.Utf8).alias("middle_name"),
        (now_s - (_h("id", 4) % (1500 * 86400)).cast(pl.Int64)).alias("created_s"),
    )
    owner_keys = {
        ci * MANAGERS + k: owners[ci][k] for ci in range(CENTRES) for k in range(MANAGERS)
    }
    people = people.with_columns(
        pl.col("ci")
        .replace_strict(dict(enumerate(centre_ids)), return_dtype=pl.Int64)
        .alias("centre_id"),
        (pl.col("ci") * MANAGERS + (_h("id", 5) % MANAGERS).cast(pl.Int64))
        .replace_strict(owner_keys, return_dtype=pl.Int64)
        .alias("owner_id"),
        pl.concat_str(["last_name", "first_name", "middle_name"], separator=" ")
        .map_elements(search_key, return_dtype=pl.Utf8)
        .alias("search_name"),
        pl.from_epoch("created_s", time_unit="s").dt.replace_time_zone(utc).alias("created_at"),
        pl.lit("showroom").alias("source"),
        pl.lit("customer").alias("stage"),
    ).with_columns(pl.col("created_at").alias("updated_at"))

    # deals
    slugs = list(stages)
    open_stages = {slug: [s for s in stages[slug] if s.kind == "open"] for slug in slugs}
    did = pl.int_range(1, deals + 1, eager=True).alias("id")
    frame = (
        pl.DataFrame(did)
        .with_columns(
            (pl.col("id") <= board_open).alias("bench"),
            (pl.col("id") % CENTRES).cast(pl.Int64).alias("ci"),
            _pick(PIPELINE_SHARE, _h("id", 11) % len(PIPELINE_SHARE), pl.Utf8).alias("slug"),
            _pick(OUTCOME_SHARE, _h("id", 12) % len(OUTCOME_SHARE), pl.Utf8).alias("outcome"),
        )
        .with_columns(
            pl.when("bench").then(0).otherwise("ci").alias("ci"),
            pl.when("bench").then(pl.lit("new-cars")).otherwise("slug").alias("slug"),
            pl.when("bench")
            .then(pl.lit("open"))
            # keep exactly `board_open` open new-car deals in the bench centre
            .when(
                (pl.col("ci") == 0) & (pl.col("slug") == "new-cars") & (pl.col("outcome") == "open")
            )
            .then(pl.lit("won"))
            .otherwise("outcome")
            .alias("outcome"),
        )
    )
    n_open = {slug: len(v) for slug, v in open_stages.items()}
    frame = (
        frame.with_columns(
            pl.col("slug").replace_strict(n_open, return_dtype=pl.Int64).alias("n_open"),
        )
        .with_columns(
            (_h("id", 13) % pl.col("n_open").cast(pl.UInt64)).cast(pl.Int64).alias("reached"),
        )
        .with_columns(
            (pl.col("reached") + 1 + (pl.col("outcome") != "open").cast(pl.Int64)).alias(
                "path_len"
            ),
            pl.when(pl.col("outcome") == "open")
            .then(now_s - (_h("id", 14) % (120 * 86400)).cast(pl.Int64))
            .otherwise(now_s - 30 * 86400 - (_h("id", 14) % (1070 * 86400)).cast(pl.Int64))
            .alias("created_s"),
        )
        .with_columns(
            pl.when(pl.col("outcome") == "open")
            .then(now_s - pl.col("created_s"))
            .otherwise((3 + (_h("id", 15) % 88).cast(pl.Int64)) * 86400)
            .alias("span_s"),
        )
        .with_columns(
            # the time each stay starts: evenly through the span, the last one at its end
            (
                pl.col("created_s")
                + pl.col("span_s") * (pl.col("path_len") - 1) // pl.col("path_len")
            ).alias("entered_s"),
        )
    )
    stage_keys: dict[str, int] = {}
    probability: dict[int, int] = {}
    kind_of: dict[int, str] = {}
    for slug in slugs:
        for k, st in enumerate(open_stages[slug]):
            stage_keys[f"{slug}:{k}"] = st.pk
        for st in stages[slug]:
            probability[st.pk] = st.probability
            kind_of[st.pk] = st.kind
            if st.kind != "open":
                stage_keys[f"{slug}:{st.kind}"] = st.pk
    pipeline_ids = {slug: stages[slug][0].pipeline_id for slug in slugs}
    frame = frame.with_columns(
        pl.when(pl.col("outcome") == "open")
        .then(pl.concat_str([pl.col("slug"), pl.lit(":"), pl.col("reached").cast(pl.Utf8)]))
        .otherwise(pl.concat_str([pl.col("slug"), pl.lit(":"), pl.col("outcome")]))
        .replace_strict(stage_keys, return_dtype=pl.Int64)
        .alias("stage_id"),
        pl.col("slug").replace_strict(pipeline_ids, return_dtype=pl.Int64).alias("pipeline_id"),
        pl.col("ci")
        .replace_strict(dict(enumerate(centre_ids)), return_dtype=pl.Int64)
        .alias("centre_id"),
        (pl.col("ci") * MANAGERS + (_h("id", 16) % MANAGERS).cast(pl.Int64))
        .replace_strict(owner_keys, return_dtype=pl.Int64)
        .alias("owner_id"),
        (1 + pl.col("ci") + CENTRES * (_h("id", 17) % per_centre).cast(pl.Int64)).alias(
            "person_id"
        ),
        (1 + pl.col("id") % 5).alias("n_lines"),
        pl.col("slug").is_in(["new-cars", "used-cars"]).alias("is_car"),
        (_h("id", 18) % len(CARS)).cast(pl.Int64).alias("car"),
    )

    # lines: 1..5 per deal (3 on average); the first is the car for car pipelines
    lines = (
        frame.select("id", "n_lines", "is_car", "car")
        .with_columns(pl.int_ranges(0, "n_lines").alias("position"))
        .explode("position")
        .rename({"id": "deal_id"})
    )
    lines = (
        lines.with_row_index("row", offset=1)
        .with_columns(
            (pl.col("row").cast(pl.Int64)).alias("id"),
            ((_h("row", 21) % len(EXTRAS)).cast(pl.Int64)).alias("extra"),
            _pick(DISCOUNTS, _h("row", 22) % len(DISCOUNTS), pl.Int64).alias("discount_pct"),
        )
        .with_columns(
            pl.when(pl.col("is_car") & (pl.col("position") == 0))
            .then(_pick([c[0] for c in CARS], pl.col("car"), pl.Utf8))
            .otherwise(_pick([e[0] for e in EXTRAS], pl.col("extra"), pl.Utf8))
            .alias("description"),
            pl.when(pl.col("is_car") & (pl.col("position") == 0))
            .then(_pick([c[1] for c in CARS], pl.col("car"), pl.Int64))
            .otherwise(_pick([e[1] for e in EXTRAS], pl.col("extra"), pl.Int64))
            .alias("unit_price"),
        )
        .with_columns(
            (pl.col("unit_price") * (100 - pl.col("discount_pct")) / 100).round(2).alias("amount"),
            pl.lit(1).alias("quantity"),
            pl.lit("{}").alias("configuration"),
        )
    )
    totals = lines.group_by("deal_id").agg(pl.col("amount").sum().round(2).alias("amount"))
    frame = frame.join(totals, left_on="id", right_on="deal_id", how="left")

    ts = lambda col: pl.from_epoch(col, time_unit="s").dt.replace_time_zone(utc)  # noqa: E731
    closed = pl.col("outcome") != "open"
    deal_frame = frame.with_columns(
        pl.col("stage_id").replace_strict(kind_of, return_dtype=pl.Utf8).alias("status"),
        pl.col("stage_id").replace_strict(probability, return_dtype=pl.Int64).alias("probability"),
        pl.concat_str(
            [
                _pick([c[0] for c in CARS], pl.col("car"), pl.Utf8),
                pl.lit(" — сделка "),
                pl.col("id").cast(pl.Utf8),
            ]
        ).alias("title"),
        ts("created_s").alias("created_at"),
        ts("entered_s").alias("stage_entered_at"),
        ts("entered_s").alias("updated_at"),
        pl.when(closed).then(ts("entered_s")).otherwise(None).alias("closed_at"),
        # the board's rank: minus the epoch of entering the column (of closing, when closed)
        (-pl.col("entered_s").cast(pl.Float64)).alias("rank"),
        ts("created_s").dt.offset_by("45d").dt.date().alias("expected_close"),
        pl.when(pl.col("outcome") == "lost")
        .then(_pick(reasons, _h("id", 19) % len(reasons), pl.Int64))
        .otherwise(None)
        .alias("lost_reason_id"),
        _pick(["showroom", "call", "web_form", "repeat"], _h("id", 20) % 4, pl.Utf8).alias(
            "source"
        ),
        pl.lit("RUB").alias("currency"),
    ).drop("ci", "slug", "outcome", "n_open", "reached", "bench", "n_lines", "is_car", "car")

    # stage history: one stay per stage on the deal's path
    stays = (
        frame.select(
            "id", "slug", "outcome", "reached", "path_len", "created_s", "span_s", "stage_id"
        )
        .with_columns(pl.int_ranges(0, "path_len").alias("pos"))
        .explode("pos")
        .rename({"id": "deal_id", "stage_id": "last_stage"})
    )
    last = pl.col("pos") == pl.col("path_len") - 1
    stays = (
        stays.with_columns(
            pl.when(last)
            .then(pl.col("last_stage"))
            .otherwise(
                pl.concat_str(
                    [pl.col("slug"), pl.lit(":"), pl.col("pos").cast(pl.Utf8)]
                ).replace_strict(stage_keys, default=None, return_dtype=pl.Int64)
            )
            .alias("stage_id"),
            (pl.col("created_s") + pl.col("span_s") * pl.col("pos") // pl.col("path_len")).alias(
                "in_s"
            ),
        )
        .with_columns(
            pl.col("stage_id").shift(1).over("deal_id").alias("from_stage_id"),
            pl.col("in_s").shift(-1).over("deal_id").alias("out_s"),
        )
        .with_row_index("row", offset=1)
        .with_columns(
            pl.col("row").cast(pl.Int64).alias("id"),
            ts("in_s").alias("entered_at"),
            ts("out_s").alias("left_at"),
        )
    )
    return {"persons": people, "deals": deal_frame, "lines": lines, "stays": stays}


def load(*, deals: int = DEALS, persons: int = PERSONS, board_open: int = BOARD_OPEN) -> None:
    """Empty the deal and person tables of this database and load them by COPY."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from sputnik.core.models import Centre, User
    from sputnik.core.roles import Role
    from sputnik.parties.models import Person
    from sputnik.sales.models import Deal, DealLine, DealStageChange, LostReason, Pipeline

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    t_all = time.perf_counter()
    with connection.cursor() as c:
        for model in (DealStageChange, DealLine, Deal, Person):
            c.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
    User.objects.filter(username__startswith="bench-").delete()
    centres = []
    for n in range(1, CENTRES + 1):
        centre, _ = Centre.objects.get_or_create(
            name=f"Бенч-центр {n}",
            defaults={"kind": "showroom", "region": "Москва", "city": "Москва"},
        )
        centres.append(centre)
    password = make_password(None)
    owners: list[list[int]] = []
    rng = random.Random(SEED)
    for n, centre in enumerate(centres, start=1):
        users = [
            User(
                username=f"bench-head-{n}", role=Role.CENTRE_HEAD, centre=centre, password=password
            )
        ]
        users += [
            User(
                username=f"bench-m{n}-{k}",
                role=Role.SALES_MANAGER,
                centre=centre,
                password=password,
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
            )
            for k in range(MANAGERS)
        ]
        User.objects.bulk_create(users)
        owners.append(
            list(
                User.objects.filter(centre=centre, role=Role.SALES_MANAGER)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        )
    stages = {p.slug: list(p.stages.order_by("position")) for p in Pipeline.objects.all()}
    reasons = list(LostReason.objects.values_list("pk", flat=True))
    t0 = time.perf_counter()
    frames = _frames(
        deals=deals,
        persons=persons,
        board_open=board_open,
        centre_ids=[c.pk for c in centres],
        owners=owners,
        stages=stages,
        reasons=reasons,
        now=now,
    )
    log(
        f"  generated {deals:,} deals, {frames['lines'].height:,} lines, "
        f"{frames['stays'].height:,} stays, {persons:,} persons in {time.perf_counter() - t0:.1f} s"
    )
    tables = [m._meta.db_table for m in (Person, Deal, DealLine, DealStageChange)]
    with transaction.atomic(), connection.cursor() as c:
        indexes, constraints = _secondary_ddl(c.cursor, tables)
        for model, key in (
            (Person, "persons"),
            (Deal, "deals"),
            (DealLine, "lines"),
            (DealStageChange, "stays"),
        ):
            t0 = time.perf_counter()
            n = copy_frame(c.cursor, model, frames[key])
            log(
                f"  COPY {model._meta.db_table}: {n:,} rows in {time.perf_counter() - t0:.1f} s "
                f"({n / max(time.perf_counter() - t0, 1e-9):,.0f} rows/s)"
            )
        t0 = time.perf_counter()
        for ddl in indexes:
            c.execute(ddl)
        for ddl in constraints:
            c.execute(ddl)
        log(f"  indexes and constraints rebuilt in {time.perf_counter() - t0:.1f} s")
        for table in tables:
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    with connection.cursor() as c:
        for table in tables:
            c.execute(f"ANALYZE {table}")
    log(f"  loaded in {time.perf_counter() - t_all:.1f} s")


def ensure_loaded(
    *, deals: int = DEALS, persons: int = PERSONS, board_open: int = BOARD_OPEN
) -> dict[str, int]:
    """Load unless the database already holds the asked number of deals; the ids the
    benchmarks act with."""
    from django.db import connection

    from sputnik.core.models import Centre, User
    from sputnik.sales.models import Deal, Pipeline

    with connection.cursor() as c:
        c.execute(f"SELECT reltuples::bigint FROM pg_class WHERE relname = '{Deal._meta.db_table}'")
        estimate = c.fetchone()[0]
    if (
        os.environ.get("BENCH_RELOAD") == "1"
        or estimate < deals * 0.95
        or not User.objects.filter(username=BENCH_HEAD).exists()
    ):
        log(f"loading {deals:,} deals, {persons:,} persons into {connection.settings_dict['NAME']}")
        load(deals=deals, persons=persons, board_open=board_open)
    return {
        "centre_id": Centre.objects.get(name=BENCH_CENTRE).pk,
        "head_id": User.objects.get(username=BENCH_HEAD).pk,
        "pipeline_id": Pipeline.objects.get(slug="new-cars").pk,
    }


# --- measuring ---------------------------------------------------------------------------


def timed(fn: Callable[[], Any], rounds: int = ROUNDS) -> dict[str, float]:
    for _ in range(3):  # warm caches and the connection
        fn()
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "p50": round(statistics.median(times), 2),
        "p95": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2),
        "max": round(times[-1], 2),
    }


RAW_TOTALS = """
SELECT stage_id, count(*), sum(amount) FROM sales_deal
 WHERE centre_id = %(centre)s
   AND (stage_id = ANY(%(open)s)
        OR (stage_id = ANY(%(closed)s) AND rank <= %(rank)s AND closed_at >= %(since)s))
 GROUP BY stage_id
"""
RAW_CARDS = """
SELECT d.id, d.title, d.amount, d.currency, d.probability, d.expected_close, d.rank,
       d.stage_entered_at, p.id, p.last_name, p.first_name, p.middle_name,
       u.id, u.username, u.first_name, u.last_name
  FROM sales_deal d
  LEFT JOIN parties_person p ON p.id = d.person_id
  LEFT JOIN core_user u ON u.id = d.owner_id
 WHERE d.centre_id = %(centre)s AND d.stage_id = %(stage)s {window}
 ORDER BY d.rank, d.id LIMIT 21
"""


def main() -> None:
    setup()
    import psycopg
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from sputnik.core.models import User
    from sputnik.sales.models import Deal
    from sputnik.sales.selectors import deals as selectors

    settings.ALLOWED_HOSTS = ["*"]
    # Pages render without `collectstatic` (the manifest storage wants its manifest); the
    # static URLs are the same strings either way.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    ids = ensure_loaded()
    head = User.objects.get(pk=ids["head_id"])
    pipeline = selectors.pipeline_get(pipeline_id=ids["pipeline_id"])
    stages = list(pipeline.stages.all())
    open_count = Deal.objects.filter(
        centre_id=ids["centre_id"], pipeline_id=pipeline.pk, status="open"
    ).count()
    log(f"bench centre: {open_count:,} open new-car deals visible to {head.username}")

    client = Client()
    client.force_login(head)
    board_url = f"/pipelines/{pipeline.pk}/board/"
    first = client.get(board_url, secure=True)
    assert first.status_code == 200, first.status_code
    html = first.content.decode()
    assert html.count('class="deal-card') > 0
    with CaptureQueriesContext(connection) as ctx:
        client.get(board_url, secure=True)
    board_queries = len(ctx.captured_queries)
    column = next(s for s in stages if s.kind == "open")
    page = selectors.board_column_page(actor=head, stage=column, cursor=None)
    column_url = (
        f"/pipelines/{pipeline.pk}/board/stages/{column.pk}/cards/?cursor={page.next_cursor}"
    )

    since = selectors._closed_since()
    params = {
        "centre": ids["centre_id"],
        "open": [s.pk for s in stages if not s.is_closed],
        "closed": [s.pk for s in stages if s.is_closed],
        "rank": -since.timestamp(),
        "since": since,
    }
    raw = psycopg.connect(os.environ["DATABASE_URL"])

    def raw_board() -> None:
        with raw.cursor() as cur:
            cur.execute(RAW_TOTALS, params)
            cur.fetchall()
            for s in stages:
                window = (
                    "AND d.rank <= %(rank)s AND d.closed_at >= %(since)s" if s.is_closed else ""
                )
                cur.execute(RAW_CARDS.format(window=window), {**params, "stage": s.pk})
                cur.fetchall()

    figures = {
        "view.board": timed(lambda: client.get(board_url, secure=True)),
        "selectors.board": timed(lambda: selectors.board(actor=head, pipeline=pipeline)),
        "view.column": timed(lambda: client.get(column_url, secure=True)),
        "view.list": timed(lambda: client.get(f"/deals/?pipeline={pipeline.pk}", secure=True)),
        "raw.board": timed(raw_board),
    }
    raw.close()
    m = machine()
    board = figures["view.board"]
    result = {
        "benchmark": "sales_board",
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": m,
        "data": {
            "deals": Deal.objects.count(),
            "deal_lines": _estimate("sales_dealline"),
            "stage_history": _estimate("sales_dealstagechange"),
            "persons": _estimate("parties_person"),
            "open_deals_on_the_board": open_count,
            "board_queries": board_queries,
            "board_html_kb": round(len(html.encode()) / 1024, 1),
        },
        "figures_ms": figures,
        "ratio_view_to_raw_p50": round(board["p50"] / figures["raw.board"]["p50"], 1),
        "budget_ms": BUDGET_MS,
        "met": board["p95"] <= BUDGET_MS,
    }
    log(
        f"machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, PostgreSQL {m['postgresql']}, "
        f"load average {m['loadavg_at_start'][0]:.1f}"
    )
    log(f"{'figure':<18} {'p50':>9} {'p95':>9} {'max':>9}")
    for name, f in figures.items():
        log(f"{name:<18} {f['p50']:>9.2f} {f['p95']:>9.2f} {f['max']:>9.2f}")
    log(
        f"board first screen: p95 {board['p95']:.1f} ms (budget {BUDGET_MS:.0f} ms, "
        f"{'met' if result['met'] else 'MISSED'}), {board_queries} queries, "
        f"view/raw = {result['ratio_view_to_raw_p50']}×"
    )
    out = ROOT / "results" / f"{dt.date.today().isoformat()}-sales-board.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    log(f"saved {out.relative_to(ROOT.parent)}")


def _estimate(table: str) -> int:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        row = c.fetchone()
    return int(row[0]) if row else 0


if __name__ == "__main__":
    sys.exit(main())
