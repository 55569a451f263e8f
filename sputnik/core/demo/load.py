"""Bulk loading of the demo network.

Small reference data (centres, staff, vocabularies) goes through the ORM. Customers
and their timeline are written as tuples: PostgreSQL COPY through psycopg 3, SQLite
`executemany` in one transaction per chunk. Measured on these machines: COPY takes
~190,000 rows/s into a table with only its primary key against ~45,000 with secondary
indexes and ~10,000 through `bulk_create`, so large loads drop the secondary indexes
and constraints, copy, rebuild them and ANALYZE (see /work/shared/PERFORMANCE.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction

from sputnik.core.demo import vocab
from sputnik.core.demo.generate import Chunk, DemoGenerator, Network, Row
from sputnik.core.models import Centre, CustomFieldDefinition, User

# Table key -> (app label, model name, columns in the order the generator writes them).
COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "company": (
        "parties",
        "Company",
        (
            "id",
            "centre_id",
            "owner_id",
            "source",
            "source_campaign",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "custom",
            "search_name",
            "created_at",
            "updated_at",
            "created_by_id",
            "name",
            "inn",
            "industry",
            "website",
        ),
    ),
    "person": (
        "parties",
        "Person",
        (
            "id",
            "centre_id",
            "owner_id",
            "source",
            "source_campaign",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "custom",
            "search_name",
            "created_at",
            "updated_at",
            "created_by_id",
            "last_name",
            "first_name",
            "middle_name",
            "stage",
            "birthday",
            "family_status",
            "job_title",
            "employer_id",
            "wishes",
            "is_vip",
        ),
    ),
    "contact": (
        "parties",
        "ContactPoint",
        ("id", "person_id", "company_id", "kind", "value", "label", "is_primary"),
    ),
    "address": (
        "parties",
        "Address",
        ("id", "person_id", "company_id", "kind", "postcode", "region", "city", "street"),
    ),
    "important_date": ("parties", "ImportantDate", ("id", "person_id", "label", "date", "yearly")),
    "company_role": ("parties", "CompanyRole", ("id", "person_id", "company_id", "title")),
    "relation": (
        "parties",
        "Relation",
        ("id", "person_id", "other_id", "kind", "note", "created_at"),
    ),
    "asset": (
        "parties",
        "Asset",
        (
            "id",
            "person_id",
            "kind",
            "make",
            "model",
            "year",
            "vin",
            "plate",
            "purchase_date",
            "warranty_end",
            "mileage_km",
            "last_service_date",
            "disposed_at",
        ),
    ),
    "stage_change": (
        "parties",
        "StageChange",
        ("id", "person_id", "from_stage", "to_stage", "at", "actor_id", "reason"),
    ),
    "person_interest": ("parties", "Person_interests", ("id", "person_id", "interest_id")),
    "person_tag": ("parties", "Person_tags", ("id", "person_id", "tag_id")),
    "interaction": (
        "activities",
        "Interaction",
        (
            "id",
            "person_id",
            "company_id",
            "centre_id",
            "kind",
            "occurred_at",
            "actor_id",
            "subject",
            "body",
            "direction",
            "outcome",
            "duration_seconds",
            "data",
            "created_at",
        ),
    ),
}
# Referenced tables first, so the deferred foreign keys of SQLite hold at every commit.
LOAD_ORDER = (
    "person",
    "company_role",
    "contact",
    "address",
    "important_date",
    "relation",
    "asset",
    "stage_change",
    "person_interest",
    "person_tag",
    "interaction",
)


class DemoError(Exception):
    """A refusal with a message for the operator (existing data, wrong schema)."""


def model_of(key: str) -> type[models.Model]:
    app_label, model_name, _cols = COLUMNS[key]
    return apps.get_model(app_label, model_name)


def table_of(key: str) -> str:
    return model_of(key)._meta.db_table


def check_schema() -> None:
    """Fail loudly if a model gained a required column the generator does not write."""
    for key, (_app, _model, cols) in COLUMNS.items():
        model = model_of(key)
        known = {f.column for f in model._meta.concrete_fields}
        missing = set(cols) - known
        if missing:
            raise DemoError(f"{model.__name__} has no column(s) {sorted(missing)}")
        for f in model._meta.concrete_fields:
            if f.column not in cols and not f.null and f.db_default is models.NOT_PROVIDED:
                raise DemoError(
                    f"{model.__name__}.{f.name} is required but the demo generator does not "
                    "fill it; update sputnik/core/demo/generate.py"
                )


# --- existing data ------------------------------------------------------------


def crm_models() -> list[type[models.Model]]:
    """Every model of the project's apps: what --reset wipes."""
    result: list[type[models.Model]] = []
    for config in apps.get_app_configs():
        if config.name.startswith("sputnik."):
            result.extend(m for m in config.get_models() if m._meta.managed)
    return result


