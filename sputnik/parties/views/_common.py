"""Request helpers the party views share."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from sputnik.parties.models import ContactPoint
from sputnik.web.access import service_errors
from sputnik.web.forms import apply_service_errors

T = TypeVar("T")


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


def _submit(
    form: forms.Form, save: Callable[[], T], error_map: Mapping[str, str] | None = None
) -> tuple[bool, T | None]:
    """Validate the form and call its service; the service's field errors land on the form.

    Returns (saved, what the service returned); not saved: show the form again.
    """
    if not form.is_valid():
        return False, None
    try:
        with service_errors():
            return True, save()
    except ValidationError as exc:
        apply_service_errors(form, exc, error_map)
        return False, None
