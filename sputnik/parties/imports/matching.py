"""Finding the existing records a row (or a form, or a web lead) is the same as.

Exact and normalised: the source system's external id, then (companies) the INN, then
any phone (E.164), then any e-mail (folded). One function for every caller: the import
matches whole chunks at once, the duplicate checker on entry can pass a single record.
Each lookup is one indexed query per key kind (`= ANY(array)` on PostgreSQL, IN lists
on SQLite), so a chunk of 5,000 rows costs three or four queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from sputnik.core.models import User
from sputnik.parties.models import Company, ContactPoint, Person, scope_filter

MATCH_ORDER = ("external_id", "inn", "phone", "email")


@dataclass(frozen=True)
class Candidate:
    """An existing record, with what visibility and idempotency need, nothing to show."""

    pk: int
    centre_id: int
    owner_id: int | None
    import_batch_id: int | None

    def visible_to(self, actor: User) -> bool:
        rule = scope_filter(actor)
        if rule is None:
            return False
        return all(getattr(self, column) == value for column, value in rule.items())


@dataclass
class Matches:
    # (kind, value) → ids of records with it, lowest id first
    by_key: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    records: dict[int, Candidate] = field(default_factory=dict)

    def first(self, keys: Sequence[tuple[str, str]]) -> tuple[Candidate, str] | None:
        """The record the keys point to first, in MATCH_ORDER, and what matched."""
        for kind in MATCH_ORDER:
            for key_kind, value in keys:
                if key_kind != kind:
                    continue
                ids = self.by_key.get((kind, value))
                if ids:
                    return self.records[ids[0]], kind
        return None


def _chunks(values: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _select(sql_any: str, sql_in: str, values: list[str]) -> list[tuple[Any, ...]]:
    """Run a lookup for many values: `= ANY(%s)` on PostgreSQL, IN lists elsewhere."""
    if not values:
        return []
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(sql_any, [values])
            rows = list(cur.fetchall())
        else:
            for part in _chunks(values, 500):
                cur.execute(sql_in.replace("%s", ", ".join(["%s"] * len(part)), 1), part)
                rows += cur.fetchall()
    return rows


def find_matches(
    *,
    entity: str = "person",
    external_ids: Iterable[str] = (),
    inns: Iterable[str] = (),
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
) -> Matches:
    """Existing persons (or companies) having any of these normalised keys.

    Values must already be normalised (core.normalize): E.164 phones, folded e-mails.
    Visibility is NOT applied here: callers decide what a match they may not see means
    (the import counts it as "owned elsewhere" and never shows it).
    """
    model = Person if entity == "person" else Company
    table = model._meta.db_table
    owner_column = "person_id" if entity == "person" else "company_id"
    contacts = ContactPoint._meta.db_table
    matches = Matches()
    pairs: list[tuple[str, str, int]] = []

    ext = sorted({x for x in external_ids if x})
    for value, pk in _select(
        f"SELECT external_id, id FROM {table} WHERE external_id = ANY(%s) AND external_id <> ''",
        f"SELECT external_id, id FROM {table} WHERE external_id IN (%s) AND external_id <> ''",
        ext,
    ):
        pairs.append(("external_id", value, pk))
    if entity == "company":
        inn_values = sorted({x for x in inns if x})
        for value, pk in _select(
            f"SELECT inn, id FROM {table} WHERE inn = ANY(%s)",
            f"SELECT inn, id FROM {table} WHERE inn IN (%s)",
            inn_values,
        ):
            pairs.append(("inn", value, pk))
    for contact_kind, values in (
        (ContactPoint.Kind.PHONE, sorted({x for x in phones if x})),
        (ContactPoint.Kind.EMAIL, sorted({x for x in emails if x})),
    ):
        for value, pk in _select(
            f"SELECT value, {owner_column} FROM {contacts} WHERE value = ANY(%s) AND kind = '{contact_kind}'"
            f" AND {owner_column} IS NOT NULL",
            f"SELECT value, {owner_column} FROM {contacts} WHERE value IN (%s) AND kind = '{contact_kind}'"
            f" AND {owner_column} IS NOT NULL",
            values,
        ):
            pairs.append((str(contact_kind), value, pk))
    if not pairs:
        return matches
    ids = sorted({pk for _k, _v, pk in pairs})
    for pk, centre_id, owner_id, batch_id in _select(
        f"SELECT id, centre_id, owner_id, import_batch_id FROM {table} WHERE id = ANY(%s)",
        f"SELECT id, centre_id, owner_id, import_batch_id FROM {table} WHERE id IN (%s)",
        ids,  # type: ignore[arg-type]
    ):
        matches.records[pk] = Candidate(pk, centre_id, owner_id, batch_id)
    for kind, value, pk in pairs:
        if pk in matches.records:
            matches.by_key.setdefault((kind, value), []).append(pk)
    for ids_ in matches.by_key.values():
        ids_.sort()
    return matches


def match_record(
    *,
    entity: str = "person",
    external_id: str = "",
    inn: str = "",
    phones: Sequence[str] = (),
    emails: Sequence[str] = (),
) -> tuple[Candidate, str] | None:
    """The existing record one new record would duplicate, and by what (or None)."""
    matches = find_matches(
        entity=entity,
        external_ids=[external_id] if external_id else [],
        inns=[inn] if inn else [],
        phones=phones,
        emails=emails,
    )
    keys = [("external_id", external_id), ("inn", inn)]
    keys += [("phone", p) for p in phones] + [("email", e) for e in emails]
    return matches.first([(k, x) for k, x in keys if x])