def existing_data() -> dict[str, int]:
    person = model_of("person")
    found = {
        "centres": Centre.objects.count(),
        "users": User.objects.count(),
        "persons": person._default_manager.order_by().values("pk")[:1000].count(),
    }
    return {k: v for k, v in found.items() if v}


def wipe() -> None:
    """Empty every table of the project's apps (TRUNCATE … CASCADE on PostgreSQL)."""
    tables = [m._meta.db_table for m in crm_models()]
    through = [
        f.remote_field.through._meta.db_table  # type: ignore[union-attr]
        for m in crm_models()
        for f in m._meta.local_many_to_many
    ]
    if connection.vendor == "postgresql":
        # Inside an outer transaction (tests), deferred foreign-key checks must fire first.
        with connection.cursor() as cur:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    sql = connection.ops.sql_flush(
        no_style(), sorted(set(tables + through)), reset_sequences=True, allow_cascade=True
    )
    connection.ops.execute_sql_flush(sql)
    restore_seeded_configuration()


# Configuration the migrations seed (pipelines and lost reasons, the order workflow, the
# default document templates): a wipe — or a transactional test's flush — empties those
# tables too, so the same (idempotent) seed functions put them back.
SEEDING_MIGRATIONS = (
    "sputnik.documents.migrations.0002_default_templates",
    "sputnik.sales.migrations.0002_deals",
    "sputnik.sales.migrations.0003_quotes_orders",
)


def restore_seeded_configuration() -> None:
    from importlib import import_module

    from django.apps import apps as django_apps

    for module in SEEDING_MIGRATIONS:
        import_module(module).seed(django_apps, None)


# --- reference data through the ORM ------------------------------------------


@dataclass
class Staff:
    username: str
    role: str
    centre: str
    name: str


@dataclass
class NetworkResult:
    network: Network
    staff: list[Staff] = field(default_factory=list)


def create_network(*, password: str, seed: int) -> NetworkResult:
    import random

    from faker import Faker

    from sputnik.parties.models import Interest, Tag

    fake = Faker("ru_RU")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    centres: dict[str, Centre] = {}
    for spec in vocab.CENTRES:
        centres[spec.key] = Centre.objects.create(
            name=spec.name, kind=spec.kind, region=spec.region, city=spec.city
        )
    # One hash for every demo account: Argon2 costs ~50 ms a user by design.
    hashed = make_password(password)
    counters: dict[str, int] = {}
    users: list[User] = []
    staff: list[Staff] = []
    for prefix, role, centre_key, count in vocab.STAFF:
        for _ in range(count):
            counters[prefix] = counters.get(prefix, 0) + 1
            male = rng.random() < 0.6
            first = fake.first_name_male() if male else fake.first_name_female()
            last = fake.last_name_male() if male else fake.last_name_female()
            username = f"{prefix}{counters[prefix]}"
            users.append(
                User(
                    username=username,
                    password=hashed,
                    role=role,
                    centre=centres[centre_key],
                    first_name=first,
                    last_name=last,
                    email=f"{username}@sputnik-demo.ru",
                    language="ru",
                )
            )
            staff.append(Staff(username, role, centres[centre_key].name, f"{first} {last}"))
    users.append(
        User(
            username="admin",
            password=hashed,
            role="admin",
            is_staff=True,
            is_superuser=True,
            centre=centres["office"],
            first_name="Администратор",
            last_name="Системы",
            email="admin@sputnik-demo.ru",
            language="ru",
        )
    )
    staff.append(Staff("admin", "admin", centres["office"].name, "Администратор Системы"))
    User.objects.bulk_create(users)
    saved = {u.username: u for u in User.objects.filter(username__in=[s.username for s in staff])}

    owners: dict[int, list[int]] = {}
    actors: dict[int, list[int]] = {}
    owning_roles = {"sales_manager", "service_advisor", "operator"}
    for centre in centres.values():
        members = [u for u in saved.values() if u.centre_id == centre.pk]
        owners[centre.pk] = [u.pk for u in members if u.role in owning_roles]
        actors[centre.pk] = [u.pk for u in members if u.role != "admin"] or [saved["admin"].pk]
    # Head-office customers (fleet and VIP accounts) are served by the north showroom.
    owners[centres["office"].pk] = owners[centres["north"].pk]

    interests = {
        slug: Interest.objects.create(slug=slug, name_ru=ru, name_en=en).pk
        for slug, ru, en in vocab.INTERESTS
    }
    tags = {name: Tag.objects.create(name=name).pk for name in vocab.TAGS}
    for spec_fields in vocab.CUSTOM_FIELDS:
        CustomFieldDefinition.objects.create(**spec_fields)
    from sputnik.core.demo.catalogue import seed_catalogue

    seed_catalogue(actor=saved["admin"], centres=list(centres.values()))
    network = Network(
        centre_ids=[centres[s.key].pk for s in vocab.CENTRES],
        owners=owners,
        actors=actors,
        interest_ids=interests,
        tag_ids=tags,
    )
    return NetworkResult(network=network, staff=staff)


