"""The public side of lead forms: the hosted form page (what the iframe shows), the post
endpoint the company's sites submit to, and the thank-you page.

Defences, in the order a post meets them: the form must exist and be active; the body
must be small; the post must come from one of the form's sites or the CRM itself
(when the browser says where it comes from); an IP may post a few times a minute and
a few dozen times a day per form (counted in the shared cache); a filled honeypot is
thanked and dropped. Only then is the form validated and the lead taken in.

The post endpoint is exempt from CSRF (the company's sites cannot hold our token); it
changes nothing a signed-in user owns, and the checks above take the token's place.
Only these pages may be framed, and only by the form's own sites.
"""

from __future__ import annotations

import logging
from typing import Any, cast
from urllib.parse import urlencode, urlsplit, urlunsplit

from csp.decorators import csp_replace
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from sputnik.marketing import selectors, services
from sputnik.marketing.forms import HONEYPOT, PublicLeadForm
from sputnik.marketing.models import LeadForm
from sputnik.marketing.origins import origin_of_url, own_origin, request_origin
from sputnik.parties.services.intake import UTM_KEYS
from sputnik.web.ratelimit import client_ip, over_rate

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 32 * 1024  # a lead form's answers fit in a few KiB; more is not a person
RATE_PER_MINUTE = 5
RATE_PER_DAY = 50


def _form_or_404(public_key: str) -> LeadForm:
    try:
        return selectors.leadform_public(public_key=public_key)
    except LeadForm.DoesNotExist as exc:
        raise Http404 from exc


def _language(lead_form: LeadForm) -> str:
    """The form's fixed language, else the visitor's (LocaleMiddleware read Accept-Language)."""
    lang = lead_form.language or translation.get_language() or "ru"
    return "ru" if lang.startswith("ru") else "en"


def _framable_by(request: HttpRequest, response: HttpResponse, lead_form: LeadForm) -> HttpResponse:
    """Let the form's own sites (and the CRM) frame this response; nobody else.

    django-csp's per-view decorators fix their policy when the view is defined, but the
    allowed sites differ per form, so the same override is applied to each response.
    X-Frame-Options is lifted by the view's @xframe_options_exempt: it cannot name sites.
    """
    sites = ["'self'", *lead_form.allowed_origins]
    # form-action too: after a corrected post on this page the visitor is sent back to
    # the site's page, and browsers hold a form's redirects to the form-action list.
    policy = {"frame-ancestors": sites, "form-action": sites}
    framed = csp_replace(policy)(lambda _request: response)(request)
    return cast(HttpResponse, framed)


def _over_rate(lead_form: LeadForm, ip: str | None) -> bool:
    """Count this post in the form's minute and day windows; True when either is exceeded."""
    return over_rate(f"leadform:{lead_form.pk}", ip, ((60, RATE_PER_MINUTE), (86400, RATE_PER_DAY)))


def _initial_tracking(request: HttpRequest) -> dict[str, str]:
    """UTM and the embedding page, from the query string embed.js put on the iframe's URL."""
    initial = {k: str(request.GET.get(k) or "")[:200] for k in UTM_KEYS}
    page = str(request.GET.get("page") or "")[:1000]
    if not page:
        # Without the script, the Referer of the iframe's request names the embedding page
        # (or at least its site, under the default referrer policy).
        referer = request.headers.get("Referer", "")
        if origin_of_url(referer):
            page = referer[:1000]
    initial["page"] = page
    return initial


def _render_form(
    request: HttpRequest, lead_form: LeadForm, form: PublicLeadForm, status: int = 200
) -> HttpResponse:
    language = form.language
    response = render(
        request,
        "marketing/public_form.html",
        {
            "lead_form": lead_form,
            "form": form,
            "language": language,
            "honeypot": HONEYPOT,
            "consent_text": lead_form.consent_text(language),
        },
        status=status,
    )
    return _framable_by(request, response, lead_form)


def _message(
    request: HttpRequest, lead_form: LeadForm | None, title: str, text: str, status: int
) -> HttpResponse:
    response = render(
        request, "marketing/public_message.html", {"title": title, "text": text}, status=status
    )
    return _framable_by(request, response, lead_form) if lead_form is not None else response


