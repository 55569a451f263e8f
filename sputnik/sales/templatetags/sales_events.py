"""Words for the sales entries of the timeline: a quote's status code as its label in
the reader's language (the entry stores the code, language-neutral)."""

from __future__ import annotations

from django import template

from sputnik.sales.models import Quote

register = template.Library()


@register.filter
def quote_status(code: str | None) -> str:
    if not code:
        return "—"
    try:
        return str(Quote.Status(code).label)
    except ValueError:
        return code
