"""Reads of pipelines and deals, always scoped by the acting user.

The deal visibility ladder, stated here in code: a deal is seen by
- OWN scope (sales managers): the deals they own;
- CENTRE scope (centre heads, service advisors): the deals of their centre;
- ALL scope (operators, marketing, executives, administrators): every deal.
It reads the deal's own `owner` and `centre`, the same rule the parties app applies to
persons, so a centre head sees the same customers and the same deals. A deal outside
the ladder is answered exactly like a missing one (Deal.DoesNotExist → 404).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from sputnik.core.models import AuditEntry, User
from sputnik.core.paging import Page, keyset_page
from sputnik.core.roles import Scope
from sputnik.parties.models import Company, Person
from sputnik.parties.selectors import apply_person_query, visible_persons
from sputnik.sales.models import (
    Deal,
    DealLine,
    DealStageChange,
    LostReason,
    Pipeline,
    PipelineStage,
    StageKind,
    TradeIn,
)

# Cards per column on the board's first screen and per "load more": about two screens
# of a column on a laptop; rendering the cards is most of the page's cost.
BOARD_PAGE = 12
# Won and lost columns show what closed in this window (history belongs to the list).
CLOSED_WINDOW_DAYS = 30


def deal_scope(actor: User | None) -> dict[str, Any] | None:
    """The ladder as column equalities on the deal: None sees nothing, {} sees all."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return None
    scope = actor.scope
    if scope == Scope.ALL:
        return {}
    if scope == Scope.CENTRE:
        return {"centre_id": actor.centre_id} if actor.centre_id else None
    return {"owner_id": actor.pk}


def visible_deals(actor: User) -> QuerySet[Deal]:
    rule = deal_scope(actor)
    return Deal.objects.none() if rule is None else Deal.objects.filter(**rule)


# --- configuration ----------------------------------------------------------------------


def pipeline_list() -> list[Pipeline]:
    """Active pipelines with their stages (configuration, the same for every user)."""
    return list(
        Pipeline.objects.filter(is_active=True).prefetch_related(
            Prefetch("stages", queryset=PipelineStage.objects.order_by("position", "id"))
        )
    )


def pipeline_get(*, pipeline_id: int) -> Pipeline:
    return Pipeline.objects.prefetch_related(
        Prefetch("stages", queryset=PipelineStage.objects.order_by("position", "id"))
    ).get(pk=pipeline_id, is_active=True)


def lost_reasons() -> list[LostReason]:
    return list(LostReason.objects.filter(is_active=True))


# --- one deal ---------------------------------------------------------------------------


def deal_get(*, actor: User, deal_id: int) -> Deal:
    """A visible deal, or Deal.DoesNotExist (a 404, exactly like a missing id)."""
    return (
        visible_deals(actor)
        .select_related("pipeline", "stage", "person", "company", "centre", "owner", "lost_reason")
        .get(pk=deal_id)
    )


def deal_card(*, actor: User, deal_id: int) -> Deal:
    """Everything the deal page shows, in a fixed number of queries."""
    return (
        visible_deals(actor)
        .select_related(
            "pipeline",
            "stage",
            "person",
            "company",
            "centre",
            "owner",
            "lost_reason",
            "trade_in",
            "trade_in__asset",
            "trade_in__appraiser",
            "trade_in__new_asset",
        )
        .prefetch_related(
            Prefetch("lines", queryset=DealLine.objects.select_related("product")),
            Prefetch(
                "stage_changes",
                queryset=DealStageChange.objects.select_related(
                    "stage", "from_stage", "actor"
                ).order_by("entered_at", "id"),
            ),
            Prefetch("pipeline__stages", queryset=PipelineStage.objects.order_by("position")),
        )
        .get(pk=deal_id)
    )


def line_get(*, actor: User, deal: Deal, line_id: int) -> DealLine:
    """A line of a deal the caller fetched visibly, or DealLine.DoesNotExist."""
    if not visible_deals(actor).filter(pk=deal.pk).exists():
        raise Deal.DoesNotExist("Deal matching query does not exist.")
    return DealLine.objects.select_related("product").get(pk=line_id, deal=deal)


