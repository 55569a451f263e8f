"""Reads of persons and companies, always scoped by the acting user."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, F, Func, OuterRef, Prefetch, Q, QuerySet

from sputnik.core.custom_fields import custom_filter
from sputnik.core.models import AuditEntry, Centre, User
from sputnik.core.normalize import search_key, try_normalize_email, try_normalize_phone
from sputnik.core.paging import Page, keyset_page
from sputnik.parties.models import (
    Company,
    CompanyRole,
    Consent,
    ContactPoint,
    Escalation,
    Person,
    Relation,
    Source,
    Stage,
    scope_filter,
)

PERSON_SORTS: dict[str, tuple[str, str]] = {
    "name": ("search_name", "id"),
    "-name": ("-search_name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
}


@dataclass
class PersonFilters:
    q: str = ""
    stage: str = ""
    centre_id: int | None = None
    owner_id: int | None = None
    tag: str = ""
    interest: str = ""
    source: str = ""
    custom: dict[str, str] = field(default_factory=dict)
    # Only leads with an open escalation (raised to their centre's head, not yet resolved).
    escalated: bool = False

    @classmethod
    def from_params(cls, params: Any, actor: User | None = None) -> PersonFilters:
        """Build filters from a query dict, ignoring what is not a known value."""

        def as_int(name: str) -> int | None:
            raw = str(params.get(name) or "").strip()
            if raw == "me" and actor is not None:
                return actor.pk
            # isdigit() alone admits "²", which int() refuses: ASCII digits only.
            return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None

        stage = str(params.get("stage") or "")
        source = str(params.get("source") or "")
        custom = {
            key[3:]: str(value)
            for key, value in params.items()
            if key.startswith("cf_") and str(value).strip() and len(key) < 60
        }
        return cls(
            q=str(params.get("q") or "").strip()[:200],
            stage=stage if stage in Stage.values else "",
            centre_id=as_int("centre"),
            owner_id=as_int("owner"),
            tag=str(params.get("tag") or "").strip()[:50],
            interest=str(params.get("interest") or "").strip()[:50],
            source=source if source in Source.values else "",
            custom=custom,
            escalated=str(params.get("escalated") or "").strip().lower() in ("1", "on", "true"),
        )


def visible_persons(actor: User) -> QuerySet[Person]:
    return Person.objects.visible_to(actor)


def visible_companies(actor: User) -> QuerySet[Company]:
    return Company.objects.visible_to(actor)


def _contact_match(kind: str, value: str, owner: str = "person_id") -> QuerySet[ContactPoint]:
    return ContactPoint.objects.filter(kind=kind, value=value).values(owner)


def _name_match(qs: QuerySet[Any], text: str) -> QuerySet[Any]:
    """Every word of the query appears in the folded name.

    On PostgreSQL `LIKE '%word%'` on the folded name uses the trigram index; lists with
    a search also sort by an unindexable expression (see `_sorted_for_search`) so the
    planner cannot fall into the ORDER BY … LIMIT trap of walking the sort index.
    """
    words = [w for w in search_key(text).split() if w][:5]
    for w in words:
        qs = qs.filter(search_name__contains=w)
    return qs


def _sorted_for_search(
    qs: QuerySet[Any], order: tuple[str, str]
) -> tuple[QuerySet[Any], tuple[str, str]]:
    """Sort search results by COALESCE(key), which no index can supply.

    With the bare key, PostgreSQL may walk the (key, id) index and filter row by row
    (PERFORMANCE.md: 3 s at p99 for a rare prefix; 1.1 s for 'иван' at 1M persons).
    Fencing the match in an `OFFSET 0` subquery avoided that but visited every match
    twice (bitmap heap scan, then a primary-key lookup each: 250 ms for 12,656 matches).
    With an unindexable sort key the planner takes the trigram bitmap scan once and
    keeps the top 51 in a heap sort.
    """
    if connection.vendor != "postgresql":
        return qs, order
    field, tie = order
    name = field.lstrip("-")
    model_field = qs.model._meta.get_field(name)
    qs = qs.annotate(search_sort=Func(F(name), function="COALESCE", output_field=model_field))
    return qs, (("-" if field.startswith("-") else "") + "search_sort", tie)


def _no_nul(text: str) -> str:
    """PostgreSQL refuses NUL in text parameters (DataError, a 500); it never matches anyway."""
    return str(text or "").replace("\x00", "")


def apply_person_query(qs: QuerySet[Person], q: str) -> QuerySet[Person]:
    """Search by any spelling of a phone, by e-mail, or by name."""
    q = _no_nul(q).strip()
    if not q:
        return qs
    if "@" in q:
        email = try_normalize_email(q)
        if email is None:
            return qs.none()
        return qs.filter(pk__in=_contact_match(ContactPoint.Kind.EMAIL, email))
    digits = sum(c.isdigit() for c in q)
    if digits >= 7 and digits >= len(q.replace(" ", "")) * 0.6:
        phone = try_normalize_phone(q)
        if phone is None:
            return qs.none()
        return qs.filter(pk__in=_contact_match(ContactPoint.Kind.PHONE, phone))
    return _name_match(qs, q)


def filtered_persons(*, actor: User, filters: PersonFilters) -> QuerySet[Person]:
    """Visible persons matching every filter; the list and its count share it."""
    qs = visible_persons(actor)
    qs = apply_person_query(qs, filters.q)
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.centre_id:
        qs = qs.filter(centre_id=filters.centre_id)
    if filters.owner_id:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.tag:
        qs = qs.filter(
            pk__in=Person.tags.through.objects.filter(tag__name=_no_nul(filters.tag)).values(
                "person_id"
            )
        )
    if filters.interest:
        qs = qs.filter(
            pk__in=Person.interests.through.objects.filter(
                interest__slug=_no_nul(filters.interest)
            ).values("person_id")
        )
    for key, value in filters.custom.items():
        qs = qs.filter(custom_filter("person", key, value))
    if filters.escalated:
        # Served by the partial index escalation_open_person (person, open only).
        qs = qs.filter(
            Exists(Escalation.objects.filter(person=OuterRef("pk"), resolved_at__isnull=True))
        )
    return qs


def person_list(
    *,
    actor: User,
    filters: PersonFilters,
    sort: str = "name",
    cursor: str | None = None,
    size: int = 50,
) -> Page[Person]:
    qs = filtered_persons(actor=actor, filters=filters)
    # Centre and owner are prefetched for the page's rows, not joined: a join happens
    # before the top-N sort and widens every matched row (124 → 47 ms for 12,656 matches).
    qs = qs.prefetch_related(
        "centre",
        "owner",
        Prefetch(
            "contacts",
            queryset=ContactPoint.objects.filter(
                kind__in=[ContactPoint.Kind.PHONE, ContactPoint.Kind.EMAIL]
            ).order_by("-is_primary", "id"),
        ),
    )
    order = PERSON_SORTS.get(sort, PERSON_SORTS["name"])
    if filters.q:
        qs, order = _sorted_for_search(qs, order)
    return keyset_page(qs, order=order, cursor=cursor, size=min(max(size, 1), 200))


def person_get(*, actor: User, person_id: int) -> Person:
    """A visible person, or Person.DoesNotExist (shown as 404, exactly like a missing id)."""
    return visible_persons(actor).select_related("centre", "owner").get(pk=person_id)


def person_card(*, actor: User, person_id: int) -> Person:
    """Everything the 360° card shows, in a fixed number of queries."""
    return (
        visible_persons(actor)
        .select_related("centre", "owner", "employer")
        .prefetch_related(
            Prefetch(
                "contacts", queryset=ContactPoint.objects.order_by("kind", "-is_primary", "id")
            ),
            "addresses",
            "interests",
            "tags",
            "important_dates",
            Prefetch("assets", queryset=_assets()),
            Prefetch("company_roles", queryset=CompanyRole.objects.select_related("company")),
            Prefetch("relations_from", queryset=Relation.objects.select_related("other")),
            Prefetch("relations_to", queryset=Relation.objects.select_related("person")),
            "stage_changes",
        )
        .get(pk=person_id)
    )


def _assets() -> QuerySet[Any]:
    from sputnik.parties.models import Asset

    return Asset.objects.order_by("disposed_at", "-purchase_date", "id")


@dataclass(frozen=True)
class LookupContact:
    kind: str
    value: str
    label: str
    is_primary: bool


@dataclass(frozen=True)
class LookupHit:
    """What a phone or e-mail lookup answers: the caller's summary and contacts."""

    pk: int
    last_name: str
    first_name: str
    middle_name: str
    stage: str
    is_vip: bool
    created_at: Any
    updated_at: Any
    centre_id: int
    centre_name: str
    owner_id: int | None
    owner_username: str
    owner_full_name: str
    contacts: tuple[LookupContact, ...] = ()

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


