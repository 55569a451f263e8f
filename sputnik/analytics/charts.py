"""Chart.js configurations for the sales page, built on the server.

The page hands each chart its data as JSON in a `data-chart` attribute (no inline script
under the CSP); `static/analytics/charts.js` only draws them.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from sputnik.analytics.selectors import SalesReport

BLUE, GREEN, GREY, AMBER = "#0d6efd", "#198754", "#adb5bd", "#fd7e14"


def _json(config: dict[str, Any]) -> str:
    return json.dumps(config, ensure_ascii=False, default=str)


def sales_charts(report: SalesReport) -> dict[str, str]:
    funnel = {
        "type": "bar",
        "data": {
            "labels": [s.stage.name for s in report.funnel],
            "datasets": [
                {
                    "label": _("Deals reached"),
                    "data": [s.reached for s in report.funnel],
                    "backgroundColor": BLUE,
                }
            ],
        },
        "options": {"indexAxis": "y", "plugins": {"legend": {"display": False}}},
    }
    forecast = {
        "type": "bar",
        "data": {
            "labels": [m.month.strftime("%m.%Y") for m in report.forecast],
            "datasets": [
                {
                    "label": _("Weighted forecast"),
                    "data": [float(m.weighted) for m in report.forecast],
                    "backgroundColor": AMBER,
                },
                {
                    "label": _("Won"),
                    "data": [float(m.won) for m in report.forecast],
                    "backgroundColor": GREEN,
                },
            ],
        },
        "options": {"scales": {"y": {"beginAtZero": True}}},
    }
    managers = {
        "type": "bar",
        "data": {
            "labels": [leader.name for leader in report.managers],
            "datasets": [
                {
                    "label": _("Amount won"),
                    "data": [float(leader.outcomes.won_amount) for leader in report.managers],
                    "backgroundColor": GREEN,
                }
            ],
        },
        "options": {"indexAxis": "y", "plugins": {"legend": {"display": False}}},
    }
    stages = {
        "type": "bar",
        "data": {
            "labels": [d.stage.name for d in report.time_in_stage],
            "datasets": [
                {
                    "label": _("Average days in stage"),
                    "data": [d.average_days or 0 for d in report.time_in_stage],
                    "backgroundColor": GREY,
                }
            ],
        },
        "options": {"plugins": {"legend": {"display": False}}},
    }
    return {
        "funnel": _json(funnel),
        "forecast": _json(forecast),
        "managers": _json(managers),
        "stages": _json(stages),
    }