def deal_stage_history(*, actor: User, deal: Deal) -> list[DealStageChange]:
    if not visible_deals(actor).filter(pk=deal.pk).exists():
        raise Deal.DoesNotExist("Deal matching query does not exist.")
    return list(
        DealStageChange.objects.filter(deal=deal)
        .select_related("stage", "from_stage", "actor")
        .order_by("entered_at", "id")
    )


@dataclass
class StageTime:
    stage: PipelineStage
    seconds: float
    visits: int

    @property
    def display(self) -> str:
        """ "3 d 4 h", "5 h 10 min", "12 min": the two largest units are enough."""
        from django.utils.translation import gettext as _

        minutes = int(self.seconds // 60)
        days, rest = divmod(minutes, 24 * 60)
        hours, mins = divmod(rest, 60)
        if days:
            return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
        if hours:
            return _("%(h)d h %(m)d min") % {"h": hours, "m": mins}
        return _("%(m)d min") % {"m": mins}


def time_in_stages(
    changes: list[DealStageChange], now: dt.datetime | None = None
) -> list[StageTime]:
    """Total time a deal spent in each stage (a stage entered twice adds up), in stage order."""
    now = now or timezone.now()
    totals: dict[int, StageTime] = {}
    for change in changes:
        seconds = ((change.left_at or now) - change.entered_at).total_seconds()
        entry = totals.get(change.stage_id)
        if entry is None:
            totals[change.stage_id] = StageTime(change.stage, max(seconds, 0.0), 1)
        else:
            entry.seconds += max(seconds, 0.0)
            entry.visits += 1
    return sorted(totals.values(), key=lambda t: (t.stage.position, t.stage.pk))


def deal_history(
    *, actor: User, deal: Deal, cursor: str | None = None, size: int = 50
) -> Page[AuditEntry]:
    """The audit trail of a visible deal and its lines and trade-in, newest first."""
    if not visible_deals(actor).filter(pk=deal.pk).exists():
        raise Deal.DoesNotExist("Deal matching query does not exist.")
    line_ids = list(DealLine.objects.filter(deal=deal).values_list("pk", flat=True))
    trade_in_ids = list(TradeIn.objects.filter(deal=deal).values_list("pk", flat=True))
    qs = AuditEntry.objects.filter(
        Q(entity="sales.deal", entity_id=deal.pk)
        | Q(entity="sales.dealline", entity_id__in=line_ids)
        # a deleted line keeps its deal in the "before" snapshot
        | Q(entity="sales.dealline", action=AuditEntry.Action.DELETE, before__deal=deal.pk)
        | Q(entity="sales.tradein", entity_id__in=trade_in_ids)
    ).select_related("actor")
    return keyset_page(qs, order=("-at", "-id"), cursor=cursor, size=size)


# --- board ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardCard:
    """What a board card shows: a plain read model, not a Deal with its person and owner
    (building three model instances per card cost more than the query; profiled)."""

    pk: int
    title: str
    amount: Decimal
    currency: str
    status: str
    rank: float
    expected_close: dt.date | None
    stage_entered_at: dt.datetime
    customer: str
    owner_name: str

    @property
    def days_in_stage(self) -> int:
        return max((timezone.now() - self.stage_entered_at).days, 0)


def _card_of(deal: Deal) -> BoardCard:
    customer = ""
    if deal.person_id is not None and deal.person is not None:
        customer = deal.person.display_name
    elif deal.company_id is not None and deal.company is not None:
        customer = deal.company.name
    return BoardCard(
        pk=deal.pk,
        title=deal.title,
        amount=deal.amount,
        currency=deal.currency,
        status=deal.status,
        rank=deal.rank,
        expected_close=deal.expected_close,
        stage_entered_at=deal.stage_entered_at,
        customer=customer,
        owner_name=deal.owner.display_name if deal.owner is not None else "",
    )


@dataclass
class BoardColumn:
    stage: PipelineStage
    cards: list[BoardCard]
    count: int = 0
    total: Decimal = Decimal(0)
    next_cursor: str | None = None


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[BoardColumn]
    closed_since: dt.datetime
    count: int = 0
    total: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)


def _closed_since(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=CLOSED_WINDOW_DAYS)


