"""Sales analytics (S6): funnel, forecast, win rate, deal size, cycle, time in stage,
leaderboards — every number computed over the deals the acting user may see.

Each report starts from `sales.selectors.visible_deals(actor)` (the deal ladder: own →
centre → all) narrowed by the filters, so a centre head's funnel counts their centre's
deals and an executive's counts all. The aggregations run in the database: a year of a
million-deal network is grouped there, never loaded into Python, and each of the funnel,
forecast and closed-deal reports reads one covering index of the deal table (see
`Deal.Meta.indexes`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from sputnik.core.models import Centre, User
from sputnik.parties.models import Person
from sputnik.sales.models import (
    Deal,
    DealLine,
    DealStageChange,
    Pipeline,
    PipelineStage,
    StageKind,
)
from sputnik.sales.selectors.deals import deal_scope, visible_deals

MONEY = DecimalField(max_digits=18, decimal_places=2)
LEADERBOARD_SIZE = 20


@dataclass(frozen=True)
class SalesFilters:
    """What every report is narrowed by. The period is inclusive on both ends."""

    date_from: dt.date
    date_to: dt.date
    pipeline_id: int | None = None
    centre_id: int | None = None
    owner_id: int | None = None
    product_id: int | None = None
    tag_id: int | None = None
    interest_id: int | None = None
    region: str = ""

    @classmethod
    def from_params(cls, params: Any, *, today: dt.date | None = None) -> SalesFilters:
        """Filters from a query dict; a value that does not parse is ignored, a reversed
        period is put the right way round, and the period is capped at five years."""
        today = today or timezone.localdate()

        def as_int(name: str) -> int | None:
            raw = str(params.get(name) or "").strip()
            return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 19 else None

        def as_date(name: str) -> dt.date | None:
            raw = str(params.get(name) or "").strip()
            try:
                value = dt.date.fromisoformat(raw) if raw else None
            except ValueError:
                return None
            return value if value and 1990 <= value.year <= 2100 else None

        date_from = as_date("from") or today.replace(month=1, day=1)
        date_to = as_date("to") or today.replace(month=12, day=31)
        if date_to < date_from:
            date_from, date_to = date_to, date_from
        if (date_to - date_from).days > 5 * 366:
            date_from = date_to - dt.timedelta(days=5 * 366)
        return cls(
            date_from=date_from,
            date_to=date_to,
            pipeline_id=as_int("pipeline"),
            centre_id=as_int("centre"),
            owner_id=as_int("owner"),
            product_id=as_int("product"),
            tag_id=as_int("tag"),
            interest_id=as_int("interest"),
            region=str(params.get("region") or "").replace("\x00", "").strip()[:100],
        )

    def as_params(self) -> dict[str, str]:
        """The query string that reproduces these filters (links, CSV exports)."""
        params = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        for name in ("pipeline", "centre", "owner", "product", "tag", "interest"):
            value = getattr(self, f"{name}_id")
            if value:
                params[name] = str(value)
        if self.region:
            params["region"] = self.region
        return params

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(
            self.date_from, dt.time.min, tzinfo=timezone.get_current_timezone()
        )

    @property
    def end(self) -> dt.datetime:
        """The first moment after the period."""
        return dt.datetime.combine(
            self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone()
        )


def scoped_deals(*, actor: User, filters: SalesFilters) -> QuerySet[Deal]:
    """The visible deals narrowed by every filter except the period (each report applies
    the period to its own date: created, closed or expected close)."""
    qs = visible_deals(actor)
    if filters.pipeline_id:
        qs = qs.filter(pipeline_id=filters.pipeline_id)
    if filters.centre_id:
        qs = qs.filter(centre_id=filters.centre_id)
    if filters.owner_id:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.region:
        qs = qs.filter(centre__region=filters.region)
    if filters.product_id:
        qs = qs.filter(
            Exists(DealLine.objects.filter(deal_id=OuterRef("pk"), product_id=filters.product_id))
        )
    if filters.tag_id:
        tagged = Person.tags.through.objects.filter(tag_id=filters.tag_id).values("person_id")
        qs = qs.filter(person_id__in=tagged)
    if filters.interest_id:
        interested = Person.interests.through.objects.filter(
            interest_id=filters.interest_id
        ).values("person_id")
        qs = qs.filter(person_id__in=interested)
    return qs


def report_pipeline(filters: SalesFilters) -> Pipeline | None:
    """The pipeline the funnel and time in stage describe: the chosen one or the first."""
    pipelines = Pipeline.objects.filter(is_active=True)
    if filters.pipeline_id:
        return Pipeline.objects.filter(pk=filters.pipeline_id).first()
    return pipelines.first()


# --- funnel -----------------------------------------------------------------------------


@dataclass
class FunnelStep:
    stage: PipelineStage
    reached: int
    conversion: float | None  # share of the previous step's deals that got this far

    @property
    def conversion_pct(self) -> float | None:
        return None if self.conversion is None else self.conversion * 100


def funnel(*, actor: User, filters: SalesFilters) -> list[FunnelStep]:
    """How many of the deals created in the period reached each stage of the pipeline.

    "Reached" is the furthest open or won stage a deal ever entered (`furthest_position`,
    kept by the deal services from its stage history), so a deal lost at the third stage
    counts for the first three, and a deal that skipped a stage counts for the skipped
    one too. Lost stages are not steps of the funnel.
    """
    pipeline = report_pipeline(filters)
    if pipeline is None:
        return []
    steps = [s for s in pipeline.stages.all() if s.kind != StageKind.LOST]
    rows = (
        scoped_deals(actor=actor, filters=filters)
        .filter(pipeline_id=pipeline.pk, created_at__gte=filters.start, created_at__lt=filters.end)
        .values("furthest_position")
        .annotate(n=Count("*"))
        .order_by()
    )
    furthest = {row["furthest_position"]: row["n"] for row in rows}
    result: list[FunnelStep] = []
    previous: int | None = None
    for step in steps:
        reached = sum(n for position, n in furthest.items() if position >= step.position)
        conversion = reached / previous if previous else None
        result.append(FunnelStep(stage=step, reached=reached, conversion=conversion))
        previous = reached
    return result


# --- forecast ---------------------------------------------------------------------------


@dataclass
class ForecastMonth:
    month: dt.date
    weighted: Decimal = Decimal(0)  # open deals expected to close this month × probability
    pipeline: Decimal = Decimal(0)  # their full amounts
    won: Decimal = Decimal(0)  # what actually closed as won this month
    open_deals: int = 0


def _months(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    months, month = [], date_from.replace(day=1)
    while month <= date_to:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def forecast(*, actor: User, filters: SalesFilters) -> list[ForecastMonth]:
    """Per month of the period: the probability-weighted amount of open deals expected to
    close then, beside what was actually won."""
    deals = scoped_deals(actor=actor, filters=filters)
    by_month = {m: ForecastMonth(month=m) for m in _months(filters.date_from, filters.date_to)}
    expected = (
        deals.filter(
            status=StageKind.OPEN,
            expected_close__gte=filters.date_from,
            expected_close__lte=filters.date_to,
        )
        .annotate(month=TruncMonth("expected_close"))
        .values("month")
        .annotate(
            weighted=Sum(
                ExpressionWrapper(F("amount") * F("probability") / 100, output_field=MONEY)
            ),
            total=Sum("amount"),
            n=Count("*"),
        )
        .order_by()
    )
    for row in expected:
        month = by_month.get(_as_date(row["month"]).replace(day=1))
        if month is not None:
            month.weighted = Decimal(row["weighted"] or 0).quantize(Decimal("0.01"))
            month.pipeline = Decimal(row["total"] or 0)
            month.open_deals = row["n"]
    won_rows = (
        deals.filter(status=StageKind.WON, closed_at__gte=filters.start, closed_at__lt=filters.end)
        .annotate(month=TruncMonth("closed_at"))
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for won in won_rows:
        month = by_month.get(_as_date(won["month"]).replace(day=1))
        if month is not None:
            month.won = Decimal(won["total"] or 0)
    return list(by_month.values())


# --- outcomes: win rate, deal size, cycle -----------------------------------------------


@dataclass
class Outcomes:
    won: int = 0
    lost: int = 0
    won_amount: Decimal = Decimal(0)
    average_won: Decimal | None = None
    cycle_days: float | None = None  # average days from creation to winning

    @property
    def closed(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> float | None:
        return self.won / self.closed if self.closed else None


_CYCLE = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())


def _outcome_aggregates() -> dict[str, Any]:
    won = Q(status=StageKind.WON)
    return {
        "won": Count("status", filter=won),
        "lost": Count("status", filter=Q(status=StageKind.LOST)),
        "won_amount": Sum("amount", filter=won),
        "average_won": Avg("amount", filter=won),
        "cycle": Avg(_CYCLE, filter=won),
    }


def _outcomes_from(row: dict[str, Any]) -> Outcomes:
    cycle = row.get("cycle")
    return Outcomes(
        won=row["won"] or 0,
        lost=row["lost"] or 0,
        won_amount=Decimal(row["won_amount"] or 0),
        average_won=None
        if row["average_won"] is None
        else Decimal(row["average_won"]).quantize(Decimal("0.01")),
        cycle_days=None if cycle is None else round(cycle.total_seconds() / 86400, 1),
    )


def _closed_in_period(actor: User, filters: SalesFilters) -> QuerySet[Deal]:
    return scoped_deals(actor=actor, filters=filters).filter(
        status__in=(StageKind.WON, StageKind.LOST),
        closed_at__gte=filters.start,
        closed_at__lt=filters.end,
    )


def outcomes(*, actor: User, filters: SalesFilters) -> Outcomes:
    """Win rate, average won deal and sales cycle over the deals closed in the period."""
    row = _closed_in_period(actor, filters).aggregate(**_outcome_aggregates())
    return _outcomes_from(row)


# --- time in stage ----------------------------------------------------------------------


@dataclass
class StageDwell:
    stage: PipelineStage
    stays: int
    average_days: float | None


def _narrows_deals(actor: User, filters: SalesFilters) -> bool:
    """Whether the actor's visible deals under these filters are fewer than all deals of
    the report's pipeline."""
    return deal_scope(actor) != {} or any(
        (
            filters.centre_id,
            filters.owner_id,
            filters.region,
            filters.product_id,
            filters.tag_id,
            filters.interest_id,
        )
    )


