"""Web-form lead intake benchmark: what one lead costs, beside the engine's floor for the
same writes, in the same run.

    python -m bench.webforms

Environment:
  DATABASE_URL    default postgres://…/sputnik_bench_webforms (created, migrated and loaded
                  with BENCH_PERSONS persons, each with a phone, when it holds fewer)
  BENCH_PERSONS   persons already in the base, default 100,000
  BENCH_LEADS     leads per figure, default 200

Figures (per lead, milliseconds p50 / p95 / max, and leads per second):
  match          the matching reads prospect_capture runs (exact phone → visible persons);
  raw.match      the same SELECTs on a bare psycopg connection;
  capture.new    submission_accept() for a new person: the submission row, prospect_capture
                 (person, contacts, address, interests, consents with evidence, distribution
                 by a round-robin rule, a follow-up task, audit entries, events), the
                 submission marked processed;
  capture.known  the same for a lead whose phone (in another spelling) is already known;
  http.post      the public endpoint through Django's test client: origin check, rate limit
                 in the database cache, form validation, then capture.new;
  raw.writes     the engine's floor for capture.new's writes: per lead, in one transaction,
                 one INSERT … SELECT per row the service wrote (copying a row it wrote, same
                 tables, same indexes) and the submission's UPDATE, on a bare connection.
The ratio is capture.new / raw.writes.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
from typing import Any

from bench.common import ROOT, ensure_database, log, machine, samples, stats, use_database

use_database("sputnik_bench_webforms", test_client=True)
PERSONS = int(os.environ.get("BENCH_PERSONS", "100000"))
LEADS = int(os.environ.get("BENCH_LEADS", "200"))
SITE = "https://dealer.example"


def _phone(i: int) -> str:
    return f"+79{100000000 + i:09d}"


def load() -> None:
    """Centres, managers, a rule, a form, and PERSONS persons with a phone each."""
    from sputnik.core.models import Centre, User
    from sputnik.core.roles import Role
    from sputnik.core.services import system_actor
    from sputnik.marketing.models import LeadForm
    from sputnik.marketing.services import leadform_create
    from sputnik.parties.models import ContactPoint, DistributionRule, Interest, Person

    centres = []
    for name, kind in (
        ("Call", Centre.Kind.CALL_CENTRE),
        ("North", Centre.Kind.SHOWROOM),
        ("South", Centre.Kind.SHOWROOM),
    ):
        centre, _created = Centre.objects.get_or_create(
            name=f"Bench {name}", defaults={"kind": kind, "region": "Москва", "city": "Москва"}
        )
        centres.append(centre)
    for c in centres[1:]:
        for n in range(3):
            User.objects.get_or_create(
                username=f"bench-{c.pk}-{n}", defaults={"role": Role.SALES_MANAGER, "centre": c}
            )
        User.objects.get_or_create(
            username=f"bench-head-{c.pk}", defaults={"role": Role.CENTRE_HEAD, "centre": c}
        )
    Interest.objects.get_or_create(
        slug="pickup", defaults={"name_ru": "Пикап", "name_en": "Pickup"}
    )
    if not DistributionRule.objects.exists():
        DistributionRule.objects.create(name="Bench: all to North", centre=centres[1], priority=1)
    if not LeadForm.objects.filter(name="Bench form").exists():
        leadform_create(
            actor=system_actor(),
            data={
                "name": "Bench form",
                "fields": [
                    {"key": k, "required": k in ("first_name", "phone")}
                    for k in ("first_name", "last_name", "phone", "email", "city", "comment")
                ],
                "consents": [
                    {"purpose": "personal_data", "channel": "any", "required": True},
                    {"purpose": "marketing", "channel": "sms", "required": False},
                ],
                "consent_text_ru": "Согласен на обработку персональных данных.",
                "allowed_origins": [SITE],
            },
        )
    have = Person.objects.count()
    if have >= PERSONS:
        return
    log(f"loading persons {have:,} → {PERSONS:,} …")
    rng = random.Random(7)
    first = ["Анна", "Сергей", "Ольга", "Иван", "Мария", "Пётр", "Елена", "Дмитрий"]
    last = ["Иванов", "Петрова", "Смирнов", "Кузнецова", "Попов", "Соколова"]
    batch = 5000
    for start in range(have, PERSONS, batch):
        stop = min(start + batch, PERSONS)
        persons = Person.objects.bulk_create(
            Person(
                first_name=rng.choice(first),
                last_name=rng.choice(last),
                centre=centres[1 + i % 2],
                search_name=f"p{i}",
            )
            for i in range(start, stop)
        )
        ContactPoint.objects.bulk_create(
            ContactPoint(person=p, kind="phone", value=_phone(i), is_primary=True)
            for i, p in zip(range(start, stop), persons, strict=True)
        )
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def _table_counts() -> dict[str, int]:
    from django.apps import apps
    from django.db import connection

    counts = {}
    with connection.cursor() as cur:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table in counts or not model._meta.managed:
                continue
            cur.execute(f'SELECT count(*) FROM "{table}"')  # table names from the models
            counts[table] = cur.fetchone()[0]
    return counts


def run() -> dict[str, Any]:
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from sputnik.core.services import system_actor
    from sputnik.marketing import public_views, services
    from sputnik.marketing.models import FormSubmission, LeadForm
    from sputnik.parties.services.intake import _match

    call_command("migrate", verbosity=0)
    load()
    form = LeadForm.objects.get(name="Bench form")
    actor = system_actor()
    run_tag = int(time.time()) % 100000
    rng = random.Random(run_tag)
    meta = {"ip_address": "203.0.113.5", "utm": {"utm_source": "bench"}, "referrer": SITE + "/"}
    consents = [("personal_data", "any"), ("marketing", "sms")]

    from sputnik.parties.models import ContactPoint

    def known_lead() -> dict[str, str]:
        i = rng.randrange(PERSONS)
        name = (
            ContactPoint.objects.filter(kind="phone", value=_phone(i))
            .values_list("person__first_name", flat=True)
            .first()
        )
        digits = _phone(i)[2:]
        return {
            "first_name": name or "Гость",
            "phone": f"8 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}",
        }

    def new_phone(i: int, offset: int) -> str:
        return f"+7 98{run_tag % 10}{offset + i:07d}"

    # Warm up connections and caches.
    for i in range(5):
        services.submission_accept(
            form=form,
            payload={"first_name": "Разогрев", "phone": new_phone(i, 9_000_000)},
            consents=consents,
            meta=meta,
        )

    match = samples(
        lambda i: _match(actor, phone=_phone(rng.randrange(PERSONS)), email="", first_name=""),
        LEADS,
    )

    first_id = FormSubmission.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    before = _table_counts()
    last_ids: dict[str, int] = {}
    new = samples(
        lambda i: services.submission_accept(
            form=form,
            payload={
                "first_name": "Новый",
                "last_name": "Лид",
                "phone": new_phone(i, 0),
                "city": "Москва",
                "comment": "Хочу тест-драйв",
            },
            consents=consents,
            meta=meta,
        ),
        LEADS,
    )
    after = _table_counts()
    per_lead = {t: (after[t] - before[t]) / LEADS for t in after if after[t] - before[t] > 0}
    failed = FormSubmission.objects.exclude(status=FormSubmission.Status.PROCESSED).filter(
        form=form, pk__gt=first_id
    )
    assert not failed.exists(), list(failed.values("status", "error")[:3])

    known_leads = [known_lead() for _ in range(LEADS)]
    known = samples(
        lambda i: services.submission_accept(
            form=form,
            payload=known_leads[i],
            consents=consents,
            meta=meta,
        ),
        LEADS,
    )

    public_views.RATE_PER_MINUTE = public_views.RATE_PER_DAY = 10**9
    client = Client(HTTP_ORIGIN=SITE, REMOTE_ADDR="198.51.100.1")
    url = reverse("marketing:public_submit", kwargs={"public_key": form.public_key})

    def post(i: int) -> None:
        response = client.post(
            url,
            {
                "first_name": "Веб",
                "phone": new_phone(i, 1_000_000),
                "consent__personal_data__any": "on",
                "utm_source": "bench",
            },
            secure=True,  # production settings redirect plain HTTP
        )
        assert response.status_code == 302, response.status_code

    http = samples(post, LEADS)
    cache.clear()

    # The engine's floor: the same rows into the same tables, copied from rows just written.
    import psycopg
    from django.apps import apps

    columns: dict[str, list[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table in per_lead:
            columns[table] = [
                str(f.column) for f in model._meta.local_concrete_fields if not f.primary_key
            ]
    dsn = os.environ["DATABASE_URL"]
    with psycopg.connect(dsn) as raw:
        for table in per_lead:
            found = raw.execute(f'SELECT max(id) FROM "{table}"').fetchone()
            assert found is not None
            last_ids[table] = found[0]
        statements = []
        for table, rows in per_lead.items():
            cols = ", ".join(f'"{c}"' for c in columns[table])
            sql = (
                f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM "{table}" WHERE id = %s'
                " ON CONFLICT DO NOTHING RETURNING id"
            )
            statements.append((sql, last_ids[table], max(1, round(rows))))
        submission_table = FormSubmission._meta.db_table

        def raw_lead(i: int) -> None:
            with raw.transaction(), raw.cursor() as cur:
                new_id = None
                for sql, template, times in statements:
                    for _ in range(times):
                        cur.execute(sql, [template])
                        row = cur.fetchone()
                        if sql.startswith(f'INSERT INTO "{submission_table}"') and row:
                            new_id = row[0]
                cur.execute(
                    f'UPDATE "{submission_table}" SET status = %s, processed_at = now()'
                    " WHERE id = %s",
                    ["processed", new_id],
                )

        raw_writes = samples(raw_lead, LEADS)
        with psycopg.connect(dsn) as reader:
            contact = "parties_contactpoint"
            person = "parties_person"

            def raw_match(i: int) -> None:
                ids = [
                    row[0]
                    for row in reader.execute(
                        f"SELECT person_id FROM {contact} WHERE kind = %s AND value = %s"
                        " AND person_id IS NOT NULL LIMIT 50",
                        ["phone", _phone(rng.randrange(PERSONS))],
                    ).fetchall()
                ]
                reader.execute(
                    f"SELECT * FROM {person} WHERE id = ANY(%s) ORDER BY id", [ids]
                ).fetchall()

            raw_match_samples = samples(raw_match, LEADS)

    figures = {
        "match": stats(match, 3),
        "raw.match": stats(raw_match_samples, 3),
        "capture.new": stats(new, 3),
        "capture.known": stats(known, 3),
        "http.post": stats(http, 3),
        "raw.writes": stats(raw_writes, 3),
    }
    return {
        "machine": machine(),
        "persons": PERSONS,
        "leads_per_figure": LEADS,
        "rows_per_new_lead": {t: round(v, 2) for t, v in sorted(per_lead.items())},
        "figures": figures,
        "ratios": {
            "capture.new / raw.writes (p50)": round(
                figures["capture.new"]["p50_ms"] / figures["raw.writes"]["p50_ms"], 1
            ),
            "match / raw.match (p50)": round(
                figures["match"]["p50_ms"] / figures["raw.match"]["p50_ms"], 1
            ),
        },
    }


def main() -> None:
    ensure_database()
    result = run()
    m = result["machine"]
    log(
        f"machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, PostgreSQL "
        f"{m['postgresql']}, Django {m['django']}; load average at start {m['loadavg_at_start']}"
    )
    log(
        f"persons in the base: {result['persons']:,}; leads per figure: {result['leads_per_figure']}"
    )
    log(
        "rows written per new lead: "
        + ", ".join(f"{t}={n}" for t, n in result["rows_per_new_lead"].items())
    )
    log(f"{'figure':<14} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'leads/s':>9}")
    for name, f in result["figures"].items():
        log(
            f"{name:<14} {f['p50_ms']:>9.2f} {f['p95_ms']:>9.2f} {f['max_ms']:>9.2f} {f['per_second']:>9.1f}"
        )
    for name, ratio in result["ratios"].items():
        log(f"ratio {name}: {ratio}×")
    out = ROOT / "results" / f"{dt.date.today().isoformat()}-pg-webforms.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    log(f"saved {out.relative_to(ROOT.parent)}")


if __name__ == "__main__":
    main()