def _db_value(value: Any, field: Any) -> Any:
    for convert in connection.ops.get_db_converters(field):
        value = convert(value, field, connection)
    return value


def person_lookup(*, actor: User, phone: str = "", email: str = "") -> list[LookupHit]:
    """Persons the actor may see whose phone or e-mail matches (any spelling), at most 20.

    Hand-written SQL, for a measured need: the call centre pops the caller's card on
    every ring, and through the ORM the lookup cost ~5 ms p50 / ~10 ms p99 at 1M persons,
    of which the SQL was 1.6 ms — the rest was query compilation and the prefetch
    machinery (profiled; target p99 <= 5 ms). Visibility comes from `scope_filter`, the
    same rule `Person.objects.visible_to` applies, and the visibility matrix tests both.
    """
    if phone:
        kind, value = ContactPoint.Kind.PHONE, try_normalize_phone(phone)
    elif email:
        kind, value = ContactPoint.Kind.EMAIL, try_normalize_email(email)
    else:
        return []
    rule = scope_filter(actor)
    if value is None or rule is None:
        return []
    person_t, contact_t = Person._meta.db_table, ContactPoint._meta.db_table
    centre_t, user_t = Centre._meta.db_table, User._meta.db_table
    scope_sql = "".join(f" AND p.{column} = %s" for column in rule)  # column names from code
    sql = (
        "SELECT p.id, p.last_name, p.first_name, p.middle_name, p.stage, p.is_vip,"
        " p.created_at, p.updated_at, p.centre_id, c.name, p.owner_id,"
        " u.username, u.first_name, u.last_name"
        f" FROM {person_t} p JOIN {centre_t} c ON c.id = p.centre_id"
        f" LEFT JOIN {user_t} u ON u.id = p.owner_id"
        f" WHERE p.id IN (SELECT person_id FROM {contact_t} WHERE kind = %s AND value = %s)"
        f"{scope_sql} ORDER BY p.id LIMIT 20"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, value, *rule.values()])
        rows = cursor.fetchall()
        if not rows:
            return []
        ids = [r[0] for r in rows]
        cursor.execute(
            f"SELECT person_id, kind, value, label, is_primary FROM {contact_t}"
            f" WHERE person_id IN ({', '.join(['%s'] * len(ids))}) ORDER BY id",
            ids,
        )
        contacts: dict[int, list[LookupContact]] = {}
        for person_id, *fields in cursor.fetchall():
            contacts.setdefault(person_id, []).append(
                LookupContact(fields[0], fields[1], fields[2], bool(fields[3]))
            )
    datetime_field = Person._meta.get_field("created_at").get_col("p")
    hits = []
    for row in rows:
        # SQLite hands datetimes back as text; the backend's own converters apply.
        created, updated = (_db_value(v, datetime_field) for v in (row[6], row[7]))
        hits.append(
            LookupHit(
                pk=row[0],
                last_name=row[1],
                first_name=row[2],
                middle_name=row[3],
                stage=row[4],
                is_vip=bool(row[5]),
                created_at=created,
                updated_at=updated,
                centre_id=row[8],
                centre_name=row[9],
                owner_id=row[10],
                owner_username=row[11] or "",
                owner_full_name=" ".join(x for x in (row[12], row[13]) if x) or (row[11] or ""),
                contacts=tuple(contacts.get(row[0], ())),
            )
        )
    return hits