def time_in_stage(*, actor: User, filters: SalesFilters) -> list[StageDwell]:
    """Average days a deal stayed in each stage, over the stays that ended in the period."""
    pipeline = report_pipeline(filters)
    if pipeline is None:
        return []
    stages = list(pipeline.stages.all())
    stays = DealStageChange.objects.filter(
        stage_id__in=[s.pk for s in stages],
        left_at__gte=filters.start,
        left_at__lt=filters.end,
    )
    if _narrows_deals(actor, filters):
        # Only then is the deal table read: for a user who sees all deals with no filter
        # beyond period and pipeline, the stages already name the pipeline, and the stays
        # come from the `deal_stay_ended` index alone (a semi-join over a million deals
        # cost 3 s there).
        deals = scoped_deals(actor=actor, filters=filters).filter(pipeline_id=pipeline.pk)
        stays = stays.filter(deal_id__in=deals.values("pk"))
    rows = (
        stays.values("stage_id")
        .annotate(
            stays=Count("*"),
            dwell=Avg(
                ExpressionWrapper(F("left_at") - F("entered_at"), output_field=DurationField())
            ),
        )
        .order_by()
    )
    by_stage = {r["stage_id"]: r for r in rows}
    result = []
    for stage in stages:
        if stage.kind != StageKind.OPEN:
            continue
        row = by_stage.get(stage.pk)
        dwell = row["dwell"] if row else None
        result.append(
            StageDwell(
                stage=stage,
                stays=row["stays"] if row else 0,
                average_days=None if dwell is None else round(dwell.total_seconds() / 86400, 1),
            )
        )
    return result


