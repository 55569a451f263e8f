"""Sales analytics benchmark: the funnel and the forecast for a year over all centres
(1,000,000 deals, 3,000,000 lines, their stage history), through the selectors as an
executive, beside hand-written SQL for the same numbers, in the same run.

    python -m bench.sales_analytics

Data: the deals benchmark's database and loader (`bench.sales_board.ensure_loaded`,
database sputnik_bench_sales), loaded by COPY if it is not there yet.

Figures (p50 / p95 / max, milliseconds):
  funnel+forecast    analytics.selectors.funnel() + forecast() for the last 365 days,
                     all centres (the issue's budget: 1 s);
  funnel, forecast   each alone;
  outcomes           win rate, average deal and cycle over the deals closed in the year;
  time_in_stage      average days per stage over the stays that ended in the year;
  leaderboards       managers and centres;
  page               GET /analytics/sales/ (every report, charts, filters) as the executive;
  raw.*              the same numbers by hand-written SQL on a bare psycopg connection.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

from bench import sales_board
from bench.sales_board import ROOT, log, machine, setup, timed

BUDGET_MS = 1000.0
EXECUTIVE = "bench-analytics-exec"

RAW_FUNNEL = """
SELECT furthest_position, count(*) FROM sales_deal
 WHERE pipeline_id = %(pipeline)s AND created_at >= %(start)s AND created_at < %(end)s
 GROUP BY 1
"""
# The same funnel from the stage history alone (what the deal's furthest step saves).
RAW_FUNNEL_FROM_HISTORY = """
SELECT furthest, count(*) FROM (
  SELECT sc.deal_id, max(st.position) AS furthest
    FROM sales_dealstagechange sc
    JOIN sales_pipelinestage st ON st.id = sc.stage_id
    JOIN sales_deal d ON d.id = sc.deal_id
   WHERE st.kind <> 'lost' AND d.pipeline_id = %(pipeline)s
     AND d.created_at >= %(start)s AND d.created_at < %(end)s
   GROUP BY sc.deal_id
) per_deal GROUP BY furthest
"""
RAW_FORECAST = """
SELECT date_trunc('month', expected_close), sum(amount * probability / 100), sum(amount), count(*)
  FROM sales_deal
 WHERE status = 'open' AND expected_close BETWEEN %(start_date)s AND %(end_date)s
 GROUP BY 1;
"""
RAW_WON = """
SELECT date_trunc('month', closed_at AT TIME ZONE 'Europe/Moscow'), sum(amount)
  FROM sales_deal
 WHERE status = 'won' AND closed_at >= %(start)s AND closed_at < %(end)s
 GROUP BY 1
"""
RAW_TIME_IN_STAGE = """
SELECT stage_id, count(*), avg(left_at - entered_at) FROM sales_dealstagechange
 WHERE stage_id IN (SELECT id FROM sales_pipelinestage WHERE pipeline_id = %(pipeline)s)
   AND left_at >= %(start)s AND left_at < %(end)s
 GROUP BY 1
"""
RAW_OUTCOMES = """
SELECT count(*) FILTER (WHERE status = 'won'), count(*) FILTER (WHERE status = 'lost'),
       sum(amount) FILTER (WHERE status = 'won'), avg(amount) FILTER (WHERE status = 'won'),
       avg(closed_at - created_at) FILTER (WHERE status = 'won')
  FROM sales_deal
 WHERE status IN ('won', 'lost') AND closed_at >= %(start)s AND closed_at < %(end)s
