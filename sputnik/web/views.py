from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("parties:person_list")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language: saved on the user, and in a cookie before sign-in."""
    language = str(request.POST.get("language") or "")
    target = str(request.POST.get("next") or "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("web:home")
    response = redirect(target)
    if language not in dict(settings.LANGUAGES):
        return response
    user = request.user
    if user.is_authenticated:
        user.language = language  # type: ignore[union-attr]
        user.save(update_fields=["language"])  # type: ignore[union-attr]
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response
