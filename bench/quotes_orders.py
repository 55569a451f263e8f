"""Quotes and orders benchmark: creating a numbered quote, moving an order one status step,
and the customer's public status page among many orders, each beside the engine's floor
for the same work measured in the same run.

    python -m bench.quotes_orders

Environment:
  DATABASE_URL   default postgres://…/sputnik_bench_quotes (created and migrated)
  BENCH_ORDERS   orders (each with a live status link and two status steps), default 50,000
  BENCH_SAMPLES  timed operations per figure, default 200

Figures:
  quote.create      quote_create() from a deal with two lines: visibility-locked deal, the
                    centre's counter row locked and advanced, quote + lines, totals, audit,
                    event and its timeline entry;
  raw.quote.create  the floor on a bare psycopg connection in one transaction: lock and
                    advance the counter, insert the quote and two lines;
  order.step        order_change_status() one allowed step: the row lock, the transition
                    check, the history row, audit, the outbox event and the timeline entry;
  raw.order.step    the floor: lock the order, check the transition row, update the order,
                    insert the history row and the outbox row;
  status.page       GET /status/<token>/ through Django (signature check, link lookup, the
                    order, its history and the steps ahead, template) among BENCH_ORDERS;
  raw.status.page   the floor: the same reads in SQL (link by nonce with its order, status
                    and centre; the history with step names; the steps ahead).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from typing import Any

from bench.common import ROOT, ensure_database, log, machine, samples, stats, use_database

use_database("sputnik_bench_quotes", test_client=True)
ORDERS = int(os.environ.get("BENCH_ORDERS", "50000"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "200"))


def _row(result: Any) -> tuple[Any, ...]:
    row = result.fetchone()
    assert row is not None
    return tuple(row)


def world() -> dict[str, Any]:
    from decimal import Decimal

    from sputnik.core.models import Centre, User
    from sputnik.parties.models import Person
    from sputnik.sales.models import Deal, DealLine, Pipeline, Product

    centre = Centre.objects.create(name="Бенч", kind="showroom", region="Москва", city="Москва")
    owner = User.objects.create_user(
        username="bench-owner", password="x", role="sales_manager", centre=centre
    )
    person = Person.objects.create(
        centre=centre, owner=owner, last_name="Петров", first_name="Иван", search_name="петров иван"
    )
    car = Product.objects.create(
        sku="B-CAR", name="Lada Vesta", kind="vehicle", base_price=Decimal("1500000")
    )
    mats = Product.objects.create(
        sku="B-MATS", name="Коврики", kind="accessory", base_price=Decimal("4990")
    )
    pipeline = Pipeline.objects.order_by("position").first()
    assert pipeline is not None
    stage = pipeline.stages.order_by("position").first()
    deals = Deal.objects.bulk_create(
        Deal(
            pipeline=pipeline,
            stage=stage,
            person=person,
            centre=centre,
            owner=owner,
            title=f"Сделка {i}",
        )
        for i in range(SAMPLES * 2)
    )
    DealLine.objects.bulk_create(
        line
        for d in deals
        for line in (
            DealLine(deal=d, product=car, description="Lada Vesta", unit_price=car.base_price,
                     discount_pct=Decimal(3), amount=Decimal("1455000"), position=0),
            DealLine(deal=d, product=mats, description="Коврики", quantity=Decimal(2),
                     unit_price=mats.base_price, amount=Decimal("9980"), position=1),
        )
    )  # fmt: skip
    return {"centre": centre, "owner": owner, "person": person, "deals": deals}


def quote_figures(w: dict[str, Any]) -> dict[str, list[float]]:
    import psycopg

    from sputnik.sales.services.quotes import quote_create

    deals = w["deals"]
    orm = samples(lambda i: quote_create(actor=w["owner"], deal=deals[i]), SAMPLES)
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:

        def raw(i: int) -> None:
            with conn.transaction():
                n = _row(
                    conn.execute(
                        "UPDATE sales_numbersequence SET last = last + 1 WHERE id = ("
                        " SELECT id FROM sales_numbersequence WHERE centre_id = %s AND kind = 'quote'"
                        " AND year = %s FOR UPDATE) RETURNING last",
                        [w["centre"].pk, dt.date.today().year],
                    )
                )[0]
                qid = _row(
                    conn.execute(
                        "INSERT INTO sales_quote (deal_id, centre_id, person_id, number, version,"
                        " status, currency, vat_rate, valid_until, language, notes, net_total,"
                        " vat_total, gross_total, created_at, decline_reason) VALUES (%s, %s, %s,"
                        " %s, 1, 'draft', 'RUB', 20, current_date + 14, 'ru', '', 1464980,"
                        " 292996, 1757976, now(), '') RETURNING id",
                        [deals[SAMPLES + i].pk, w["centre"].pk, w["person"].pk, f"RAW-{n:05d}"],
                    )
                )[0]
                for pos, (name, qty, price) in enumerate(
                    (("Lada Vesta", 1, 1500000), ("Коврики", 2, 4990))
                ):
                    conn.execute(
                        "INSERT INTO sales_quoteline (quote_id, position, sku, name, is_vehicle,"
                        " configuration, quantity, unit_price, discount_percent, net_amount,"
                        " vat_amount, gross_amount) VALUES (%s, %s, '', %s, false, '{}', %s,"
                        " %s, 0, %s, %s, %s)",
                        [qid, pos, name, qty, price, qty * price, qty * price / 5,
                         qty * price * 6 / 5],
                    )  # fmt: skip

        raw_samples = samples(raw, SAMPLES)
    return {"quote.create": orm, "raw.quote.create": raw_samples}


def _bulk_orders(w: dict[str, Any]) -> list[tuple[int, str]]:
    """ORDERS orders of the first deal, each placed → confirmed with a live link; returns
    (order id, token) of a sample spread over the table."""
    import secrets

    from django.db import connection

    from sputnik.sales.models import OrderStatus, OrderStatusLink
    from sputnik.sales.services.orders import status_link_token

    placed = OrderStatus.objects.get(code="placed")
    confirmed = OrderStatus.objects.get(code="confirmed")
    deal = w["deals"][0]
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO sales_order (deal_id, centre_id, person_id, number, source, status_id,"
            " status_changed_at, expected_date, language, currency, vat_rate, net_total,"
            " vat_total, gross_total, notes, vehicle_vin, created_at)"
            " SELECT %s, %s, %s, 'B-' || g, 'call', %s, now(), current_date + 30, 'ru', 'RUB',"
            " 20, 100, 20, 120, '', '', now() FROM generate_series(1, %s) g",
            [deal.pk, w["centre"].pk, w["person"].pk, confirmed.pk, ORDERS],
        )
        cur.execute(
            "INSERT INTO sales_orderline (order_id, position, sku, name, is_vehicle,"
            " configuration, quantity, unit_price, discount_percent, net_amount, vat_amount,"
            " gross_amount) SELECT id, 0, '', 'Lada Vesta', true, '{}', 1, 100, 0, 100, 20, 120"
            " FROM sales_order"
        )
        cur.execute(
            "INSERT INTO sales_orderstatuschange (order_id, from_status_id, to_status_id, at,"
            " note) SELECT id, NULL, %s, now() - interval '1 day', '' FROM sales_order"
            " UNION ALL SELECT id, %s, %s, now(), '' FROM sales_order",
            [placed.pk, placed.pk, confirmed.pk],
        )
        cur.execute("SELECT id FROM sales_order ORDER BY id")
        ids = [r[0] for r in cur.fetchall()]
    links = [OrderStatusLink(order_id=oid, nonce=secrets.token_urlsafe(24)) for oid in ids]
    OrderStatusLink.objects.bulk_create(links, batch_size=5000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE sales_order, sales_orderstatuslink, sales_orderstatuschange")
    step = max(len(links) // SAMPLES, 1)
    return [(link.order_id, status_link_token(link)) for link in links[::step][:SAMPLES]]


def status_figures(w: dict[str, Any]) -> dict[str, list[float]]:
    import psycopg
    from django.test import Client

    sample = _bulk_orders(w)
    client = Client(REMOTE_ADDR="10.1.2.3")
    from django.core.cache import cache

    def page(i: int) -> None:
        if i % 50 == 0:
            cache.clear()  # the per-address limit is for scanners, not for this loop
        response = client.get(f"/status/{sample[i][1]}/", secure=True)
        assert response.status_code == 200, response.status_code

    orm = samples(page, len(sample))
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:

        def raw(i: int) -> None:
            nonce = sample[i][1].split(".")[0]
            row = _row(
                conn.execute(
                    "SELECT o.id, o.number, o.person_id, s.name_ru, s.position, c.name, c.city"
                    " FROM sales_orderstatuslink l JOIN sales_order o ON o.id = l.order_id"
                    " JOIN sales_orderstatus s ON s.id = o.status_id JOIN core_centre c ON"
                    " c.id = o.centre_id WHERE l.nonce = %s AND l.revoked_at IS NULL",
                    [nonce],
                )
            )
            conn.execute("SELECT first_name FROM parties_person WHERE id = %s", [row[2]])
            conn.execute(
                "SELECT s.name_ru, s.description_ru, h.at FROM sales_orderstatuschange h JOIN"
                " sales_orderstatus s ON s.id = h.to_status_id WHERE h.order_id = %s ORDER BY"
                " h.at, h.id",
                [row[0]],
            ).fetchall()
            conn.execute(
                "SELECT name_ru FROM sales_orderstatus WHERE is_active AND position > %s"
                " ORDER BY position",
                [row[4]],
            ).fetchall()
            conn.execute(
                "SELECT name FROM sales_orderline WHERE order_id = %s ORDER BY position",
                [row[0]],
            ).fetchall()

        raw_samples = samples(raw, len(sample))
    return {"status.page": orm, "raw.status.page": raw_samples}


def step_figures(w: dict[str, Any]) -> dict[str, list[float]]:
    import psycopg
    from django.db import connection

    from sputnik.sales.models import OrderStatus
    from sputnik.sales.services.orders import order_change_status

    confirmed = OrderStatus.objects.get(code="confirmed")
    transit = OrderStatus.objects.get(code="in_transit")
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM sales_order ORDER BY id LIMIT %s", [SAMPLES * 2])
        ids = [r[0] for r in cur.fetchall()]
    orm = samples(
        lambda i: order_change_status(actor=w["owner"], order=ids[i], to="in_transit"), SAMPLES
    )
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:

        def raw(i: int) -> None:
            oid = ids[SAMPLES + i]
            with conn.transaction():
                conn.execute("SELECT status_id FROM sales_order WHERE id = %s FOR UPDATE", [oid])
                conn.execute(
                    "SELECT 1 FROM sales_orderstatus_allowed_next WHERE from_orderstatus_id = %s"
                    " AND to_orderstatus_id = %s",
                    [confirmed.pk, transit.pk],
                )
                conn.execute(
                    "UPDATE sales_order SET status_id = %s, status_changed_at = now()"
                    " WHERE id = %s",
                    [transit.pk, oid],
                )
                cid = _row(
                    conn.execute(
                        "INSERT INTO sales_orderstatuschange (order_id, from_status_id,"
                        " to_status_id, at, note) VALUES (%s, %s, %s, now(), '') RETURNING id",
                        [oid, confirmed.pk, transit.pk],
                    )
                )[0]
                conn.execute(
                    "INSERT INTO sales_orderevent (key, name, order_id, payload, created_at)"
                    " VALUES (%s, 'order.status_changed', %s, '{}', now())",
                    [f"raw:{cid}", oid],
                )

        raw_samples = samples(raw, SAMPLES)
    return {"order.step": orm, "raw.order.step": raw_samples}


def run() -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Pages render with plain static URLs: no collectstatic manifest on a bench machine.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    m = machine()
    w = world()
    measured: dict[str, list[float]] = {}
    measured.update(quote_figures(w))
    t0 = time.perf_counter()
    measured.update(status_figures(w))
    log(f"status page figures over {ORDERS:,} orders ({time.perf_counter() - t0:.1f} s)")
    measured.update(step_figures(w))
    figures = {k: stats(v) for k, v in measured.items()}

    def ratio(a: str, b: str) -> float:
        return round(figures[a]["p50_ms"] / figures[b]["p50_ms"], 1)

    return {
        "machine": m,
        "orders": ORDERS,
        "samples": SAMPLES,
        "figures": figures,
        "ratios": {
            "quote.create / raw (p50)": ratio("quote.create", "raw.quote.create"),
            "order.step / raw (p50)": ratio("order.step", "raw.order.step"),
            "status.page / raw (p50)": ratio("status.page", "raw.status.page"),
        },
    }


def main() -> None:
    ensure_database(fresh=True)
    result = run()
    m = result["machine"]
    log(
        f"machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, PostgreSQL "
        f"{m['postgresql']}, Django {m['django']}; load average at start {m['loadavg_at_start']}"
    )
    log(f"{'figure':<18} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'per s':>9}")
    for name, f in result["figures"].items():
        log(
            f"{name:<18} {f['p50_ms']:>9.2f} {f['p95_ms']:>9.2f} {f['max_ms']:>9.2f}"
            f" {f['per_second']:>9.1f}"
        )
    for name, value in result["ratios"].items():
        log(f"ratio {name}: {value}")
    out = ROOT / "results" / f"{dt.date.today().isoformat()}-pg-quotes-orders.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    log(f"saved {out}")


if __name__ == "__main__":
    main()
