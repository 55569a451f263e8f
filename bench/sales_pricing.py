"""Configurator benchmark: pricing a configuration through the service, beside the raw SQL
that fetches the same prices and rules, in the same run.

    python -m bench.sales_pricing

Environment:
  DATABASE_URL      default postgres://…/sputnik_bench_pricing (created, migrated and
                    loaded with the catalogue below when it has fewer models than asked)
  BENCH_MODELS      models, default 50 (each: 8 option groups × 10 options)
  BENCH_RULES       option rules per model, default 300 (requires and excludes)
  BENCH_LISTS       price lists, default 20 (5 network-wide, the rest per centre)
  BENCH_ROUNDS      timed calls per figure, default 400

Figures (p50 / p95 / max, milliseconds):
  service.validate  configuration_validate(): the six reads (applicable lists, the
                    model's list prices, groups, options, option prices, rules), the rule
                    check and the price breakdown for a random model, centre and a valid
                    selection of ~9 options;
  service.price     configuration_price(): the same, refusing invalid ones;
  service.ui_click  what one click in the configurator costs: load + option_states for all
                    80 options (each a what-if check) — the HTMX panel's work minus HTML;
  *.cached          the same with the per-process spec cache (as served): one read of
                    the catalogue version (the shared cache) instead of the six reads;
  raw.sql           the same six SELECTs on a bare psycopg connection, results fetched,
                    nothing computed: the engine's floor for the same data.
The ratio is service / raw. The budget (issue 4) is 20 ms per pricing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from typing import Any

from bench.common import ROOT, ensure_database, log, machine, use_database

use_database("sputnik_bench_pricing")
MODELS = int(os.environ.get("BENCH_MODELS", "50"))
GROUPS = 8
OPTIONS = 10
RULES = int(os.environ.get("BENCH_RULES", "300"))
LISTS = int(os.environ.get("BENCH_LISTS", "20"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "400"))
BUDGET_MS = 20.0


def _definition(index: int, rng: random.Random) -> dict[str, Any]:
    selections = ["exactly_one"] * 4 + ["at_most_one"] * 2 + ["any"] * 2
    groups = []
    codes_by_group: list[list[str]] = []
    for g in range(GROUPS):
        codes = [f"g{g}o{o}" for o in range(OPTIONS)]
        codes_by_group.append(codes)
        groups.append(
            {
                "code": f"group-{g}",
                "name": f"Группа {g + 1}",
                "selection": selections[g],
                "options": [
                    {
                        "code": c,
                        "name": f"Опция {g + 1}.{o + 1}",
                        "price": str(rng.randint(0, 200) * 1000),
                    }
                    for o, c in enumerate(codes)
                ],
            }
        )
    # Rules between options of different groups; the first option of each group stays free
    # of them so a valid configuration always exists. No pair gets both kinds.
    rules: list[tuple[str, str, str]] = []
    seen: set[frozenset[str]] = set()
    while len(rules) < RULES:
        ga, gb = rng.sample(range(GROUPS), 2)
        a = codes_by_group[ga][rng.randint(1, OPTIONS - 1)]
        b = codes_by_group[gb][rng.randint(1, OPTIONS - 1)]
        pair = frozenset((a, b))
        if pair in seen:
            continue
        seen.add(pair)
        rules.append((a, "requires" if rng.random() < 0.25 else "excludes", b))
    return {
        "sku": f"BENCH-{index:03d}",
        "name": f"Модель {index}",
        "base_price": str(1_000_000 + rng.randint(0, 3000) * 1000),
        "is_public": True,
        "groups": groups,
        "rules": rules,
    }


def load_catalogue() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from sputnik.core.models import Centre
    from sputnik.core.services import system_actor
    from sputnik.sales.models import Option, OptionPrice, PriceList, PriceListItem, Product
    from sputnik.sales.services.catalogue import product_define

    if Product.objects.filter(sku__startswith="BENCH-").count() >= MODELS:
        log("catalogue already loaded")
        return
    t0 = time.perf_counter()
    rng = random.Random(42)
    actor = system_actor()
    centres = [
        Centre.objects.get_or_create(
            name=f"Бенч-центр {i}",
            defaults={"kind": "showroom", "region": "Москва", "city": "Москва"},
        )[0]
        for i in range(LISTS - 5)
    ]
    products = [product_define(actor=actor, definition=_definition(i, rng)) for i in range(MODELS)]
    today = dt.date.today()
    lists = []
    for i in range(LISTS):
        centre = None if i < 5 else centres[i - 5]
        lists.append(
            PriceList.objects.create(
                name=f"Прайс {i}",
                centre=centre,
                valid_from=today - dt.timedelta(days=rng.randint(0, 300)),
                valid_to=None
                if rng.random() < 0.5
                else today + dt.timedelta(days=rng.randint(1, 300)),
                priority=rng.randint(0, 10),
            )
        )
    PriceListItem.objects.bulk_create(
        PriceListItem(price_list=pl, product=p, price=p.base_price + rng.randint(-50, 50) * 1000)
        for pl in lists
        for p in products
        if rng.random() < 0.8
    )
    options = list(Option.objects.filter(product__in=products).values_list("id", "price_delta"))
    OptionPrice.objects.bulk_create(
        (
            OptionPrice(price_list=pl, option_id=oid, price=delta + rng.randint(-5, 5) * 1000)
            for pl in lists
            for oid, delta in options
            if rng.random() < 0.5
        ),
        batch_size=5000,
    )
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    log(
        f"loaded {MODELS} models, {len(options)} options, {LISTS} lists in {time.perf_counter() - t0:.1f} s"
    )


RAW_SQL = [
    (
        "lists",
        """SELECT id, name, currency, centre_id, priority, valid_from FROM sales_pricelist
           WHERE (centre_id IS NULL OR centre_id = %(centre)s) AND (valid_to IS NULL OR valid_to >= %(day)s)
             AND is_active AND valid_from <= %(day)s""",
    ),
    (
        "product_prices",
        """SELECT i.price_list_id, i.price FROM sales_pricelistitem i JOIN sales_pricelist l ON l.id = i.price_list_id
           WHERE i.product_id = %(product)s AND (l.centre_id IS NULL OR l.centre_id = %(centre)s)
             AND (l.valid_to IS NULL OR l.valid_to >= %(day)s) AND l.is_active AND l.valid_from <= %(day)s""",
    ),
    (
        "groups",
        "SELECT id, code, name, selection FROM sales_optiongroup WHERE product_id = %(product)s ORDER BY position, id",
    ),
    (
        "options",
        """SELECT id, code, name, group_id, price_delta, description, swatch, static_path, image
           FROM sales_option WHERE product_id = %(product)s AND is_active ORDER BY position, id""",
    ),
    (
        "option_prices",
        """SELECT p.option_id, p.price_list_id, p.price FROM sales_optionprice p
           JOIN sales_option o ON o.id = p.option_id JOIN sales_pricelist l ON l.id = p.price_list_id
           WHERE o.product_id = %(product)s AND (l.centre_id IS NULL OR l.centre_id = %(centre)s)
             AND (l.valid_to IS NULL OR l.valid_to >= %(day)s) AND l.is_active AND l.valid_from <= %(day)s""",
    ),
    (
        "rules",
        "SELECT option_id, kind, target_id FROM sales_optionrule WHERE product_id = %(product)s",
    ),
]


def _stats(samples: list[float]) -> dict[str, float]:
    from bench.run import percentile

    return {
        "p50_ms": round(percentile(samples, 0.5), 3),
        "p95_ms": round(percentile(samples, 0.95), 3),
        "max_ms": round(max(samples), 3),
        "n": len(samples),
    }


def run() -> dict[str, Any]:
    import psycopg
    from django.conf import settings
    from django.db import connection

    from sputnik.core.models import Centre
    from sputnik.sales.models import Product
    from sputnik.sales.services import spec_cache
    from sputnik.sales.services.configurator import (
        configuration_choose,
        configuration_default,
        configuration_price,
        configuration_validate,
        option_states,
        product_spec,
    )

    rng = random.Random(7)
    products = list(Product.objects.filter(sku__startswith="BENCH-"))
    centres = list(
        Centre.objects.filter(name__startswith="Бенч-центр").values_list("id", flat=True)
    )
    today = dt.date.today()

    # A valid, fairly full selection per (product, centre): the default plus random
    # enabled options, found once outside the timing.
    cases = []
    for product in products:
        centre = rng.choice(centres)
        spec = product_spec(product, centre=centre, at=today)
        codes = configuration_default(spec)
        for _ in range(12):
            states = option_states(spec, codes)
            enabled = [c for c, s in states.items() if s.available and not s.selected]
            if not enabled:
                break
            codes = configuration_choose(spec, codes, rng.choice(enabled))
        assert configuration_validate(
            product=product, option_codes=codes, centre=centre, at=today
        ).valid
        cases.append((product, centre, list(codes)))
    chosen_sizes = [len(c[2]) for c in cases]

    def timed(fn: Any) -> list[float]:
        samples = []
        for i in range(ROUNDS):
            product, centre, codes = cases[i % len(cases)]
            t0 = time.perf_counter()
            fn(product, centre, codes)
            samples.append((time.perf_counter() - t0) * 1000)
        return samples

    def ui_click(p: Product, c: int, codes: list[str]) -> None:
        spec = product_spec(p, centre=c, at=today)
        option_states(spec, codes)

    # Uncached: every call loads the spec with its six reads.
    spec_cache.enabled = False
    for product, centre, warm_codes in cases[:10]:  # warm the connection
        configuration_price(product=product, option_codes=warm_codes, centre=centre, at=today)
    validate = timed(
        lambda p, c, codes: configuration_validate(
            product=p, option_codes=codes, centre=c, at=today
        )
    )
    price = timed(
        lambda p, c, codes: configuration_price(product=p, option_codes=codes, centre=c, at=today)
    )
    ui = timed(ui_click)
    # Cached (as served): one read of the catalogue version, the spec from the process.
    spec_cache.enabled = True
    for product, centre, case_codes in cases:
        configuration_price(product=product, option_codes=case_codes, centre=centre, at=today)
    price_cached = timed(
        lambda p, c, codes: configuration_price(product=p, option_codes=codes, centre=c, at=today)
    )
    ui_cached = timed(ui_click)

    dsn = os.environ["DATABASE_URL"]
    with psycopg.connect(dsn) as raw:
        raw.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

        def raw_round(p: Product, c: int, codes: list[str]) -> None:
            params = {"product": p.pk, "centre": c, "day": today}
            with raw.cursor() as cur:
                for _name, sql in RAW_SQL:
                    cur.execute(sql, params)
                    cur.fetchall()

        for product, centre, case_codes in cases[:10]:
            raw_round(product, centre, case_codes)
        raw_samples = timed(raw_round)

    figures = {
        "service.validate": _stats(validate),
        "service.price": _stats(price),
        "service.ui_click": _stats(ui),
        "service.price.cached": _stats(price_cached),
        "service.ui_click.cached": _stats(ui_cached),
        "raw.sql": _stats(raw_samples),
    }
    ratio = round(figures["service.price"]["p50_ms"] / figures["raw.sql"]["p50_ms"], 2)
    ratio_cached = round(
        figures["service.price.cached"]["p50_ms"] / figures["raw.sql"]["p50_ms"], 2
    )
    connection.close()
    return {
        "bench": "sales_pricing",
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "loadavg_at_end": os.getloadavg(),
        "catalogue": {
            "models": len(products),
            "groups_per_model": GROUPS,
            "options_per_group": OPTIONS,
            "rules_per_model": RULES,
            "price_lists": LISTS,
            "options_chosen_avg": round(sum(chosen_sizes) / len(chosen_sizes), 1),
        },
        "figures": figures,
        "ratio_price_to_raw_p50": ratio,
        "ratio_cached_price_to_raw_p50": ratio_cached,
        "version_store": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "budget_ms": BUDGET_MS,
        "meets_budget_p95_uncached": figures["service.price"]["p95_ms"] <= BUDGET_MS,
        "meets_budget_p95": figures["service.price.cached"]["p95_ms"] <= BUDGET_MS,
    }


def main() -> None:
    ensure_database()
    import django

    django.setup()
    load_catalogue()
    result = run()
    m = result["machine"]
    log(
        f"machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, PostgreSQL {m['postgresql']}, "
        f"load {m['loadavg_at_start'][0]:.2f}"
    )
    c = result["catalogue"]
    log(
        f"catalogue: {c['models']} models × {c['groups_per_model']} groups × {c['options_per_group']} options, "
        f"{c['rules_per_model']} rules per model, {c['price_lists']} price lists; "
        f"{c['options_chosen_avg']} options chosen on average"
    )
    raw = result["figures"]["raw.sql"]["p50_ms"]
    for name, f in result["figures"].items():
        log(
            f"{name:18s} p50 {f['p50_ms']:7.3f} ms  p95 {f['p95_ms']:7.3f} ms  max {f['max_ms']:7.3f} ms"
            f"  ×{f['p50_ms'] / raw:5.2f} raw"
        )
    log(
        f"budget {BUDGET_MS} ms (p95 of service.price.cached, as served): "
        f"{'met' if result['meets_budget_p95'] else 'NOT met'}; uncached: "
        f"{'met' if result['meets_budget_p95_uncached'] else 'NOT met'}"
    )
    out = ROOT / "results" / f"{dt.date.today().isoformat()}-pg-sales-pricing.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    log(f"saved {out.relative_to(ROOT.parent)}")


if __name__ == "__main__":
    main()
    sys.exit(0)