# --- writers ----------------------------------------------------------------


class Writer:
    def write(self, key: str, rows: list[Row]) -> None:
        raise NotImplementedError


class PostgresWriter(Writer):
    """COPY FROM STDIN through psycopg 3; a queue thread sends while Python generates."""

    def __init__(self) -> None:
        from psycopg.copy import QueuedLibpqWriter

        self._queued = QueuedLibpqWriter
        connection.ensure_connection()
        self.raw = connection.connection

    def write(self, key: str, rows: list[Row]) -> None:
        if not rows:
            return
        cols = ", ".join(COLUMNS[key][2])
        with self.raw.cursor() as cur:
            sql = f"COPY {table_of(key)} ({cols}) FROM STDIN"
            with cur.copy(sql, writer=self._queued(cur)) as copy:  # type: ignore[arg-type]
                write_row = copy.write_row
                for row in rows:
                    write_row(row)


class SqliteWriter(Writer):
    def write(self, key: str, rows: list[Row]) -> None:
        if not rows:
            return
        cols = COLUMNS[key][2]
        sql = (
            f"INSERT INTO {table_of(key)} ({', '.join(cols)}) "
            f"VALUES ({', '.join(['%s'] * len(cols))})"
        )
        with connection.cursor() as cur:
            cur.executemany(sql, rows)


# --- index handling on PostgreSQL --------------------------------------------


@dataclass
class DroppedDDL:
    indexes: list[tuple[str, str]] = field(default_factory=list)  # (name, CREATE INDEX …)
    constraints: list[tuple[str, str, str]] = field(default_factory=list)  # (table, name, def)


def drop_secondary_indexes(tables: list[str]) -> DroppedDDL:
    """Drop what each row would otherwise update one random btree page for.

    Primary keys stay. Foreign keys and unique constraints are dropped and re-added
    after the load (validation is then one join instead of a trigger per row).
    """
    ddl = DroppedDDL()
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE t.relname = ANY(%s) AND c.contype IN ('f', 'u')
            ORDER BY c.contype DESC, c.conname
            """,
            [tables],
        )
        ddl.constraints = list(cur.fetchall())
        for table, name, _def in ddl.constraints:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cur.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY i.relname
            """,
            [tables],
        )
        ddl.indexes = list(cur.fetchall())
        for name, _create in ddl.indexes:
            cur.execute(f'DROP INDEX "{name}"')
    return ddl


def restore_indexes(ddl: DroppedDDL, report: Callable[[str], None]) -> None:
    """Re-create what `drop_secondary_indexes` dropped; report only when all is back.

    A failing progress writer (a closed pipe) must not leave the schema without its
    indexes and constraints, so the timings are printed after the last statement.
    """
    timings: list[str] = []
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        for name, create in ddl.indexes:
            started = time.perf_counter()
            cur.execute(create)
            timings.append(f"  index {name}: {time.perf_counter() - started:.1f} s")
        # Unique constraints before the foreign keys that may rely on them.
        for table, name, definition in sorted(
            ddl.constraints, key=lambda c: not c[2].startswith("UNIQUE")
        ):
            started = time.perf_counter()
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            timings.append(f"  constraint {name}: {time.perf_counter() - started:.1f} s")
    for line in timings:
        report(line)


def recovery_script(ddl: DroppedDDL) -> str:
    lines = [f"{create};" for _name, create in ddl.indexes]
    lines += [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition};'
        for table, name, definition in sorted(
            ddl.constraints, key=lambda c: not c[2].startswith("UNIQUE")
        )
    ]
    return "\n".join(lines) + "\n"


# --- the load ---------------------------------------------------------------


@dataclass
class LoadStats:
    persons: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    copy_seconds: float = 0.0  # generation + COPY/INSERT, before index rebuild
    index_seconds: float = 0.0
    heavy_person_ids: list[int] = field(default_factory=list)
    staff: list[Staff] = field(default_factory=list)

    @property
    def interactions(self) -> int:
        return self.rows.get("interaction", 0)


def next_ids() -> dict[str, int]:
    """Start explicit ids after whatever the tables already hold."""
    start = {}
    for key in COLUMNS:
        model = model_of(key)
        start[key] = model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0
    return start