# --- leaderboards -----------------------------------------------------------------------


@dataclass
class Leader:
    name: str
    key: int | None
    outcomes: Outcomes = field(default_factory=Outcomes)


def _leaderboard(actor: User, filters: SalesFilters, by: str) -> list[Leader]:
    rows = (
        _closed_in_period(actor, filters)
        .values(by)
        .annotate(**_outcome_aggregates())
        .order_by("-won_amount", "-won", by)[:LEADERBOARD_SIZE]
    )
    rows = list(rows)
    keys = [r[by] for r in rows if r[by] is not None]
    if by == "owner_id":
        names = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=keys)}
    else:
        names = dict(Centre.objects.filter(pk__in=keys).values_list("pk", "name"))
    return [Leader(name=names.get(r[by], "—"), key=r[by], outcomes=_outcomes_from(r)) for r in rows]


def leaderboard_managers(*, actor: User, filters: SalesFilters) -> list[Leader]:
    """Managers by amount won in the period (top 20), with their win rate and cycle."""
    return _leaderboard(actor, filters, "owner_id")


def leaderboard_centres(*, actor: User, filters: SalesFilters) -> list[Leader]:
    """Centres by amount won in the period (top 20)."""
    return _leaderboard(actor, filters, "centre_id")


# --- the page ---------------------------------------------------------------------------


