"""Reads of quotes, scoped by the acting user through their deal's visibility.

A quote is visible exactly when its deal is: the deals selectors state the ladder
(own → centre → all) once, and every read here starts from it. A quote the actor may not
see raises Quote.DoesNotExist, which views and the API answer as a plain 404.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from sputnik.core.models import User
from sputnik.sales.models import Quote, QuoteLine
from sputnik.sales.selectors.deals import deal_scope


def visible_quotes(actor: User) -> QuerySet[Quote]:
    """Quotes of the deals the actor sees: the deals' ladder, read through the join."""
    rule = deal_scope(actor)
    if rule is None:
        return Quote.objects.none()
    return Quote.objects.filter(**{f"deal__{column}": value for column, value in rule.items()})


def _with_lines(qs: QuerySet[Quote]) -> QuerySet[Quote]:
    return qs.select_related("deal", "centre", "created_by").prefetch_related(
        Prefetch("lines", queryset=QuoteLine.objects.order_by("position", "id"))
    )


def quote_for(*, actor: User, quote_id: int) -> Quote:
    """One visible quote with its lines (Quote.DoesNotExist otherwise)."""
    return _with_lines(visible_quotes(actor)).get(pk=quote_id)


def quotes_of_deal(*, actor: User, deal_id: int) -> list[Quote]:
    """A visible deal's quotes, every version, newest first (empty for a hidden deal)."""
    qs = visible_quotes(actor).filter(deal_id=deal_id)
    return list(qs.select_related("created_by").order_by("-created_at", "-id"))


def quote_versions(*, actor: User, quote: Quote) -> list[Quote]:
    """All versions of the quote's number, oldest first."""
    qs = visible_quotes(actor).filter(number=quote.number)
    return list(qs.order_by("version"))


def quotes_of_person(*, actor: User, person_id: int, limit: int = 20) -> list[Quote]:
    qs = visible_quotes(actor).filter(person_id=person_id)
    return list(qs.order_by("-created_at", "-id")[:limit])
