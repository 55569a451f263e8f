"""Order pages: the list, an order's page (lines, status history, the next step, the
customer's status link), an order from an accepted quote, and the operator's order
taken during a call from the person card.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sputnik.core.models import User
from sputnik.parties.selectors import person_get
from sputnik.sales.models import Order, StageKind
from sputnik.sales.selectors import orders as selectors
from sputnik.sales.selectors import quotes as quote_selectors
from sputnik.sales.selectors.deals import visible_deals
from sputnik.sales.services import orders as services
from sputnik.sales.services.sales_access import may_edit_sales
from sputnik.sales.views.quote_forms import LineFormSet, OrderStatusForm, OrderTakeForm
from sputnik.sales.views.quotes import _line_errors
from sputnik.web.access import acting_user, service_errors, visible_or_404


def _order(request: HttpRequest, order_id: int) -> Order:
    return visible_or_404(selectors.order_for, actor=acting_user(request), order_id=order_id)


def _errors_to_messages(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    status = str(request.GET.get("status") or "")[:40]
    cursor = str(request.GET.get("cursor") or "")[:1000] or None
    page = selectors.order_page(actor=actor, cursor=cursor, status=status)
    return render(
        request,
        "sales/orders/list.html",
        {"nav": "orders", "page": page, "statuses": selectors.order_statuses(), "status": status},
    )


def _status_url(request: HttpRequest, order: Order) -> str | None:
    link = services.live_status_link(order)
    if link is None:
        return None
    return request.build_absolute_uri(
        reverse("sales:order_status_page", args=[services.status_link_token(link)])
    )


@login_required
@require_GET
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = acting_user(request)
    order = _order(request, order_id)
    allowed = services.allowed_next_statuses(order)
    return render(
        request,
        "sales/orders/detail.html",
        {
            "nav": "orders",
            "order": order,
            "lines": list(order.lines.all()),
            "changes": list(order.status_changes.all()),
            "status_form": OrderStatusForm(
                choices=[(s.code, s.name) for s in allowed],
                initial={"expected_date": order.expected_date},
            ),
            "has_next": bool(allowed),
            "status_url": _status_url(request, order),
            "can_edit": may_edit_sales(actor),
        },
    )


@login_required
@require_POST
def order_status_change(request: HttpRequest, order_id: int) -> HttpResponse:
    actor = acting_user(request)
    order = _order(request, order_id)
    allowed = services.allowed_next_statuses(order)
    # Any code is passed on: the service refuses an illegal step with its own message.
    form = OrderStatusForm(
        request.POST,
        choices=[(s.code, s.name) for s in allowed]
        + [(str(request.POST.get("status", ""))[:40], "")],
    )
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, str(message))
        return redirect("sales:order_detail", order.pk)
    try:
        with service_errors():
            services.order_change_status(
                actor=actor,
                order=order,
                to=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                expected_date=form.cleaned_data["expected_date"],
                vin=form.cleaned_data["vin"],
            )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("Status changed."))
    return redirect("sales:order_detail", order.pk)


@login_required
@require_POST
def order_link_issue(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    with service_errors():
        services.order_link_issue(actor=acting_user(request), order=order)
    messages.success(request, _("A new status link is ready; any earlier link no longer works."))
    return redirect("sales:order_detail", order.pk)


@login_required
@require_POST
def order_link_revoke(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    with service_errors():
        services.order_link_revoke(actor=acting_user(request), order=order)
    messages.success(request, _("The status link no longer works."))
    return redirect("sales:order_detail", order.pk)


@login_required
@require_POST
def order_from_quote(request: HttpRequest, quote_id: int) -> HttpResponse:
    actor = acting_user(request)
    quote = visible_or_404(quote_selectors.quote_for, actor=actor, quote_id=quote_id)
    try:
        with service_errors():
            order = services.order_create_from_quote(actor=actor, quote=quote)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("sales:quote_detail", quote.pk)
    messages.success(request, _("Order %(number)s placed.") % {"number": order.number})
    return redirect("sales:order_detail", order.pk)


@login_required
@require_http_methods(["GET", "POST"])
def person_order_create(request: HttpRequest, person_id: int) -> HttpResponse:
    """An order taken during a call: products (or a saved configuration's price) for one
    of the person's open deals, or for a new deal opened with the same lines."""
    actor = acting_user(request)
    person = visible_or_404(person_get, actor=actor, person_id=person_id)
    deals = list(
        visible_deals(actor)
        .filter(person=person)
        .exclude(status=StageKind.LOST)
        .order_by("-created_at")[:50]
    )
    deal_choices = [(str(d.pk), d.title) for d in deals]
    if request.method == "POST":
        form = OrderTakeForm(request.POST, deals=deal_choices)
        formset = LineFormSet(request.POST, prefix="lines")
        if form.is_valid() and formset.is_valid():
            lines = formset.lines()
            try:
                with service_errors(), transaction.atomic():
                    order = _take(actor, person, form.cleaned_data, lines)
            except ValidationError as exc:
                _line_errors(form, formset, exc)
            else:
                messages.success(request, _("Order %(number)s placed.") % {"number": order.number})
                return redirect("sales:order_detail", order.pk)
    else:
        form = OrderTakeForm(deals=deal_choices, initial={"language": "ru"})
        formset = LineFormSet(prefix="lines")
    return render(
        request,
        "sales/orders/take.html",
        {
            "nav": "orders",
            "person": person,
            "form": form,
            "formset": formset,
            "can_edit": may_edit_sales(actor),
        },
    )


def _take(actor: User, person: Any, data: dict[str, Any], lines: list[dict[str, Any]]) -> Order:
    """One transaction: the new deal (if none was picked) and the order commit together."""
    from sputnik.sales.services.deals import deal_create

    if not lines:
        raise ValidationError({"lines": [_("Add at least one line.")]})
    deal_id = data.get("deal")
    if deal_id:
        deal: Any = visible_deals(actor).get(pk=int(deal_id))
    else:
        deal = deal_create(
            actor=actor,
            data={
                "person_id": person.pk,
                "source": "call",
                "lines": [
                    {
                        "product_id": line["product_id"],
                        "description": line["name"],
                        "quantity": line["quantity"],
                        "unit_price": line["unit_price"],
                        "discount_pct": line["discount_percent"],
                    }
                    for line in lines
                ],
            },
        )
    return services.order_create(
        actor=actor,
        deal=deal,
        lines=lines,
        source=Order.Source.CALL,
        expected_date=data.get("expected_date"),
        language=data.get("language") or "ru",
        notes=data.get("notes") or "",
    )


@login_required
@require_GET
def person_orders_panel(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person card's panel (lazy): their quotes and orders, and "take an order"."""
    actor = acting_user(request)
    person = visible_or_404(person_get, actor=actor, person_id=person_id)
    return render(
        request,
        "sales/orders/_person_panel.html",
        {
            "person": person,
            "orders": selectors.orders_of_person(actor=actor, person_id=person.pk),
            "quotes": quote_selectors.quotes_of_person(actor=actor, person_id=person.pk),
            "can_edit": may_edit_sales(actor),
        },
    )