@dataclass
class SalesReport:
    filters: SalesFilters
    pipeline: Pipeline | None
    funnel: list[FunnelStep]
    forecast: list[ForecastMonth]
    outcomes: Outcomes
    time_in_stage: list[StageDwell]
    managers: list[Leader]
    centres: list[Leader]


def sales_report(*, actor: User, filters: SalesFilters) -> SalesReport:
    return SalesReport(
        filters=filters,
        pipeline=report_pipeline(filters),
        funnel=funnel(actor=actor, filters=filters),
        forecast=forecast(actor=actor, filters=filters),
        outcomes=outcomes(actor=actor, filters=filters),
        time_in_stage=time_in_stage(actor=actor, filters=filters),
        managers=leaderboard_managers(actor=actor, filters=filters),
        centres=leaderboard_centres(actor=actor, filters=filters),
    )


def filter_choices(*, actor: User) -> dict[str, Any]:
    """What the filter form offers: only centres and managers the actor's scope covers."""
    from sputnik.core.roles import Scope
    from sputnik.parties.models import Interest, Tag
    from sputnik.sales.models import Product

    centres = Centre.objects.filter(is_active=True)
    managers = User.objects.filter(is_active=True, centre__isnull=False)
    if actor.scope != Scope.ALL:
        own_centre = actor.centre_id or 0  # a user without a centre has none to offer
        centres = centres.filter(pk=own_centre)
        if actor.scope == Scope.CENTRE:
            managers = managers.filter(centre_id=own_centre)
        else:
            managers = managers.filter(pk=actor.pk)
    return {
        "pipelines": list(Pipeline.objects.filter(is_active=True)),
        "centres": list(centres.only("pk", "name", "region")),
        "managers": list(managers.only("pk", "first_name", "last_name", "username")),
        "regions": sorted({c.region for c in centres if c.region}),
        "products": list(Product.objects.filter(is_active=True).only("pk", "name")[:500]),
        "tags": list(Tag.objects.all()[:500]),
        "interests": list(Interest.objects.all()[:500]),
    }
