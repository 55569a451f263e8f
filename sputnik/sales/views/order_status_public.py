"""The customer's order-status page: no sign-in, reached only by a signed status link.

It shows the order's number, its items (names only), the current step, the history of
steps with dates, the expected hand-over date and the dealer — and of the customer only
the first name (no last name, phone, e-mail, address, price or staff notes: a link gets
forwarded and read over shoulders). Prices are left out on purpose: the customer has them
on their quote and contract, and a forwarded link should not disclose what they paid.

A tampered, unknown or revoked link gets the site's ordinary 404, the same page for all
three; repeated misses from one address are slowed down with a 429. The page speaks the
customer's language (chosen on the order), switchable with ?lang=ru|en; it is never
cached, never indexed, never framed (X-Frame-Options DENY and CSP frame-ancestors
'none' apply site-wide) and sends no Referer (the link is a secret).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sputnik.sales.models import OrderStatusLink
from sputnik.sales.selectors.orders import public_order_status
from sputnik.sales.services.orders import resolve_status_token
from sputnik.web.ratelimit import client_ip, over_rate

LANGUAGES = ("ru", "en")
# Lookups per address: a customer refreshing the page is never near this; a scanner
# guessing links is (and a guess among 2^192 nonces with a signature is hopeless anyway).
# One window: each window costs a few statements on the database cache per view.
LOOKUP_LIMITS = ((600, 60),)


@require_GET
def order_status_page(request: HttpRequest, token: str) -> HttpResponse:
    if over_rate("order-status", client_ip(request), LOOKUP_LIMITS):
        response = HttpResponse(_("Too many requests. Try again later."), status=429)
        response["Retry-After"] = "600"
        return response
    link = resolve_status_token(token)
    if link is None:
        raise Http404
    language = str(request.GET.get("lang") or "")
    if language not in LANGUAGES:
        language = link.order.language if link.order.language in LANGUAGES else "ru"
    OrderStatusLink.objects.filter(pk=link.pk).update(last_viewed_at=timezone.now())
    with translation.override(language):
        status = public_order_status(link, language)
        response = render(
            request,
            "sales/order_status/page.html",
            {
                "status": status,
                "language": language,
                "other_language": "en" if language == "ru" else "ru",
            },
        )
        response["Content-Language"] = language
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
