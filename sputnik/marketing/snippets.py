"""The code a company site pastes to show a lead form: a plain HTML form or an iframe."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import override

from sputnik.marketing.forms import HONEYPOT, PublicLeadForm
from sputnik.marketing.models import LeadForm


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


def snippet_language(lead_form: LeadForm) -> str:
    # A pasted form cannot follow the visitor's browser; it speaks the form's language.
    return lead_form.language or "ru"


def snippet_html(request: HttpRequest, lead_form: LeadForm) -> str:
    """A self-contained <form> posting to the CRM, plus the script that fills UTM fields."""
    language = snippet_language(lead_form)
    with override(language):
        form = PublicLeadForm(lead_form=lead_form, language=language, auto_id="sputnik-%s")
        return render_to_string(
            "marketing/snippet_form.html",
            {
                "lead_form": lead_form,
                "form": form,
                "honeypot": HONEYPOT,
                "action": _absolute(
                    request,
                    reverse("marketing:public_submit", kwargs={"public_key": lead_form.public_key}),
                ),
                "script": _absolute(request, static("marketing/embed.js")),
                "consent_text": lead_form.consent_text(language),
            },
        ).strip()


def snippet_iframe(request: HttpRequest, lead_form: LeadForm) -> str:
    """An <iframe> of the hosted form page; the script passes the page's UTM into it."""
    with override(snippet_language(lead_form)):
        return render_to_string(
            "marketing/snippet_iframe.html",
            {
                "lead_form": lead_form,
                "src": _absolute(
                    request,
                    reverse("marketing:public_form", kwargs={"public_key": lead_form.public_key}),
                ),
                "script": _absolute(request, static("marketing/embed.js")),
            },
        ).strip()
