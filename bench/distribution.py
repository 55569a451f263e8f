"""Prospect distribution benchmark: placing one prospect by the rules, and the periodic
escalation pass over many open leads, each beside the engine's floor for the same work
measured in the same run.

    python -m bench.distribution

Environment:
  DATABASE_URL   default postgres://…/sputnik_bench_distribution (created and migrated)
  BENCH_LEADS    open leads for the escalation pass, default 100,000
  BENCH_PLACE    prospects placed per figure, default 300

Figures:
  distribute       prospect_distribute() per prospect (p50/p95 ms, per second): rules read,
                   working hours, a round-robin turn under a row lock or a least-loaded
                   count, the assignment row, the person moved, an audit entry, events;
  raw.distribute   the floor for the same writes on a bare psycopg connection, per prospect
                   in one transaction: read the active rules, lock and advance the pointer,
                   retire the old assignment, insert the new one, update the person, insert
                   the audit row;
  escalate.first   escalate_overdue() over BENCH_LEADS open leads where half were called
                   after assignment (settled), 1% are overdue (escalated: a row, a task for
                   the head, its timeline entry, audit) and the rest are not due yet;
  escalate.steady  the next pass, when nothing changed: the periodic cost every five minutes;
  raw.steady       the floor for the steady pass: its two statements by hand in SQL (the
                   settling UPDATE … WHERE EXISTS, the SELECT of due, unescalated leads).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from typing import Any

from bench.common import ROOT, ensure_database, log, machine, samples, stats, use_database

use_database("sputnik_bench_distribution", test_client=True)
LEADS = int(os.environ.get("BENCH_LEADS", "100000"))
PLACE = int(os.environ.get("BENCH_PLACE", "300"))


def network() -> dict[str, Any]:
    from sputnik.core.models import Centre, User
    from sputnik.core.roles import Role
    from sputnik.parties.models import (
        DistributionRule,
        DistributionSettings,
        Interest,
        WorkingHours,
    )

    call = Centre.objects.create(name="Call", kind="call_centre", region="Тверская", city="Тверь")
    north = Centre.objects.create(name="North", kind="showroom", region="Москва", city="Москва")
    south = Centre.objects.create(
        name="South", kind="showroom", region="Краснодарский край", city="Краснодар"
    )
    for centre in (north, south):
        User.objects.bulk_create(
            User(username=f"m-{centre.pk}-{n}", role=Role.SALES_MANAGER, centre=centre)
            for n in range(8)
        )
    for centre in (call, north, south):
        User.objects.create(username=f"head-{centre.pk}", role=Role.CENTRE_HEAD, centre=centre)
    Interest.objects.create(slug="pickups", name_ru="Пикапы", name_en="Pickups")
    settings = DistributionSettings.current()
    settings.fallback_centre = call
    settings.save()
    for weekday in range(7):
        WorkingHours.objects.create(
            centre=north, weekday=weekday, starts=dt.time(0), ends=dt.time(23, 59)
        )
    DistributionRule.objects.bulk_create(
        [
            DistributionRule(
                name="South", priority=10, regions=["Краснодарский край"], centre=south
            ),
            DistributionRule(
                name="Pickups",
                priority=20,
                interests=["pickups"],
                centre=north,
                strategy=DistributionRule.Strategy.LEAST_LOADED,
            ),
            DistributionRule(
                name="Moscow", priority=30, cities=["Москва"], centre=north, on_duty_only=True
            ),
        ]
    )
    return {"call": call, "north": north, "south": south}


def _bulk_persons(centre_id: int, n: int, owners: list[int] | None = None) -> list[int]:
    """n prospects through bulk_create (no events: a data load, not intake)."""
    from sputnik.parties.models import Person

    made: list[int] = []
    for start in range(0, n, 5000):
        batch = [
            Person(
                centre_id=centre_id,
                owner_id=owners[(start + i) % len(owners)] if owners else None,
                last_name="Лид",
                first_name=f"Номер {start + i}",
                search_name=f"лид номер {start + i}",
                source="web_form",
            )
            for i in range(min(5000, n - start))
        ]
        made += [p.pk for p in Person.objects.bulk_create(batch)]
    return made


def place_figures(centres: dict[str, Any]) -> dict[str, list[float]]:
    import psycopg

    from sputnik.core.models import User
    from sputnik.core.services import system_actor
    from sputnik.parties.models import DistributionRule, Person
    from sputnik.parties.services.distribution import prospect_distribute

    actor = system_actor()
    ids = _bulk_persons(centres["call"].pk, PLACE * 2 + 20)
    kinds = [
        {"region": "Краснодарский край", "city": "Краснодар"},
        {"interest_codes": ["pickups"]},
        {"city": "Москва"},
        {"city": "Владивосток"},
    ]
    for i in range(20):  # warm-up
        prospect_distribute(actor=actor, person=Person(pk=ids[i]), **kinds[i % 4])
    orm_ids = ids[20 : 20 + PLACE]
    orm = samples(
        lambda i: prospect_distribute(actor=actor, person=Person(pk=orm_ids[i]), **kinds[i % 4]),
        PLACE,
    )
    raw_ids = ids[20 + PLACE :]
    rule_id, centre_id = (
        DistributionRule.objects.filter(name="South").values_list("pk", "centre_id").get()
    )
    managers = list(
        User.objects.filter(centre_id=centre_id, role="sales_manager")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    dsn = os.environ["DATABASE_URL"]
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "INSERT INTO parties_roundrobinpointer (rule_id, centre_id, last_user_id, turns)"
            " VALUES (%s, %s, NULL, 0) ON CONFLICT DO NOTHING",
            [rule_id, centre_id],
        )
        conn.commit()

        def raw(i: int) -> None:
            pid = raw_ids[i]
            with conn.transaction():
                conn.execute(
                    "SELECT id, regions, cities, interests, products, centre_id, strategy"
                    " FROM parties_distributionrule WHERE is_active ORDER BY priority, id"
                ).fetchall()
                last = conn.execute(
                    "SELECT last_user_id FROM parties_roundrobinpointer"
                    " WHERE rule_id = %s AND centre_id = %s FOR UPDATE",
                    [rule_id, centre_id],
                ).fetchone()[0]
                owner = next((m for m in managers if m > (last or 0)), managers[0])
                conn.execute(
                    "UPDATE parties_roundrobinpointer SET last_user_id = %s, turns = turns + 1"
                    " WHERE rule_id = %s AND centre_id = %s",
                    [owner, rule_id, centre_id],
                )
                conn.execute(
                    "UPDATE parties_prospectassignment SET is_current = false"
                    " WHERE person_id = %s AND is_current",
                    [pid],
                )
                conn.execute(
                    "INSERT INTO parties_prospectassignment (person_id, centre_id, owner_id,"
                    " rule_id, method, assigned_at, assigned_by_id, is_current)"
                    " VALUES (%s, %s, %s, %s, 'rule', now(), %s, true)",
                    [pid, centre_id, owner, rule_id, actor.pk],
                )
                conn.execute(
                    "UPDATE parties_person SET centre_id = %s, owner_id = %s, updated_at = now()"
                    " WHERE id = %s",
                    [centre_id, owner, pid],
                )
                conn.execute(
                    "INSERT INTO core_auditentry (at, actor_id, action, entity, entity_id,"
                    " subject_person_id, summary, before, after) VALUES (now(), %s, 'transfer',"
                    " 'parties.person', %s, %s, 'rule', '{}', '{}')",
                    [actor.pk, pid, pid],
                )

        raw_samples = samples(raw, len(raw_ids))
    return {"distribute": orm, "raw.distribute": raw_samples}


def escalation_figures(centres: dict[str, Any]) -> dict[str, Any]:
    import psycopg
    from django.db import connection

    from sputnik.core.models import User
    from sputnik.parties.distribution.escalation import escalate_overdue

    north = centres["north"].pk
    managers = list(
        User.objects.filter(centre_id=north, role="sales_manager").values_list("pk", flat=True)
    )
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM parties_person")
        base = cur.fetchone()[0]
    t0 = time.perf_counter()
    _bulk_persons(north, LEADS, owners=managers)
    log(f"loaded {LEADS:,} leads' persons in {time.perf_counter() - t0:.1f} s")
    with connection.cursor() as cur:
        # Assigned: 1% overdue (26 h, no call), 50% called after assignment, the rest 3–20 h
        # ago and not due yet.
        cur.execute(
            "INSERT INTO parties_prospectassignment (person_id, centre_id, owner_id, method,"
            " assigned_at, is_current)"
            " SELECT p.id, p.centre_id, p.owner_id, 'rule', now() - CASE"
            "   WHEN (p.id - %s) %% 100 = 0 THEN interval '26 hours'"
            "   ELSE interval '3 hours' + ((p.id %% 1000) * interval '1 minute') END, true"
            " FROM parties_person p WHERE p.id > %s",
            [base, base],
        )
        cur.execute(
            "INSERT INTO activities_interaction (person_id, centre_id, kind, occurred_at,"
            " subject, body, direction, outcome, data, created_at)"
            " SELECT a.person_id, a.centre_id, 'call', a.assigned_at + interval '30 minutes',"
            " '', '', 'out', 'answered', '{}', now() FROM parties_prospectassignment a"
            " WHERE a.person_id > %s AND (a.person_id - %s) %% 2 = 1",
            [base, base],
        )
        cur.execute("ANALYZE parties_prospectassignment, activities_interaction, parties_person")
    t0 = time.perf_counter()
    first = escalate_overdue()
    first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    steady = escalate_overdue()
    steady_s = time.perf_counter() - t0
    # The floor: the pass's two statements written by hand (rolled back, state unchanged).
    contact = (
        "FROM activities_interaction i WHERE i.person_id = a.person_id"
        " AND i.kind IN ('call', 'note') AND i.occurred_at >= a.assigned_at"
    )
    window = (
        "a.is_current AND a.contacted_at IS NULL AND a.assigned_at >= now() - interval '30 days'"
    )
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        t0 = time.perf_counter()
        conn.execute(
            f"UPDATE parties_prospectassignment a SET contacted_at = (SELECT max(i.occurred_at)"
            f" {contact}) WHERE {window} AND EXISTS (SELECT 1 {contact})"
        )
        due = conn.execute(
            "SELECT a.id, a.person_id FROM parties_prospectassignment a WHERE "
            f"{window} AND ((a.owner_id IS NULL AND a.assigned_at <= now() - interval '2 hours')"
            " OR (a.owner_id IS NOT NULL AND a.assigned_at <= now() - interval '24 hours'))"
            " AND NOT EXISTS (SELECT 1 FROM parties_escalation e WHERE e.assignment_id = a.id)"
            " ORDER BY a.assigned_at, a.id LIMIT 200"
        ).fetchall()
        raw_s = time.perf_counter() - t0
        conn.rollback()
    ids = due
    return {
        "leads": LEADS,
        "first": {"seconds": round(first_s, 2), **first.__dict__},
        "steady": {"seconds": round(steady_s, 2), **steady.__dict__},
        "raw.steady": {"seconds": round(raw_s, 3), "examined": len(ids)},
    }


def run() -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    centres = network()
    placed = place_figures(centres)
    escalation = escalation_figures(centres)
    figures = {k: stats(v) for k, v in placed.items()}
    return {
        "machine": machine(),
        "figures": figures,
        "escalation": escalation,
        "ratios": {
            "distribute / raw.distribute (p50)": round(
                figures["distribute"]["p50_ms"] / figures["raw.distribute"]["p50_ms"], 1
            ),
            "escalate.steady / raw.steady": round(
                escalation["steady"]["seconds"] / max(escalation["raw.steady"]["seconds"], 1e-6),
                1,
            ),
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
    log(f"{'figure':<16} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'per s':>9}")
    for name, f in result["figures"].items():
        log(
            f"{name:<16} {f['p50_ms']:>9.2f} {f['p95_ms']:>9.2f} {f['max_ms']:>9.2f}"
            f" {f['per_second']:>9.1f}"
        )
    e = result["escalation"]
    log(
        f"escalate.first   {e['first']['seconds']:>8.2f} s over {e['leads']:,} leads: "
        f"{e['first']['contacted']:,} settled, {e['first']['escalated']:,} escalated"
    )
    log(
        f"escalate.steady  {e['steady']['seconds']:>8.2f} s ({e['leads'] // 2:,} open leads"
        f" waiting, {e['steady']['examined']:,} due); raw.steady {e['raw.steady']['seconds']:.3f} s"
    )
    for name, value in result["ratios"].items():
        log(f"ratio {name}: {value}")
    out = ROOT / "results" / f"{dt.date.today().isoformat()}-pg-distribution.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    log(f"saved {out}")


if __name__ == "__main__":
    main()
