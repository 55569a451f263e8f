"""Quote and order pages: what renders for whom, draft editing with per-line errors, the
operator's order from the person card, CSP-clean markup and bounded queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sputnik.sales.models import Deal, Order, Quote
from sputnik.sales.services.orders import order_create, order_create_from_quote
from sputnik.sales.services.quotes import quote_accept, quote_create, quote_send
from sputnik.sales.tests import quotes_support
from sputnik.web.tests.conftest import HANDLER_ATTRIBUTE, INLINE_SCRIPT, STYLE_ATTRIBUTE

catalogue = quotes_support.catalogue
deal = quotes_support.deal

pytestmark = pytest.mark.django_db


def csp_clean(html: str) -> bool:
    return not (
        INLINE_SCRIPT.search(html) or STYLE_ATTRIBUTE.search(html) or HANDLER_ATTRIBUTE.search(html)
    )


def test_the_deal_panel_lists_quotes_and_creates_one_from_the_deals_lines(client, owner, deal):
    client.force_login(owner)
    panel = client.get(reverse("sales:deal_quotes_panel", args=[deal.pk]))
    assert panel.status_code == 200 and "No quotes yet." in panel.content.decode()
    response = client.post(reverse("sales:quote_create", args=[deal.pk]))
    quote = Quote.objects.get(deal=deal)
    assert response.status_code == 302 and response["Location"] == reverse(
        "sales:quote_detail", args=[quote.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert quote.number in page and "Lada Niva Travel Comfort" in page
    assert csp_clean(page)


def test_editing_a_draft_shows_errors_on_the_line_and_saves_nothing(client, owner, deal):
    client.force_login(owner)
    quote = quote_create(actor=owner, deal=deal)
    url = reverse("sales:quote_edit", args=[quote.pk])
    form = {
        "valid_until": quote.valid_until.isoformat(),
        "vat_rate": "20",
        "language": "ru",
        "notes": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
        "lines-0-name": "Коврики",
        "lines-0-quantity": "-2",
        "lines-0-unit_price": "100",
        "lines-0-discount_percent": "150",
        "lines-1-name": "",
        "lines-1-quantity": "",
        "lines-1-unit_price": "",
        "lines-1-discount_percent": "",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "The quantity must be greater than zero." in html
        and "A discount is between 0 and 100%." in html
    )
    quote.refresh_from_db()
    assert quote.lines.count() == 2  # unchanged
    form.update({"lines-0-quantity": "2", "lines-0-discount_percent": "10"})
    assert client.post(url, form).status_code == 302
    quote.refresh_from_db()
    assert [line.name for line in quote.lines.all()] == ["Коврики"]
    assert str(quote.gross_total) == "216.00"


def test_the_status_steps_and_an_order_from_the_page(client, owner, deal):
    client.force_login(owner)
    quote = quote_create(actor=owner, deal=deal)
    client.post(reverse("sales:quote_send", args=[quote.pk]))
    client.post(reverse("sales:quote_accept", args=[quote.pk]))
    assert Quote.objects.get(pk=quote.pk).status == "accepted"
    response = client.post(reverse("sales:order_from_quote", args=[quote.pk]))
    order = Order.objects.get(quote=quote)
    assert response["Location"] == reverse("sales:order_detail", args=[order.pk])
    page = client.get(response["Location"]).content.decode()
    assert order.number in page and "Confirmed" in page and csp_clean(page)


def test_an_illegal_order_step_from_the_page_is_refused_with_a_message(client, owner, deal):
    client.force_login(owner)
    order = order_create(actor=owner, deal=deal, lines=[{"name": "x", "unit_price": "1"}])
    response = client.post(
        reverse("sales:order_status_change", args=[order.pk]), {"status": "delivered"}, follow=True
    )
    assert "cannot go from" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status.code == "placed"


def test_an_operator_takes_an_order_during_a_call_from_the_person_card(
    client, operator, person, catalogue
):
    client.force_login(operator)
    card_panel = client.get(reverse("sales:person_orders_panel", args=[person.pk]))
    assert "Take an order" in card_panel.content.decode()
    url = reverse("sales:person_order_create", args=[person.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "deal": "",
            "language": "ru",
            "notes": "Звонок",
            "expected_date": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "200",
            "lines-0-product_id": str(catalogue["mats"].pk),
            "lines-0-name": "",
            "lines-0-quantity": "2",
            "lines-0-unit_price": "",
            "lines-0-discount_percent": "",
        },
    )
    order = Order.objects.get()
    assert response["Location"] == reverse("sales:order_detail", args=[order.pk])
    assert (order.source, order.created_by, str(order.gross_total)) == (
        "call",
        operator,
        "11976.00",
    )
    deal = Deal.objects.get(pk=order.deal_id)
    assert deal.person_id == person.pk and deal.source == "call"


def test_a_refused_operator_order_writes_neither_deal_nor_order(
    client, operator, person, catalogue
):
    client.force_login(operator)
    response = client.post(
        reverse("sales:person_order_create", args=[person.pk]),
        {
            "deal": "",
            "language": "ru",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "200",
            "lines-0-product_id": str(catalogue["mats"].pk),
            "lines-0-quantity": "-1",
        },
    )
    assert response.status_code == 200
    assert not Order.objects.exists() and not Deal.objects.exists()


def test_the_order_list_shows_only_visible_orders_in_bounded_queries(
    client, owner, outsider, deal, person, catalogue
):
    for _ in range(5):
        order_create(actor=owner, deal=deal, lines=[{"name": "x", "unit_price": "1"}])
    client.force_login(owner)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("sales:order_list")).content.decode()
    assert page.count("ЗК-МОС-") == 5
    assert len(queries) <= 12
    client.force_login(outsider)
    assert "ЗК-МОС-" not in client.get(reverse("sales:order_list")).content.decode()


def test_the_person_card_panel_lists_quotes_and_orders(client, owner, deal, person):
    quote = quote_create(actor=owner, deal=deal)
    quote_send(actor=owner, quote=quote)
    quote_accept(actor=owner, quote=quote)
    order = order_create_from_quote(actor=owner, quote=quote)
    client.force_login(owner)
    html = client.get(reverse("sales:person_orders_panel", args=[person.pk])).content.decode()
    assert order.number in html and quote.number in html


def test_the_order_workflow_is_configured_in_the_admin(client, admin_user, deal, owner):
    from sputnik.sales.models import OrderStatus

    client.force_login(admin_user)
    status = OrderStatus.objects.get(code="in_transit")
    assert client.get(reverse("admin:sales_orderstatus_changelist")).status_code == 200
    assert (
        client.get(reverse("admin:sales_orderstatus_change", args=[status.pk])).status_code == 200
    )
    order = order_create(actor=owner, deal=deal, lines=[{"name": "x", "unit_price": "1"}])
    assert client.get(reverse("admin:sales_order_change", args=[order.pk])).status_code == 200
    assert client.get(reverse("admin:sales_order_add")).status_code == 403


def test_editing_a_draft_keeps_a_configured_lines_options(client, owner, deal):
    client.force_login(owner)
    quote = quote_create(actor=owner, deal=deal)
    page = client.get(reverse("sales:quote_edit", args=[quote.pk]))
    formset = page.context["formset"]
    data = {
        "valid_until": quote.valid_until.isoformat(),
        "vat_rate": "20",
        "language": "ru",
        "notes": "",
        **{
            f"lines-{k}": v
            for k, v in {
                "TOTAL_FORMS": "4",
                "INITIAL_FORMS": "2",
                "MIN_NUM_FORMS": "0",
                "MAX_NUM_FORMS": "200",
            }.items()
        },
    }
    for i, form in enumerate(formset.forms):
        for name in form.fields:
            value = form.initial.get(name, "")
            data[f"lines-{i}-{name}"] = value if value is not None else ""
    data["lines-0-discount_percent"] = "5"
    assert client.post(reverse("sales:quote_edit", args=[quote.pk]), data).status_code == 302
    first = Quote.objects.get(pk=quote.pk).lines.order_by("position").first()
    assert str(first.discount_percent) == "5.00"
    assert first.configuration["options"][0]["name"] == "Белый"