def person_history(
    *, actor: User, person: Person, cursor: str | None = None, size: int = 50
) -> Page[AuditEntry]:
    """The audit trail of a person the actor sees, or Person.DoesNotExist."""
    if not visible_persons(actor).filter(pk=person.pk).exists():
        raise Person.DoesNotExist("Person matching query does not exist.")
    qs = AuditEntry.objects.filter(subject_person_id=person.pk).select_related("actor")
    return keyset_page(qs, order=("-at", "-id"), cursor=cursor, size=size)


def company_history(
    *, actor: User, company: Company, cursor: str | None = None, size: int = 50
) -> Page[AuditEntry]:
    """The audit trail of a company the actor sees, or Company.DoesNotExist."""
    if not visible_companies(actor).filter(pk=company.pk).exists():
        raise Company.DoesNotExist("Company matching query does not exist.")
    qs = AuditEntry.objects.filter(subject_company_id=company.pk).select_related("actor")
    return keyset_page(qs, order=("-at", "-id"), cursor=cursor, size=size)


def relations_of(person: Person) -> list[tuple[str, Relation, Person]]:
    """Both directions of a prefetched person's relations as (label, relation, other)."""
    from django.utils.translation import gettext as _

    rows: list[tuple[str, Relation, Person]] = []
    for rel in person.relations_from.all():
        rows.append((rel.get_kind_display(), rel, rel.other))
    for rel in person.relations_to.all():
        label = _("Referred") if rel.kind == Relation.Kind.REFERRED_BY else rel.get_kind_display()
        rows.append((str(label), rel, rel.person))
    return rows