def _column_qs(actor: User, stage: PipelineStage, closed_since: dt.datetime) -> QuerySet[Deal]:
    """The cards of one column: a range of the (scope, stage, rank, id) index.

    A closed card's rank is minus its closing time (deal_move sets it, and closed cards
    are not reordered), so "closed in the window" is a bound on the same index.
    """
    qs = visible_deals(actor).filter(stage=stage)
    if stage.is_closed:
        qs = qs.filter(rank__lte=-closed_since.timestamp(), closed_at__gte=closed_since)
    return qs


def _with_card_fields(qs: QuerySet[Deal]) -> QuerySet[Deal]:
    return qs.select_related("person", "company", "owner").only(
        "id",
        "title",
        "amount",
        "currency",
        "probability",
        "expected_close",
        "rank",
        "stage_id",
        "status",
        "stage_entered_at",
        "person__id",
        "person__last_name",
        "person__first_name",
        "person__middle_name",
        "company__id",
        "company__name",
        "owner__id",
        "owner__username",
        "owner__first_name",
        "owner__last_name",
    )


def board_totals(
    *, actor: User, stages: list[PipelineStage], closed_since: dt.datetime | None = None
) -> dict[int, dict[str, Any]]:
    """{stage id: {"n": count, "total": sum of amounts}} of what the actor sees on the
    board: open stages whole, closed stages within the window. One grouped query."""
    closed_since = closed_since or _closed_since()
    open_ids = [s.pk for s in stages if not s.is_closed]
    closed_ids = [s.pk for s in stages if s.is_closed]
    window = Q(stage_id__in=closed_ids, rank__lte=-closed_since.timestamp())
    return {
        row["stage_id"]: dict(row)
        for row in visible_deals(actor)
        .filter(Q(stage_id__in=open_ids) | (window & Q(closed_at__gte=closed_since)))
        .values("stage_id")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by()
    }


def board(*, actor: User, pipeline: Pipeline, per_column: int = BOARD_PAGE) -> Board:
    """The first screen of a pipeline's board: per column the first cards, the count and
    the total of what the actor sees.

    One query for the totals of every column and one for the first cards of all columns
    (one per column on engines without LATERAL): the cost follows the number of stages
    and the page size, not the number of deals.
    """
    closed_since = _closed_since()
    stages = list(pipeline.stages.all())
    totals = board_totals(actor=actor, stages=stages, closed_since=closed_since)
    wanted = [s for s in stages if totals.get(s.pk, {}).get("n")]
    first: dict[int, tuple[list[BoardCard], str | None]] = {}
    if connection.vendor == "postgresql":
        first = _first_cards_lateral(actor, wanted, closed_since, per_column)
    else:
        for stage in wanted:
            page = keyset_page(
                _with_card_fields(_column_qs(actor, stage, closed_since)),
                order=("rank", "id"),
                cursor=None,
                size=per_column,
            )
            first[stage.pk] = ([_card_of(d) for d in page.items], page.next_cursor)
    result = Board(pipeline=pipeline, columns=[], closed_since=closed_since)
    for stage in stages:
        row: dict[str, Any] = totals.get(stage.pk, {})
        cards, next_cursor = first.get(stage.pk, ([], None))
        column = BoardColumn(
            stage=stage,
            cards=cards,
            count=row.get("n", 0),
            total=row.get("total") or Decimal(0),
            next_cursor=next_cursor,
        )
        result.columns.append(column)
        if not stage.is_closed:
            result.count += column.count
            result.total += column.total
            result.weighted += column.total * stage.probability / 100
    result.weighted = result.weighted.quantize(Decimal("0.01"))
    return result


def _column_cursor(rank: float, deal_id: int) -> str:
    """The "load more" cursor after a card: the format keyset_page reads for (rank, id)."""
    from django.core import signing

    from sputnik.core.paging import _SALT, _encode

    return signing.dumps([_encode(rank), deal_id], salt=f"{_SALT}:rank:id", compress=True)