@xframe_options_exempt
@require_GET
def public_form(request: HttpRequest, public_key: str) -> HttpResponse:
    lead_form = _form_or_404(public_key)
    language = _language(lead_form)
    with translation.override(language):
        form = PublicLeadForm(
            lead_form=lead_form, language=language, initial=_initial_tracking(request)
        )
        return _render_form(request, lead_form, form)


@xframe_options_exempt
@require_GET
def public_thanks(request: HttpRequest, public_key: str) -> HttpResponse:
    lead_form = _form_or_404(public_key)
    language = _language(lead_form)
    with translation.override(language):
        response = render(
            request,
            "marketing/public_thanks.html",
            {"lead_form": lead_form, "language": language, "text": lead_form.thank_you(language)},
        )
        return _framable_by(request, response, lead_form)


def _return_to(url: str, lead_form: LeadForm) -> str | None:
    """The site's own page to send the visitor back to, only on one of the form's sites."""
    if not url or origin_of_url(url) not in lead_form.allowed_origins:
        return None
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode({"sputnik_form": "sent"})) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


@csrf_exempt
@xframe_options_exempt
@require_POST
def public_submit(request: HttpRequest, public_key: str) -> HttpResponse:
    lead_form = _form_or_404(public_key)
    language = _language(lead_form)
    with translation.override(language):
        return _submit(request, lead_form, language)


def _too_big(request: HttpRequest, lead_form: LeadForm) -> HttpResponse:
    return _message(
        request,
        lead_form,
        _("The form could not be sent"),
        _("The message is too long. Please shorten it and send it again."),
        413,
    )


def _submit(request: HttpRequest, lead_form: LeadForm, language: str) -> HttpResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return _too_big(request, lead_form)
    origin = request_origin(request)
    if origin is not None and origin not in {own_origin(request), *lead_form.allowed_origins}:
        logger.warning("lead form %s: post from a foreign site %s refused", lead_form.pk, origin)
        return _message(
            request,
            lead_form,
            _("The form could not be sent"),
            _("This form does not accept submissions from this site."),
            403,
        )
    ip = client_ip(request)
    if _over_rate(lead_form, ip):
        response = _message(
            request,
            lead_form,
            _("Too many submissions"),
            _("Please wait a minute and try again."),
            429,
        )
        response["Retry-After"] = "60"
        return response
    try:
        post = request.POST
    except RequestDataTooBig:
        return _too_big(request, lead_form)
    meta: dict[str, Any] = {
        "ip_address": ip,
        "user_agent": request.headers.get("User-Agent", ""),
        "origin": origin or "",
        "language": language,
    }
    if str(post.get(HONEYPOT) or "").strip():
        services.submission_record_spam(
            form=lead_form,
            payload=dict(list(post.items())[:50]),
            meta={**meta, "referrer": post.get("page", ""), "utm": {}},
        )
        # Thanked like a person, so the bot learns nothing.
        return HttpResponseRedirect(
            reverse("marketing:public_thanks", kwargs={"public_key": lead_form.public_key})
        )
    form = PublicLeadForm(post, lead_form=lead_form, language=language)
    if not form.is_valid():
        # 200, as Django forms do: a 4xx would show as an error in the site's console.
        return _render_form(request, lead_form, form)
    tracking = form.tracking()
    utm = {k: tracking[k] for k in UTM_KEYS if tracking.get(k)}
    # Query-string UTM on the post URL (a plain form's action may carry them) fills gaps.
    for k in UTM_KEYS:
        if not utm.get(k) and request.GET.get(k):
            utm[k] = str(request.GET[k])[:200]
    page = tracking.get("page") or request.headers.get("Referer", "")
    services.submission_accept(
        form=lead_form,
        payload=form.answers(),
        consents=form.consents_given(),
        meta={**meta, "referrer": page, "utm": utm},
    )
    back = _return_to(tracking.get("return_url", ""), lead_form)
    if back is not None:
        return HttpResponseRedirect(back)
    return HttpResponseRedirect(
        reverse("marketing:public_thanks", kwargs={"public_key": lead_form.public_key})
    )