COMPANY_SORTS: dict[str, tuple[str, str]] = {
    "name": ("search_name", "id"),
    "-name": ("-search_name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
}


def filtered_companies(
    *, actor: User, q: str = "", centre_id: int | None = None
) -> QuerySet[Company]:
    """Visible companies matching the search and centre; the list and its export share it."""
    qs = visible_companies(actor)
    q = _no_nul(q).strip()[:200]
    if q:
        if "@" in q:
            email = try_normalize_email(q)
            qs = (
                qs.none()
                if email is None
                else qs.filter(pk__in=_contact_match(ContactPoint.Kind.EMAIL, email, "company_id"))
            )
        elif q.replace(" ", "").isdigit() and len(q.replace(" ", "")) in (10, 12):
            qs = qs.filter(
                Q(inn=q.replace(" ", ""))
                | Q(
                    pk__in=_contact_match(
                        ContactPoint.Kind.PHONE, try_normalize_phone(q) or "-", "company_id"
                    )
                )
            )
        elif (phone := try_normalize_phone(q)) is not None:
            qs = qs.filter(pk__in=_contact_match(ContactPoint.Kind.PHONE, phone, "company_id"))
        else:
            qs = _name_match(qs, q)
    if centre_id:
        qs = qs.filter(centre_id=centre_id)
    return qs


def company_list(
    *,
    actor: User,
    q: str = "",
    centre_id: int | None = None,
    sort: str = "name",
    cursor: str | None = None,
    size: int = 50,
) -> Page[Company]:
    q = _no_nul(q).strip()[:200]
    qs = filtered_companies(actor=actor, q=q, centre_id=centre_id)
    qs = qs.select_related("centre", "owner").prefetch_related("contacts")
    order = COMPANY_SORTS.get(sort, COMPANY_SORTS["name"])
    if q:
        qs, order = _sorted_for_search(qs, order)
    return keyset_page(qs, order=order, cursor=cursor, size=min(max(size, 1), 200))


def company_get(*, actor: User, company_id: int) -> Company:
    return visible_companies(actor).select_related("centre", "owner").get(pk=company_id)


def company_card(*, actor: User, company_id: int) -> Company:
    return (
        visible_companies(actor)
        .select_related("centre", "owner")
        .prefetch_related(
            "contacts",
            "addresses",
            Prefetch("person_roles", queryset=CompanyRole.objects.select_related("person")),
        )
        .get(pk=company_id)
    )


def person_count_estimate(*, actor: User, filters: PersonFilters) -> int | None:
    """A capped count for list headers: exact up to 10,000, None beyond (shown as "10,000+")."""
    qs = filtered_persons(actor=actor, filters=filters)
    n = qs.values("pk")[:10001].count()
    return None if n > 10000 else n


def person_relations(*, actor: User, person: Person) -> list[tuple[str, Relation, Person]]:
    """Both directions of a visible person's relations, leaving out persons the actor
    may not see (a relation must not reveal a hidden record's name)."""
    from django.utils.translation import gettext as _

    visible = visible_persons(actor).values("pk")
    rows: list[tuple[str, Relation, Person]] = []
    for rel in (
        Relation.objects.filter(person=person, other__in=visible)
        .select_related("other")
        .order_by("id")
    ):
        rows.append((rel.get_kind_display(), rel, rel.other))
    for rel in (
        Relation.objects.filter(other=person, person__in=visible)
        .select_related("person")
        .order_by("id")
    ):
        label = _("Referred") if rel.kind == Relation.Kind.REFERRED_BY else rel.get_kind_display()
        rows.append((str(label), rel, rel.person))
    return rows


def relation_get(*, actor: User, relation_id: int) -> Relation:
    """A relation whose both persons the actor sees, or Relation.DoesNotExist."""
    visible = visible_persons(actor).values("pk")
    return (
        Relation.objects.filter(person__in=visible, other__in=visible)
        .select_related("person", "other")
        .get(pk=relation_id)
    )


def person_assets(*, actor: User, person: Person) -> list[Any]:
    """The assets of a person the caller fetched through a visible selector."""
    return list(_assets().filter(person=person))


def asset_get(*, actor: User, asset_id: int) -> Any:
    """An asset of a visible person, or Asset.DoesNotExist."""
    return (
        _assets()
        .filter(person__in=visible_persons(actor).values("pk"))
        .select_related("person")
        .get(pk=asset_id)
    )


def person_company_roles(*, actor: User, person: Person) -> list[CompanyRole]:
    """A visible person's roles at companies the actor sees (a hidden company's name is
    another centre's data, so its roles are left out)."""
    return list(
        CompanyRole.objects.filter(person=person, company__in=visible_companies(actor).values("pk"))
        .select_related("company")
        .order_by("id")
    )


def company_role_get(*, actor: User, company_role_id: int) -> CompanyRole:
    """A role whose person and company the actor both sees, or CompanyRole.DoesNotExist."""
    return (
        CompanyRole.objects.filter(
            person__in=visible_persons(actor).values("pk"),
            company__in=visible_companies(actor).values("pk"),
        )
        .select_related("person", "company")
        .get(pk=company_role_id)
    )


def may_contact(*, person_id: int, channel: str, purpose: str, at: Any = None) -> bool:
    """May we contact this person on this channel for this purpose at `at` (default now)?

    The one answer every sending feature asks, again at the moment of sending: a grant
    for the purpose on this channel (or on any channel) that was given by then, is not
    withdrawn by then and has not expired. No grant, no message.
    """
    from django.utils import timezone

    when = at or timezone.now()
    return (
        Consent.objects.filter(
            person_id=person_id,
            purpose=purpose,
            channel__in=[channel, Consent.Channel.ANY],
            given_at__lte=when,
        )
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=when))
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=when))
        .exists()
    )


def person_consents(*, actor: User, person: Person) -> list[Consent]:
    """Every grant of a person the caller fetched visibly, newest first (history included)."""
    if not visible_persons(actor).filter(pk=person.pk).exists():
        raise Person.DoesNotExist("Person matching query does not exist.")
    return list(
        Consent.objects.filter(person=person)
        .select_related("recorded_by")
        .order_by("-given_at", "-id")
    )