def load_demo(
    *,
    persons: int,
    interactions: int | None = None,
    seed: int = 42,
    password: str = vocab.DEMO_PASSWORD,
    chunk_size: int = 20_000,
    heavy_persons: int = 2,
    drop_indexes: bool | None = None,
    report: Callable[[str], None] = print,
) -> LoadStats:
    """Create the network and `persons` customers with about `interactions` timeline entries.

    The caller has checked that the database is empty (or wiped it).
    """
    check_schema()
    started = time.perf_counter()
    postgres = connection.vendor == "postgresql"
    if interactions is None:
        interactions = persons * 6
    with transaction.atomic():
        net = create_network(password=password, seed=seed)
    ids = next_ids()
    first_person = ids["person"] + 1
    # Timeline entries with a long history: spread over the first chunk's persons.
    heavy = (
        set(range(first_person + 2, first_person + 2 + heavy_persons))
        if persons > heavy_persons + 2
        else set()
    )
    stage_change_share = 0.55  # entries per person the stage history adds on average
    per_person = max((interactions - len(heavy) * 1000) / max(persons, 1) - stage_change_share, 0.0)
    gen = DemoGenerator(
        seed=seed,
        network=net.network,
        time_suffix="+00" if postgres else "",
        interactions_per_person=per_person,
        heavy_person_ids=heavy,
        id_start=ids,
    )
    writer: Writer = PostgresWriter() if postgres else SqliteWriter()
    stats = LoadStats(heavy_person_ids=sorted(heavy), staff=net.staff)
    if drop_indexes is None:
        drop_indexes = postgres and persons >= 100_000
    tables = [table_of(k) for k in COLUMNS]
    ddl = DroppedDDL()
    if drop_indexes:
        with transaction.atomic():
            ddl = drop_secondary_indexes(tables)
        from django.conf import settings

        pending = Path(settings.VAR_DIR) / "demo-pending-indexes.sql"
        pending.write_text(recovery_script(ddl))
        report(
            f"dropped {len(ddl.indexes)} indexes and {len(ddl.constraints)} constraints "
            f"for the load (if the load dies, {pending} re-creates them)"
        )
    try:
        if postgres:
            with connection.cursor() as cur:
                cur.execute("SET synchronous_commit = off")
        with transaction.atomic():
            company_chunk = gen.companies(max(5, min(persons // 40, 25_000)))
            company_rows = company_chunk.rows.pop("company")
            writer.write("company", company_rows)
            stats.rows["company"] = len(company_rows)
            _write_chunk(writer, company_chunk, stats)
        done = 0
        while done < persons:
            size = min(chunk_size, persons - done)
            t0 = time.perf_counter()
            chunk = gen.persons(size, story=done == 0)
            t_gen = time.perf_counter() - t0
            with transaction.atomic():
                _write_chunk(writer, chunk, stats)
            elapsed = time.perf_counter() - t0
            done += size
            stats.persons = done
            n_rows = chunk.count()
            report(
                f"persons {done:>10,}/{persons:,}  +{n_rows:>9,} rows in {elapsed:5.1f} s "
                f"({n_rows / elapsed:>9,.0f} rows/s, {size / elapsed:>7,.0f} persons/s, "
                f"generate {t_gen:4.1f} s)"
            )
        stats.copy_seconds = time.perf_counter() - started
    finally:
        if drop_indexes:
            t0 = time.perf_counter()
            report("rebuilding indexes and constraints…")
            restore_indexes(ddl, report)
            stats.index_seconds = time.perf_counter() - t0
            pending.unlink(missing_ok=True)
    reset_sequences()
    if postgres:
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("ANALYZE " + ", ".join(tables))
        report(f"ANALYZE: {time.perf_counter() - t0:.1f} s")
    stats.seconds = time.perf_counter() - started
    return stats


def _write_chunk(writer: Writer, chunk: Chunk, stats: LoadStats) -> None:
    for key in LOAD_ORDER:
        rows = chunk.rows.get(key)
        if rows:
            writer.write(key, rows)
            stats.rows[key] = stats.rows.get(key, 0) + len(rows)
    unknown = set(chunk.rows) - set(LOAD_ORDER)
    if unknown:
        raise DemoError(f"no load order for {sorted(unknown)}")


def reset_sequences(extra: Iterable[type[models.Model]] = ()) -> None:
    """Explicit ids leave sequences behind; move each past its table's largest id."""
    models_ = [model_of(k) for k in COLUMNS] + list(extra)
    statements = connection.ops.sequence_reset_sql(no_style(), models_)
    if statements:
        with connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)


def counts() -> dict[str, Any]:
    return {key: model_of(key)._default_manager.count() for key in COLUMNS}
