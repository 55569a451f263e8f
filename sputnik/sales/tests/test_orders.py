"""Orders: from an accepted quote or directly, the configurable status workflow, the
recorded order.status_changed event, hand-over of the vehicle, and the status link."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from sputnik.activities.models import Interaction
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import Asset
from sputnik.sales.models import Order, OrderEvent, OrderStatus, OrderStatusChange, OrderStatusLink
from sputnik.sales.services.orders import (
    order_change_status,
    order_create,
    order_create_from_quote,
    order_link_issue,
    order_link_revoke,
    resolve_status_token,
    status_link_token,
)
from sputnik.sales.services.quotes import quote_accept, quote_create, quote_send
from sputnik.sales.tests import quotes_support

catalogue = quotes_support.catalogue
deal = quotes_support.deal

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def accepted_quote(owner, deal):
    quote = quote_create(actor=owner, deal=deal)
    quote_send(actor=owner, quote=quote)
    return quote_accept(actor=owner, quote=quote)


def walk(actor, order, *codes, **extra):
    for code in codes:
        order = order_change_status(actor=actor, order=order, to=code, **extra)
    return order


def test_an_accepted_quote_becomes_an_order_with_its_lines_and_totals(owner, accepted_quote):
    order = order_create_from_quote(actor=owner, quote=accepted_quote, expected_date="2027-01-15")
    assert order.status.code == "placed"
    assert order.source == "quote" and order.quote_id == accepted_quote.pk
    assert order.gross_total == accepted_quote.gross_total == D("1757976.00")
    assert [line.name for line in order.lines.all()] == [
        line.name for line in accepted_quote.lines.all()
    ]
    assert order.number.startswith("ЗК-МОС-")
    first = OrderStatusChange.objects.get(order=order)
    assert (first.from_status, first.to_status.code, first.actor) == (None, "placed", owner)
    with pytest.raises(ValidationError, match="already has an order"):
        order_create_from_quote(actor=owner, quote=accepted_quote)


def test_a_quote_that_is_not_accepted_does_not_become_an_order(owner, deal):
    quote = quote_create(actor=owner, deal=deal)
    with pytest.raises(ValidationError, match="Only an accepted quote"):
        order_create_from_quote(actor=owner, quote=quote)
    assert not Order.objects.exists()


def test_an_operator_takes_an_order_during_a_call(operator, deal, catalogue):
    order = order_create(
        actor=operator,
        deal=deal,
        lines=[{"product_id": catalogue["mats"].pk, "quantity": 2, "discount_percent": "10"}],
        language="en",
    )
    assert (order.source, order.language, order.created_by) == ("call", "en", operator)
    assert order.net_total == D("8982.00") and order.gross_total == D("10778.40")


def test_bad_order_lines_are_refused_and_nothing_is_written(operator, deal):
    with pytest.raises(ValidationError) as caught:
        order_create(
            actor=operator,
            deal=deal,
            lines=[
                {"name": "Коврики", "quantity": "-1", "unit_price": "10", "discount_percent": "101"}
            ],
        )
    assert {"lines.0.quantity", "lines.0.discount_percent"} <= set(caught.value.message_dict)
    assert not Order.objects.exists() and not OrderEvent.objects.exists()


def test_the_workflow_moves_step_by_step_and_refuses_illegal_jumps(owner, accepted_quote):
    order = order_create_from_quote(actor=owner, quote=accepted_quote)
    with pytest.raises(ValidationError) as caught:
        order_change_status(actor=owner, order=order, to="delivered")
    message = caught.value.message_dict["status"][0]
    assert "cannot go from “Placed” to “Delivered”" in message
    assert "Confirmed" in message
    order.refresh_from_db()
    assert order.status.code == "placed"
    assert OrderStatusChange.objects.filter(order=order).count() == 1
    order = walk(owner, order, "confirmed", "in_transit", note="Отгружен с завода")
    change = OrderStatusChange.objects.filter(order=order).last()
    assert (change.from_status.code, change.to_status.code, change.note) == (
        "confirmed",
        "in_transit",
        "Отгружен с завода",
    )
    with pytest.raises(ValidationError):
        order_change_status(actor=owner, order=order, to="no-such-step")


def test_the_workflow_is_data_a_company_can_change(owner, accepted_quote):
    order = order_create_from_quote(actor=owner, quote=accepted_quote)
    customs = OrderStatus.objects.create(
        code="customs", name_ru="Таможня", name_en="Customs", position=15
    )
    placed = OrderStatus.objects.get(code="placed")
    placed.allowed_next.add(customs)
    customs.allowed_next.add(OrderStatus.objects.get(code="confirmed"))
    order = walk(owner, order, "customs", "confirmed")
    assert order.status.code == "confirmed"


def test_every_change_records_the_event_for_messaging_and_the_timeline(owner, accepted_quote):
    order = order_create_from_quote(actor=owner, quote=accepted_quote)
    order = walk(owner, order, "confirmed")
    events = list(OrderEvent.objects.filter(order=order).order_by("id"))
    assert [(e.payload["from"], e.payload["to"]) for e in events] == [
        (None, "placed"),
        ("placed", "confirmed"),
    ]
    last = events[-1]
    assert last.name == "order.status_changed"
    assert last.payload["order_id"] == order.pk and last.payload["person_id"] == order.person_id
    assert last.payload["at"] and last.processed_at is None
    timeline = Interaction.objects.filter(person_id=order.person_id, data__order_id=order.pk)
    assert {e.data["event"] for e in timeline} == {"order_created", "order_status_changed"}


def test_a_refused_change_records_no_event(owner, accepted_quote):
    order = order_create_from_quote(actor=owner, quote=accepted_quote)
    with pytest.raises(ValidationError):
        order_change_status(actor=owner, order=order, to="ready")
    assert OrderEvent.objects.filter(order=order).count() == 1


def test_delivery_adds_the_new_vehicle_to_the_customers_assets(owner, accepted_quote, person):
    order = order_create_from_quote(actor=owner, quote=accepted_quote)
    order = walk(owner, order, "confirmed", "in_transit", "arrived", "ready")
    order = order_change_status(actor=owner, order=order, to="delivered", vin="1M8GDM9AXKP042788")
    asset = Asset.objects.get(pk=order.delivered_asset_id)
    assert (asset.person_id, asset.make, asset.model, asset.vin) == (
        person.pk,
        "Lada",
        "Niva Travel Comfort",
        "1M8GDM9AXKP042788",
    )
    assert order.delivered_at is not None
    with pytest.raises(ValidationError):
        order_change_status(actor=owner, order=order, to="cancelled")  # delivered is final


def test_a_vin_that_belongs_to_another_current_vehicle_leaves_the_order_undelivered(
    owner, accepted_quote, person
):
    Asset.objects.create(person=person, make="Lada", model="Vesta", vin="1M8GDM9AXKP042788")
    order = order_create_from_quote(actor=owner, quote=accepted_quote)
    order = walk(owner, order, "confirmed", "in_transit", "arrived", "ready")
    with pytest.raises(ValidationError) as caught:
        order_change_status(actor=owner, order=order, to="delivered", vin="1M8GDM9AXKP042788")
    assert "vin" in caught.value.message_dict
    order.refresh_from_db()
    assert order.status.code == "ready" and order.delivered_at is None


def test_outsiders_and_read_only_roles_cannot_change_an_order(
    owner, outsider, colleague, executive, accepted_quote
):
    order = order_create_from_quote(actor=owner, quote=accepted_quote)
    for actor in (outsider, colleague, executive):
        with pytest.raises(AccessDenied):
            order_change_status(actor=actor, order=order, to="confirmed")
        with pytest.raises(AccessDenied):
            order_link_issue(actor=actor, order=order)
    order.refresh_from_db()
    assert order.status.code == "placed" and not OrderStatusLink.objects.exists()


def test_a_status_link_resolves_until_revoked_and_a_reissued_one_replaces_it(owner, accepted_quote):
    order = order_create_from_quote(actor=owner, quote=accepted_quote)
    link = order_link_issue(actor=owner, order=order)
    token = status_link_token(link)
    assert len(token) > 60
    assert resolve_status_token(token).order_id == order.pk
    assert resolve_status_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert resolve_status_token(link.nonce) is None  # the bare nonce is not a link
    new = order_link_issue(actor=owner, order=order)
    assert resolve_status_token(token) is None
    assert resolve_status_token(status_link_token(new)).pk == new.pk
    assert order_link_revoke(actor=owner, order=order) == 1
    assert resolve_status_token(status_link_token(new)) is None


def test_delivery_completes_the_deals_trade_in(owner, accepted_quote, person):
    from sputnik.sales.models import Deal, TradeIn

    old = Asset.objects.create(person=person, make="Lada", model="Granta", year=2015)
    deal = Deal.objects.get(pk=accepted_quote.deal_id)
    TradeIn.objects.create(deal=deal, asset=old, vehicle_label="Lada Granta 2015")
    order = order_create_from_quote(actor=owner, quote=accepted_quote)
    order = walk(owner, order, "confirmed", "in_transit", "arrived", "ready")
    order = order_change_status(actor=owner, order=order, to="delivered", vin="1M8GDM9AXKP042788")
    old.refresh_from_db()
    assert old.disposed_at is not None  # the traded vehicle left the assets
    trade_in = TradeIn.objects.get(deal=deal)
    assert trade_in.completed_at is not None
    new = Asset.objects.get(pk=order.delivered_asset_id)
    assert trade_in.new_asset_id == new.pk
    assert (new.person_id, new.vin, new.disposed_at) == (person.pk, "1M8GDM9AXKP042788", None)


def test_deleting_the_customer_takes_their_quotes_and_orders_with_the_deal(
    owner, head, accepted_quote, person
):
    from sputnik.parties.services import person_delete
    from sputnik.sales.models import Quote

    order = order_create_from_quote(actor=owner, quote=accepted_quote)
    order_link_issue(actor=owner, order=order)
    quote_create(actor=owner, deal=accepted_quote.deal)  # a second, draft quote
    person_delete(actor=head, person=person)
    assert not Quote.objects.exists() and not Order.objects.exists()
    assert not OrderStatusLink.objects.exists() and not OrderEvent.objects.exists()


def test_timeline_entries_name_statuses_in_the_readers_language(owner, accepted_quote):
    from django.template.loader import render_to_string

    order = walk(owner, order_create_from_quote(actor=owner, quote=accepted_quote), "confirmed")
    placed, confirmed = (OrderStatus.objects.get(code=c) for c in ("placed", "confirmed"))
    step = Interaction.objects.get(
        person_id=order.person_id, data__order_id=order.pk, data__event="order_status_changed"
    )
    sent = Interaction.objects.filter(
        person_id=order.person_id,
        data__quote_id=accepted_quote.pk,
        data__event="quote_status_changed",
        data__to="sent",
    ).get()
    for language, placed_name, confirmed_name, sent_label in (
        ("ru", placed.name_ru, confirmed.name_ru, "Отправлено"),
        ("en", placed.name_en, confirmed.name_en, "Sent"),
    ):
        with translation.override(language):
            order_text = render_to_string("sales/deals/_timeline_deal.html", {"entry": step})
            quote_text = render_to_string("sales/deals/_timeline_deal.html", {"entry": sent})
        assert f"{placed_name} → {confirmed_name}" in order_text
        assert f"→ {sent_label}" in quote_text
        assert "sent" not in quote_text.replace(accepted_quote.number, "")
    card_entry = render_to_string(
        "activities/_entry.html", {"entry": sent, "changeable_ids": set(), "person": None}
    )
    assert card_entry.count(accepted_quote.number) == 1  # in the text, not again as a title
