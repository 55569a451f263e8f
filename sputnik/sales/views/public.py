"""The public configurator: no sign-in. A visitor picks a model and options, sees the
price live, and leaves contacts with consent; that captures (or matches) a prospect
through lead intake and opens a deal whose line is the configuration.

What a visitor can learn here is the public catalogue and nothing else: the answer to a
submission is the same thank-you page whether the phone or e-mail matched an existing
customer or not, and the thank-you page shows only the visitor's own configuration
(its reference is kept in their session, so a guessed reference is a 404).

Defences: CSRF (the page is same-origin), a honeypot field, a per-IP rate limit on
submissions, a small body, and every write in one transaction (nothing half-written).
Prices are the network's (no centre): a visitor is not yet anyone's customer.
"""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sputnik.sales.models import Product, SavedConfiguration
from sputnik.sales.selectors import catalogue as selectors
from sputnik.sales.services.configurator import evaluate, product_spec
from sputnik.sales.views.configurator import panel_context, submitted_codes
from sputnik.web.ratelimit import client_ip, over_rate

logger = logging.getLogger(__name__)

HONEYPOT = "website"
RATE_LIMITS = ((60, 5), (86400, 30))  # submissions per IP: 5 a minute, 30 a day
MAX_BODY_BYTES = 16 * 1024
SESSION_KEY = "public_configurations"

# The consent wordings the page shows, versioned: the version recorded with a consent
# names the exact text (and language) the visitor agreed to. A new wording gets a new
# version; old versions stay here so recorded consents keep their meaning.
CONSENT_WORDINGS: dict[str, dict[str, Any]] = {
    "personal_data": {
        "version": "configurator-pd-2026-11",
        "text": gettext_lazy(
            "I agree to the processing of my personal data (name, phone, e-mail) to prepare "
            "an offer for the configured car and to contact me about it."
        ),
        "required": True,
    },
    "marketing": {
        "version": "configurator-mkt-2026-11",
        "text": gettext_lazy(
            "I would like to receive news and special offers by e-mail, SMS and phone."
        ),
        "required": False,
    },
}


class ContactForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("Your name"), max_length=100)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=100, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=40, required=False)
    email = forms.CharField(label=gettext_lazy("E-mail"), max_length=200, required=False)
    consent_personal_data = forms.BooleanField(required=True)
    consent_marketing = forms.BooleanField(required=False)
    website = forms.CharField(required=False, max_length=200)  # the honeypot

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent_personal_data"].label = CONSENT_WORDINGS["personal_data"]["text"]
        self.fields["consent_personal_data"].error_messages["required"] = gettext_lazy(
            "Without this consent we cannot contact you."
        )
        self.fields["consent_marketing"].label = CONSENT_WORDINGS["marketing"]["text"]
        self.fields["first_name"].error_messages["required"] = gettext_lazy(
            "Enter your first name."
        )
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "inputmode": "email"})
        self.fields["first_name"].widget.attrs.update({"autocomplete": "given-name"})
        self.fields["last_name"].widget.attrs.update({"autocomplete": "family-name"})
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        for name, field in self.fields.items():
            css = "form-check-input" if isinstance(field, forms.BooleanField) else "form-control"
            if self.is_bound and name in self.errors:
                css += " is-invalid"
            field.widget.attrs.setdefault("class", css)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("phone") or "").strip() and not (data.get("email") or "").strip():
            self.add_error("phone", _("Enter a phone number or an e-mail address."))
        return data


def _language() -> str:
    lang = translation.get_language() or "ru"
    return "ru" if lang.startswith("ru") else "en"


def _product(sku: str) -> Product:
    try:
        return selectors.public_product(sku=sku[:64])
    except Product.DoesNotExist as exc:
        raise Http404 from exc


@require_GET
def public_models(request: HttpRequest) -> HttpResponse:
    products = list(selectors.public_products())
    prices = selectors.product_prices(products, centre=None)
    cards = [
        {"product": p, "price": prices[p.pk], "image": next(iter(p.images.all()), None)}
        for p in products
    ]
    return render(request, "sales/public/models.html", {"cards": cards, "public": True})


def _page(
    request: HttpRequest,
    product: Product,
    codes: tuple[str, ...],
    form: ContactForm,
    *,
    status: int = 200,
    order_errors: list[str] | None = None,
) -> HttpResponse:
    spec = product_spec(product, centre=None)
    context = {
        **panel_context(spec, codes),
        "product": product,
        "form": form,
        "honeypot": HONEYPOT,
        "order_errors": order_errors or [],
        "panel_url": reverse("sales:public_configure", kwargs={"sku": product.sku}),
        "public": True,
        "images": list(product.images.all()),
    }
    return render(request, "sales/public/configure.html", context, status=status)


@require_http_methods(["GET", "POST"])
def public_configure(request: HttpRequest, sku: str) -> HttpResponse:
    """GET: the page. POST (HTMX): the configurator panel after a click."""
    product = _product(sku)
    spec = product_spec(product, centre=None)
    data = request.POST if request.method == "POST" else request.GET
    codes = submitted_codes(data, spec)
    if request.method == "POST" and request.htmx:  # type: ignore[attr-defined]
        context = {
            **panel_context(spec, codes),
            "product": product,
            "panel_url": request.path,
            "public": True,
        }
        return render(request, "sales/configurator/_panel.html", context)
    return _page(request, product, codes, ContactForm())