def _first_cards_lateral(
    actor: User, stages: list[PipelineStage], closed_since: dt.datetime, per_column: int
) -> dict[int, tuple[list[BoardCard], str | None]]:
    """The first cards of every column in one statement (PostgreSQL's LATERAL join).

    Hand-written for a measured need: through the ORM the board's seven column queries
    cost more in query compilation and model building than in the database (profiled at
    10,000 open deals: ~8x the raw SQL). Each column is still one range of the
    (scope, stage, rank, id) index: an open column has no upper rank bound, a closed one
    is bounded at the window (see _column_qs). Visibility is `deal_scope`, the same
    ladder as `visible_deals`; the visibility tests run the board on both paths.
    """
    from sputnik.core.models import User as UserModel

    rule = deal_scope(actor)
    if rule is None or not stages:
        return {}
    deal_t, person_t = Deal._meta.db_table, Person._meta.db_table
    company_t, user_t = Company._meta.db_table, UserModel._meta.db_table
    scope_sql = "".join(f" AND d.{column} = %s" for column in rule)  # column names from code
    bound = -closed_since.timestamp()
    sql = (
        "SELECT c.* FROM unnest(%s::bigint[], %s::float8[]) AS s(stage_id, max_rank)"
        " CROSS JOIN LATERAL ("
        " SELECT d.id, d.stage_id, d.title, d.amount, d.currency, d.probability,"
        " d.expected_close, d.rank, d.status, d.stage_entered_at,"
        " d.person_id, p.last_name, p.first_name, p.middle_name,"
        " d.company_id, co.name, d.owner_id, u.username, u.first_name, u.last_name"
        f" FROM {deal_t} d LEFT JOIN {person_t} p ON p.id = d.person_id"
        f" LEFT JOIN {company_t} co ON co.id = d.company_id"
        f" LEFT JOIN {user_t} u ON u.id = d.owner_id"
        f" WHERE d.stage_id = s.stage_id AND d.rank <= s.max_rank{scope_sql}"
        " AND (s.max_rank = 'Infinity'::float8 OR d.closed_at >= %s)"
        " ORDER BY d.rank, d.id LIMIT %s) c"
    )
    params = [
        [s.pk for s in stages],
        [bound if s.is_closed else float("inf") for s in stages],
        *rule.values(),
        closed_since,
        per_column + 1,
    ]
    result: dict[int, tuple[list[BoardCard], str | None]] = {s.pk: ([], None) for s in stages}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        (pk, stage_id, title, amount, currency, _probability, expected_close, rank, status,
         entered, person_id, last, first, middle, company_id, company_name, owner_id,
         username, owner_first, owner_last) = row  # fmt: skip
        cards, _cursor = result[stage_id]
        if len(cards) == per_column:
            last_card = cards[-1]
            result[stage_id] = (cards, _column_cursor(last_card.rank, last_card.pk))
            continue
        customer = " ".join(x for x in (last, first, middle) if x) if person_id else ""
        if not customer and company_id:
            customer = company_name or ""
        owner_name = " ".join(x for x in (owner_first, owner_last) if x) or (username or "")
        deal = BoardCard(
            pk=pk,
            title=title,
            amount=amount,
            currency=currency,
            status=status,
            rank=rank,
            expected_close=expected_close,
            stage_entered_at=entered,
            customer=customer,
            owner_name=owner_name if owner_id else "",
        )
        cards.append(deal)
    return result


@dataclass
class CardPage:
    items: list[BoardCard]
    next_cursor: str | None


def board_column_page(
    *, actor: User, stage: PipelineStage, cursor: str | None, size: int = BOARD_PAGE
) -> CardPage:
    """The next cards of one column ("load more"), by keyset on (rank, id)."""
    page = keyset_page(
        _with_card_fields(_column_qs(actor, stage, _closed_since())),
        order=("rank", "id"),
        cursor=cursor,
        size=size,
    )
    return CardPage(items=[_card_of(d) for d in page.items], next_cursor=page.next_cursor)


# --- list -------------------------------------------------------------------------------


