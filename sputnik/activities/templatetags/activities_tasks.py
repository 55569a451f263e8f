"""The nav badge of open tasks: one capped count of the signed-in user's own tasks."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from sputnik.activities.tasks_selectors import open_task_count

register = template.Library()
CAP = 99


@register.simple_tag(takes_context=True)
def open_task_badge(context: Any) -> SafeString | str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    n = open_task_count(actor=user, cap=CAP)
    if not n:
        return ""
    shown = f"{CAP}+" if n > CAP else str(n)
    return format_html(
        ' <span class="badge rounded-pill text-bg-danger" id="task-badge" title="{}">{}</span>',
        _("Open tasks"),
        shown,
    )


@register.filter
def iso_datetime(value: Any) -> Any:
    """An ISO date-time text (as JSON keeps it) as a datetime, for the |date filter."""
    import datetime as dt

    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None
