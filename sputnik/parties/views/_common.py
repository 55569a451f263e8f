"""Request helpers the party views share."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from sputnik.core.models import User
from sputnik.parties.models import ContactPoint


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _is_fragment(request: HttpRequest) -> bool:
    """An HTMX swap wants the fragment; a history restore or a plain visit wants the page."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.history_restore_request and not htmx.boosted


def _cursor(request: HttpRequest) -> str | None:
    raw = str(request.GET.get("cursor") or "")
    return raw[:1000] or None


def _base(request: HttpRequest) -> str:
    return "web/fragment.html" if _is_fragment(request) else "base.html"


def _done(request: HttpRequest, url: str) -> HttpResponse:
    if _is_fragment(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _primary(contacts: list[ContactPoint], kind: str) -> ContactPoint | None:
    return next((c for c in contacts if c.kind == kind), None)