"""


def _backfill_furthest() -> None:
    """The deals loader COPYs deals without `furthest_position`: fill it the way the
    migration does for existing data, then VACUUM so the covering indexes answer alone."""
    from importlib import import_module

    from django.db import connection

    from sputnik.sales.models import Deal

    if Deal.objects.filter(furthest_position__gt=0).exists():
        return
    log("filling furthest_position from the stage history (as migration 0004 does)")
    with connection.cursor() as cur:
        cur.execute(import_module("sputnik.sales.migrations.0004_analytics").BACKFILL)
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    autocommit = raw.autocommit
    raw.autocommit = True
    with raw.cursor() as cur:
        cur.execute("VACUUM ANALYZE sales_deal")
    raw.autocommit = autocommit


def main() -> None:
    setup()
    import psycopg
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from sputnik.analytics import selectors
    from sputnik.core.models import User
    from sputnik.core.roles import Role

    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    ids = sales_board.ensure_loaded()
    _backfill_furthest()
    executive, _ = User.objects.get_or_create(
        username=EXECUTIVE, defaults={"role": Role.EXECUTIVE, "first_name": "Bench"}
    )
    today = timezone.localdate()
    filters = selectors.SalesFilters(date_from=today - dt.timedelta(days=364), date_to=today)
    funnel_filters = selectors.SalesFilters(
        date_from=filters.date_from, date_to=filters.date_to, pipeline_id=ids["pipeline_id"]
    )
    params: dict[str, Any] = {
        "pipeline": ids["pipeline_id"],
        "start": filters.start,
        "end": filters.end,
        "start_date": filters.date_from,
        "end_date": filters.date_to,
    }
    raw = psycopg.connect(os.environ["DATABASE_URL"])

    def raw_run(*statements: str) -> None:
        with raw.cursor() as cur:
            for sql in statements:
                cur.execute(sql, params)
                cur.fetchall()

    def funnel_and_forecast() -> None:
        selectors.funnel(actor=executive, filters=funnel_filters)
        selectors.forecast(actor=executive, filters=filters)

    client = Client()
    client.force_login(executive)
    page_url = f"/analytics/sales/?from={filters.date_from}&to={filters.date_to}"
    assert client.get(page_url, secure=True).status_code == 200

    steps = selectors.funnel(actor=executive, filters=funnel_filters)
    rounds = int(os.environ.get("BENCH_ROUNDS", "15"))
    figures = {
        "funnel+forecast": timed(funnel_and_forecast, rounds),
        "raw.funnel+forecast": timed(lambda: raw_run(RAW_FUNNEL, RAW_FORECAST, RAW_WON), rounds),
        "funnel": timed(lambda: selectors.funnel(actor=executive, filters=funnel_filters), rounds),
        "raw.funnel": timed(lambda: raw_run(RAW_FUNNEL), rounds),
        "raw.funnel_from_history": timed(lambda: raw_run(RAW_FUNNEL_FROM_HISTORY), 3),
        "forecast": timed(lambda: selectors.forecast(actor=executive, filters=filters), rounds),
        "raw.forecast": timed(lambda: raw_run(RAW_FORECAST, RAW_WON), rounds),
        "outcomes": timed(lambda: selectors.outcomes(actor=executive, filters=filters), rounds),
        "raw.outcomes": timed(lambda: raw_run(RAW_OUTCOMES), rounds),
        "time_in_stage": timed(
            lambda: selectors.time_in_stage(actor=executive, filters=funnel_filters), rounds
        ),
        "raw.time_in_stage": timed(lambda: raw_run(RAW_TIME_IN_STAGE), rounds),
        "leaderboards": timed(
            lambda: (
                selectors.leaderboard_managers(actor=executive, filters=filters),
                selectors.leaderboard_centres(actor=executive, filters=filters),
            ),
            rounds,
        ),
        "page": timed(lambda: client.get(page_url, secure=True), max(5, rounds // 3)),
    }
    raw.close()
    m = machine()
    main_figure = figures["funnel+forecast"]
    ratios = {
        name: round(figures[name]["p50"] / figures[f"raw.{name}"]["p50"], 2)
        for name in ("funnel+forecast", "funnel", "forecast", "outcomes", "time_in_stage")
    }
    result = {
        "benchmark": "sales_analytics",
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": m,
        "data": {
            "deals": sales_board._estimate("sales_deal"),
            "deal_lines": sales_board._estimate("sales_dealline"),
            "stage_history": sales_board._estimate("sales_dealstagechange"),
            "period": [filters.date_from.isoformat(), filters.date_to.isoformat()],
            "funnel_first_step_deals": steps[0].reached if steps else 0,
        },
        "figures_ms": figures,
        "ratio_selectors_to_raw_p50": ratios,
        "budget_ms": BUDGET_MS,
        "met": main_figure["p95"] <= BUDGET_MS,
    }
    log(
        f"machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, "
        f"PostgreSQL {m['postgresql']}, load average {m['loadavg_at_start'][0]:.1f}"
    )
    log(f"{'figure':<22} {'p50':>9} {'p95':>9} {'max':>9}")
    for name, f in figures.items():
        log(f"{name:<22} {f['p50']:>9.2f} {f['p95']:>9.2f} {f['max']:>9.2f}")
    log(
        f"funnel + forecast, a year over all centres: p95 {main_figure['p95']:.0f} ms "
        f"(budget {BUDGET_MS:.0f} ms, {'met' if result['met'] else 'MISSED'}); "
        f"selectors/raw p50 = {ratios}"
    )
    out = ROOT / "results" / f"{dt.date.today().isoformat()}-sales-analytics.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    log(f"saved {out.relative_to(ROOT.parent)}")


if __name__ == "__main__":
    main()
