"""Quote pages: the quotes-and-orders panel of a deal, a quote's page (lines, totals,
versions, status actions, PDF), editing a draft, and the status steps.

Every view reads through the visibility-scoped selectors first, so a quote of a deal the
user may not see is the same 404 as a missing one, for every method.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sputnik.sales.models import Quote
from sputnik.sales.selectors import deals as deal_selectors
from sputnik.sales.selectors import orders as order_selectors
from sputnik.sales.selectors import quotes as selectors
from sputnik.sales.services import quotes as services
from sputnik.sales.services.quote_pdf import quote_pdf_filename, render_quote_pdf, stored_quote_pdf
from sputnik.sales.services.sales_access import may_edit_sales
from sputnik.sales.views.quote_forms import DeclineForm, LineFormSet, QuoteForm
from sputnik.web.access import acting_user, service_errors, visible_or_404
from sputnik.web.forms import apply_service_errors


def _quote(request: HttpRequest, quote_id: int) -> Quote:
    return visible_or_404(selectors.quote_for, actor=acting_user(request), quote_id=quote_id)


def _errors_to_messages(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_GET
def deal_quotes_panel(request: HttpRequest, deal_id: int) -> HttpResponse:
    """The deal page's panel (loaded lazily): its quotes and orders, and "new quote"."""
    actor = acting_user(request)
    deal = visible_or_404(deal_selectors.deal_get, actor=actor, deal_id=deal_id)
    return render(
        request,
        "sales/quotes/_deal_panel.html",
        {
            "deal": deal,
            "quotes": selectors.quotes_of_deal(actor=actor, deal_id=deal.pk),
            "orders": order_selectors.orders_of_deal(actor=actor, deal_id=deal.pk),
            "can_edit": may_edit_sales(actor),
        },
    )


@login_required
@require_POST
def quote_create(request: HttpRequest, deal_id: int) -> HttpResponse:
    """A draft from the deal's lines; then the user edits it on its own page."""
    actor = acting_user(request)
    deal = visible_or_404(deal_selectors.deal_get, actor=actor, deal_id=deal_id)
    try:
        with service_errors():
            quote = services.quote_create(actor=actor, deal=deal, language=actor.language or "ru")
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("sales:deal_detail", deal.pk)
    messages.success(request, _("Quote %(number)s created.") % {"number": quote.display_number})
    return redirect("sales:quote_detail", quote.pk)


@login_required
@require_GET
def quote_detail(request: HttpRequest, quote_id: int) -> HttpResponse:
    actor = acting_user(request)
    quote = _quote(request, quote_id)
    order = order_selectors.visible_orders(actor).filter(quote=quote).first()
    return render(
        request,
        "sales/quotes/detail.html",
        {
            "nav": "deals",
            "quote": quote,
            "lines": list(quote.lines.all()),
            "versions": selectors.quote_versions(actor=actor, quote=quote),
            "is_latest": not Quote.objects.filter(previous=quote).exists(),
            "order": order,
            "can_edit": may_edit_sales(actor),
            "decline_form": DeclineForm(),
        },
    )


