"""The sales analytics page and its CSV exports: thin, the numbers come from selectors."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sputnik.analytics import selectors
from sputnik.analytics.charts import sales_charts
from sputnik.core.models import User
from sputnik.core.roles import Right
from sputnik.parties.exports.cells import safe_cell
from sputnik.web.access import require_right


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    require_right(user, Right.PARTY_VIEW)
    return user


@login_required
@require_GET
def sales(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    filters = selectors.SalesFilters.from_params(request.GET)
    report = selectors.sales_report(actor=actor, filters=filters)
    return render(
        request,
        "analytics/sales.html",
        {
            "nav": "analytics",
            "report": report,
            "charts": sales_charts(report),
            "choices": selectors.filter_choices(actor=actor),
            "query_string": urlencode(filters.as_params()),
        },
    )


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _rows(
    report: str, actor: User, filters: selectors.SalesFilters
) -> tuple[list[str], Iterable[Sequence[Any]]]:
    if report == "funnel":
        steps = selectors.funnel(actor=actor, filters=filters)
        return [_("Stage"), _("Deals reached"), _("Conversion from previous, %")], [
            (s.stage.name, s.reached, _percent(s.conversion)) for s in steps
        ]
    if report == "forecast":
        months = selectors.forecast(actor=actor, filters=filters)
        return [_("Month"), _("Open deals"), _("Pipeline"), _("Weighted forecast"), _("Won")], [
            (m.month.strftime("%Y-%m"), m.open_deals, m.pipeline, m.weighted, m.won) for m in months
        ]
    if report == "stages":
        dwell = selectors.time_in_stage(actor=actor, filters=filters)
        return [_("Stage"), _("Stays ended"), _("Average days in stage")], [
            (d.stage.name, d.stays, "" if d.average_days is None else d.average_days) for d in dwell
        ]
    if report in {"managers", "centres"}:
        leaders = (
            selectors.leaderboard_managers(actor=actor, filters=filters)
            if report == "managers"
            else selectors.leaderboard_centres(actor=actor, filters=filters)
        )
        header = [
            _("Manager") if report == "managers" else _("Centre"),
            _("Won"),
            _("Lost"),
            _("Win rate, %"),
            _("Amount won"),
            _("Average deal"),
            _("Sales cycle, days"),
        ]
        return header, [
            (
                leader.name,
                leader.outcomes.won,
                leader.outcomes.lost,
                _percent(leader.outcomes.win_rate),
                leader.outcomes.won_amount,
                leader.outcomes.average_won or "",
                "" if leader.outcomes.cycle_days is None else leader.outcomes.cycle_days,
            )
            for leader in leaders
        ]
    raise Http404


@login_required
@require_GET
def sales_csv(request: HttpRequest) -> HttpResponse:
    """One report (?report=funnel|forecast|stages|managers|centres) as CSV for Excel:
    UTF-8 with BOM, `;`, formula-like cells neutralised."""
    actor = _actor(request)
    report = str(request.GET.get("report") or "")
    filters = selectors.SalesFilters.from_params(request.GET)
    header, rows = _rows(report, actor, filters)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(str(h)) for h in header])
    for row in rows:
        writer.writerow([safe_cell(str(value)) for value in row])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    name = f"sales-{report}-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