def _message(request: HttpRequest, title: str, text: str, status: int) -> HttpResponse:
    return render(
        request,
        "sales/public/message.html",
        {"title": title, "text": text, "public": True},
        status=status,
    )


@require_POST
def public_order(request: HttpRequest, sku: str) -> HttpResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        return _message(request, _("Too much data"), _("The form is larger than expected."), 413)
    product = _product(sku)
    spec = product_spec(product, centre=None)
    codes = submitted_codes(request.POST, spec)
    form = ContactForm(request.POST)
    if over_rate("public-configurator", client_ip(request), RATE_LIMITS):
        return _message(
            request,
            _("Too many requests"),
            _("Please wait a minute and send the form again, or call us."),
            429,
        )
    if form.is_valid() and form.cleaned_data.get(HONEYPOT):
        # A bot filled the hidden field: thank it and keep nothing.
        return redirect("sales:public_thanks_generic")
    result = evaluate(spec, codes)
    if not result.valid:
        return _page(
            request,
            product,
            codes,
            form,
            status=400,
            order_errors=[e.message for e in result.errors],
        )
    if not form.is_valid():
        return _page(request, product, codes, form, status=400)
    try:
        saved = _submit(request, product, form.cleaned_data, codes)
    except ValidationError as exc:
        general = _apply_errors(form, exc)
        return _page(request, product, codes, form, status=400, order_errors=general)
    references = list(request.session.get(SESSION_KEY, []))[-9:]
    references.append(saved.reference)
    request.session[SESSION_KEY] = references
    return redirect("sales:public_thanks", reference=saved.reference)


def _apply_errors(form: ContactForm, exc: ValidationError) -> list[str]:
    """Put the services' per-field messages on the form; the rest are general messages
    (never anything about an existing customer)."""
    general: list[str] = []
    if not hasattr(exc, "error_dict"):
        return [str(m) for m in exc.messages]
    for field, messages in exc.message_dict.items():
        target = {
            "first_name": "first_name",
            "last_name": "last_name",
            "phone": "phone",
            "email": "email",
        }.get(field)
        for message in messages:
            if target:
                form.add_error(target, message)
            elif field == "option_codes":
                general.append(message)
            else:
                logger.warning("public configurator: %s: %s", field, message)
                general.append(_("We could not take your request. Please call us."))
    return list(dict.fromkeys(general))


@transaction.atomic
def _submit(
    request: HttpRequest, product: Product, data: dict[str, Any], codes: tuple[str, ...]
) -> SavedConfiguration:
    """Prospect, deal with the configuration as its line, saved configuration: all or none."""
    from sputnik.core.services import system_actor
    from sputnik.parties.services.intake import ConsentRequest, prospect_capture
    from sputnik.sales.services.configurator import (
        configuration_link,
        configuration_price,
        configuration_save,
    )
    from sputnik.sales.services.deals import deal_create

    actor = system_actor()
    result = configuration_price(product=product, option_codes=codes, centre=None)
    language = _language()
    consents = [
        ConsentRequest(
            purpose="personal_data",
            channel="any",
            wording_version=f"{CONSENT_WORDINGS['personal_data']['version']}-{language}",
        )
    ]
    if data.get("consent_marketing"):
        consents.append(
            ConsentRequest(
                purpose="marketing",
                channel="any",
                wording_version=f"{CONSENT_WORDINGS['marketing']['version']}-{language}",
            )
        )
    saved = configuration_save(actor=actor, result=result, source=SavedConfiguration.Source.PUBLIC)
    capture = prospect_capture(
        actor=actor,
        first_name=data["first_name"],
        last_name=data.get("last_name") or "",
        phone=data.get("phone") or "",
        email=data.get("email") or "",
        source="web_form",
        referrer=str(request.headers.get("Referer") or "")[:1000],
        consents=consents,
        evidence=f"public configurator {saved.reference}; user agent: {str(request.headers.get('User-Agent') or '')[:200]}",
        ip_address=client_ip(request),
        product_hint=product.name,
        comment=_("Configured online: %(config)s — %(total)s %(currency)s (ref. %(ref)s)")
        % {
            "config": result.description,
            "total": result.total,
            "currency": result.currency,
            "ref": saved.reference,
        },
    )
    deal = deal_create(
        actor=actor,
        data={
            "person_id": capture.person.pk,
            "title": f"{product.name} — {saved.reference}"[:200],
            "source": "configurator",
            "currency": result.currency,
            "lines": [
                {
                    "product_id": product.pk,
                    "description": result.description[:300],
                    "quantity": 1,
                    "unit_price": result.unit_price,
                    "configuration": {**result.as_dict(), "reference": saved.reference},
                }
            ],
        },
    )
    return configuration_link(
        actor=actor, saved=saved, person_id=capture.person.pk, deal_id=deal.pk
    )


@require_GET
def public_thanks(request: HttpRequest, reference: str) -> HttpResponse:
    if reference not in request.session.get(SESSION_KEY, []):
        raise Http404
    saved = SavedConfiguration.objects.select_related("product").filter(reference=reference).first()
    if saved is None:
        raise Http404
    return render(
        request,
        "sales/public/thanks.html",
        {"saved": saved, "breakdown": saved.breakdown, "public": True},
    )


@require_GET
def public_thanks_generic(request: HttpRequest) -> HttpResponse:
    return render(request, "sales/public/thanks.html", {"saved": None, "public": True})