@dataclass
class DealFilters:
    pipeline_id: int | None = None
    stage_id: int | None = None
    status: str = ""
    centre_id: int | None = None
    owner_id: int | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    q: str = ""
    person_id: int | None = None
    company_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: Any, actor: User | None = None) -> DealFilters:
        """Filters from a query dict; what is not a valid value is ignored."""

        def as_int(name: str) -> int | None:
            raw = str(params.get(name) or "").strip()
            if raw == "me" and actor is not None:
                return actor.pk
            return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 19 else None

        def as_date(name: str) -> dt.date | None:
            raw = str(params.get(name) or "").strip()
            try:
                value = dt.date.fromisoformat(raw) if raw else None
            except ValueError:
                return None
            return value if value and 1900 <= value.year <= 2100 else None

        def as_amount(name: str) -> Decimal | None:
            raw = str(params.get(name) or "").strip().replace(" ", "").replace(",", ".")
            if not raw or len(raw) > 20:
                return None
            try:
                value = Decimal(raw)
            except ArithmeticError:
                return None
            return value if value.is_finite() and 0 <= value < Decimal("1e12") else None

        status = str(params.get("status") or "")
        return cls(
            pipeline_id=as_int("pipeline"),
            stage_id=as_int("stage"),
            status=status if status in StageKind.values else "",
            centre_id=as_int("centre"),
            owner_id=as_int("owner"),
            created_from=as_date("created_from"),
            created_to=as_date("created_to"),
            amount_min=as_amount("amount_min"),
            amount_max=as_amount("amount_max"),
            q=str(params.get("q") or "").replace("\x00", "").strip()[:200],
            person_id=as_int("person"),
            company_id=as_int("company"),
        )


def filtered_deals(*, actor: User, filters: DealFilters) -> QuerySet[Deal]:
    qs = visible_deals(actor)
    if filters.pipeline_id:
        qs = qs.filter(pipeline_id=filters.pipeline_id)
    if filters.stage_id:
        qs = qs.filter(stage_id=filters.stage_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.centre_id:
        qs = qs.filter(centre_id=filters.centre_id)
    if filters.owner_id:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.person_id:
        qs = qs.filter(person_id=filters.person_id)
    if filters.company_id:
        qs = qs.filter(company_id=filters.company_id)
    tz = timezone.get_current_timezone()
    if filters.created_from:
        start = dt.datetime.combine(filters.created_from, dt.time.min, tzinfo=tz)
        qs = qs.filter(created_at__gte=start)
    if filters.created_to:
        end = dt.datetime.combine(filters.created_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(created_at__lt=end)
    if filters.amount_min is not None:
        qs = qs.filter(amount__gte=filters.amount_min)
    if filters.amount_max is not None:
        qs = qs.filter(amount__lte=filters.amount_max)
    if filters.q:
        # By the customer's name (or phone, or e-mail): the persons the actor may see that
        # match, through the parties' own search (trigram-indexed); a hidden person never
        # matches.
        persons = apply_person_query(visible_persons(actor), filters.q).values("pk")
        qs = qs.filter(person_id__in=persons)
    return qs


def deal_list(
    *, actor: User, filters: DealFilters, cursor: str | None = None, size: int = 50
) -> Page[Deal]:
    qs = filtered_deals(actor=actor, filters=filters).select_related(
        "pipeline", "stage", "person", "company", "centre", "owner"
    )
    return keyset_page(qs, order=("-created_at", "-id"), cursor=cursor, size=min(max(size, 1), 200))


def deal_count_estimate(*, actor: User, filters: DealFilters) -> int | None:
    """Exact up to 10,000, None beyond (shown as "10,000+"): no COUNT over a million rows."""
    n = filtered_deals(actor=actor, filters=filters).values("pk")[:10001].count()
    return None if n > 10000 else n


def person_deals(*, actor: User, person: Person, limit: int = 20) -> list[Deal]:
    """The deals of a person the caller fetched visibly, that the actor may also see."""
    if not visible_persons(actor).filter(pk=person.pk).exists():
        raise Person.DoesNotExist("Person matching query does not exist.")
    return list(
        visible_deals(actor)
        .filter(person=person)
        .select_related("pipeline", "stage", "owner", "centre", "person", "company")
        .order_by("-created_at", "-id")[:limit]
    )


def company_deals(*, actor: User, company: Company, limit: int = 20) -> list[Deal]:
    """The deals of a company the caller fetched visibly, that the actor may also see by
    the deal ladder (own → centre → all), newest first, in one query. A company the
    actor does not see is Company.DoesNotExist, like a missing one."""
    if not Company.objects.visible_to(actor).filter(pk=company.pk).exists():
        raise Company.DoesNotExist("Company matching query does not exist.")
    return list(
        visible_deals(actor)
        .filter(company=company)
        .select_related("stage", "owner")
        .order_by("-created_at", "-id")[:limit]
    )