def _line_initial(quote: Quote) -> list[dict[str, Any]]:
    return [
        {
            "product_id": str(line.product_id or ""),
            "name": line.name,
            "quantity": f"{line.quantity.normalize():f}",
            "unit_price": f"{line.unit_price:f}",
            "discount_percent": f"{line.discount_percent.normalize():f}",
            "configuration": json.dumps(line.configuration) if line.configuration else "",
        }
        for line in quote.lines.all()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def quote_edit(request: HttpRequest, quote_id: int) -> HttpResponse:
    """Change a draft's lines and terms; lines are replaced as a whole."""
    actor = acting_user(request)
    quote = _quote(request, quote_id)
    if not quote.is_editable:
        messages.error(
            request, _("Only a draft can be changed; revise the quote to make a new version.")
        )
        return redirect("sales:quote_detail", quote.pk)
    if request.method == "POST":
        form = QuoteForm(request.POST)
        formset = LineFormSet(request.POST, prefix="lines")
        if form.is_valid() and formset.is_valid():
            data = {**form.cleaned_data, "lines": formset.lines()}
            try:
                with service_errors():
                    services.quote_update(actor=actor, quote=quote, data=data)
            except ValidationError as exc:
                _line_errors(form, formset, exc)
            else:
                messages.success(request, _("Quote saved."))
                return redirect("sales:quote_detail", quote.pk)
    else:
        form = QuoteForm(
            initial={
                "valid_until": quote.valid_until,
                "vat_rate": f"{quote.vat_rate.normalize():f}",
                "language": quote.language,
                "notes": quote.notes,
            }
        )
        formset = LineFormSet(initial=_line_initial(quote), prefix="lines")
    return render(
        request,
        "sales/quotes/edit.html",
        {"nav": "deals", "quote": quote, "form": form, "formset": formset},
    )


def _line_errors(form: Any, formset: Any, exc: ValidationError) -> None:
    """Service errors "lines.<i>.<field>" onto the i-th filled row; the rest onto the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    filled = [f for f in formset.forms if f.line() is not None]
    rest: dict[str, list[str]] = {}
    for key, msgs in exc.message_dict.items():
        parts = key.split(".")
        if (
            parts[0] == "lines"
            and len(parts) == 3
            and parts[1].isdigit()
            and int(parts[1]) < len(filled)
        ):
            target = filled[int(parts[1])]
            name = parts[2] if parts[2] in target.fields else None
            target.add_error(name, msgs)
        else:
            rest[key] = msgs
    if rest:
        apply_service_errors(form, ValidationError(rest))


@login_required
@require_POST
def quote_send(request: HttpRequest, quote_id: int) -> HttpResponse:
    return _step(
        request,
        quote_id,
        lambda actor, quote: services.quote_send(actor=actor, quote=quote),
        _("Quote marked as sent; its PDF is stored with the customer."),
    )


@login_required
@require_POST
def quote_accept(request: HttpRequest, quote_id: int) -> HttpResponse:
    return _step(
        request,
        quote_id,
        lambda actor, quote: services.quote_accept(actor=actor, quote=quote),
        _("Quote accepted."),
    )


@login_required
@require_POST
def quote_decline(request: HttpRequest, quote_id: int) -> HttpResponse:
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _step(
        request,
        quote_id,
        lambda actor, quote: services.quote_decline(actor=actor, quote=quote, reason=reason),
        _("Quote declined."),
    )


@login_required
@require_POST
def quote_revise(request: HttpRequest, quote_id: int) -> HttpResponse:
    actor = acting_user(request)
    quote = _quote(request, quote_id)
    try:
        with service_errors():
            new = services.quote_revise(actor=actor, quote=quote)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("sales:quote_detail", quote.pk)
    messages.success(
        request,
        _("Version %(v)d created; the earlier version is kept read-only.") % {"v": new.version},
    )
    return redirect("sales:quote_edit", new.pk)


def _step(request: HttpRequest, quote_id: int, step: Any, done: str) -> HttpResponse:
    actor = acting_user(request)
    quote = _quote(request, quote_id)
    try:
        with service_errors():
            step(actor, quote)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, done)
    return redirect("sales:quote_detail", quote.pk)


@login_required
@require_GET
def quote_pdf(request: HttpRequest, quote_id: int) -> HttpResponse:
    """The stored PDF once sent (what the customer received); a draft is rendered fresh."""
    quote = _quote(request, quote_id)
    try:
        content = stored_quote_pdf(quote) or render_quote_pdf(quote)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("sales:quote_detail", quote.pk)
    response = HttpResponse(content, content_type="application/pdf")
    disposition = content_disposition_header(
        not request.GET.get("inline"), quote_pdf_filename(quote)
    )
    response["Content-Disposition"] = disposition or "attachment"
    # A document about a customer: never sniffed into a page, never kept by a proxy.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
