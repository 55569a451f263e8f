"""The quotes and orders API: create, revise, status, PDF, orders, history, status link —
404 like a missing id for who may not see the deal, 422 per field, cursor paging."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from pypdf import PdfReader

from sputnik.conftest import VISIBILITY_MATRIX
from sputnik.core.tests.test_api_support import API, client_for, field_messages
from sputnik.sales.models import Order, OrderEvent, Quote
from sputnik.sales.tests import quotes_support

catalogue = quotes_support.catalogue
deal = quotes_support.deal

pytestmark = pytest.mark.django_db
MISSING_ID = 987654321

# The deal belongs to `owner` in centre A, like the person: the same ladder decides.
DEAL_VISIBILITY = VISIBILITY_MATRIX


def post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def owner_api(owner):
    client = client_for(owner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def accepted(owner_api, deal):
    quote = post(owner_api, f"{API}/deals/{deal.pk}/quotes").json()
    post(owner_api, f"{API}/quotes/{quote['id']}/status", {"status": "sent"})
    return post(owner_api, f"{API}/quotes/{quote['id']}/status", {"status": "accepted"}).json()


def test_a_quote_is_created_from_the_deal_revised_and_sent(owner_api, deal, catalogue):
    response = post(owner_api, f"{API}/deals/{deal.pk}/quotes", {"language": "en"})
    assert response.status_code == 201
    quote = response.json()
    assert quote["status"] == "draft" and len(quote["lines"]) == 2
    assert quote["gross_total"] == "1757976.00"
    revised = post(
        owner_api,
        f"{API}/quotes/{quote['id']}/revise",
        {"lines": [{"product_id": catalogue["car"].pk, "quantity": 1, "discount_percent": 5}]},
    )
    assert revised.status_code == 201
    assert (revised.json()["version"], revised.json()["previous_id"]) == (2, quote["id"])
    assert revised.json()["net_total"] == "1425000.00"
    assert owner_api.get(f"{API}/quotes/{quote['id']}").json()["status"] == "superseded"
    listed = owner_api.get(f"{API}/deals/{deal.pk}/quotes").json()
    assert [q["version"] for q in listed] == [2, 1]


def test_bad_lines_are_422_per_field_and_nothing_is_written(owner_api, deal):
    response = post(
        owner_api,
        f"{API}/deals/{deal.pk}/quotes",
        {
            "lines": [
                {"name": "Коврики", "quantity": -1, "unit_price": 100, "discount_percent": 150}
            ]
        },
    )
    assert response.status_code == 422
    assert field_messages(response, "lines", 0, "quantity")
    assert field_messages(response, "lines", 0, "discount_percent")
    assert not Quote.objects.exists()
    assert post(owner_api, f"{API}/deals/{deal.pk}/quotes", {"centre_id": 1}).status_code == 422


def test_an_illegal_quote_step_is_422(owner_api, deal):
    quote = post(owner_api, f"{API}/deals/{deal.pk}/quotes").json()
    response = post(owner_api, f"{API}/quotes/{quote['id']}/status", {"status": "accepted"})
    assert response.status_code == 422
    assert field_messages(response, "status")


def test_the_pdf_downloads_with_cyrillic_text(owner_api, accepted):
    response = owner_api.get(f"{API}/quotes/{accepted['id']}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages).split()
    )
    assert "Коврики салона" in text and "1 757 976,00" in text


def test_an_order_from_the_quote_moves_through_the_workflow(owner_api, accepted):
    response = post(
        owner_api, f"{API}/quotes/{accepted['id']}/order", {"expected_date": "2027-03-01"}
    )
    assert response.status_code == 201
    order = response.json()
    assert order["status"] == "placed" and order["allowed_next"] == ["confirmed", "cancelled"]
    bad = post(owner_api, f"{API}/orders/{order['id']}/status", {"status": "delivered"})
    assert bad.status_code == 422 and field_messages(bad, "status")
    ok = post(
        owner_api, f"{API}/orders/{order['id']}/status", {"status": "confirmed", "note": "ok"}
    )
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"
    history = owner_api.get(f"{API}/orders/{order['id']}/history").json()
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "placed"),
        ("placed", "confirmed"),
    ]
    assert OrderEvent.objects.filter(order_id=order["id"]).count() == 2


def test_the_status_link_is_issued_and_revoked(owner_api, accepted, client):
    order = post(owner_api, f"{API}/quotes/{accepted['id']}/order").json()
    issued = post(owner_api, f"{API}/orders/{order['id']}/status-link")
    assert issued.status_code == 201
    url = issued.json()["url"]
    assert client.get(url).status_code == 200
    assert owner_api.delete(f"{API}/orders/{order['id']}/status-link").status_code == 204
    assert client.get(url).status_code == 404


def test_an_operator_creates_an_order_directly(operator, deal, catalogue):
    api = client_for(operator)
    response = post(
        api,
        f"{API}/orders",
        {
            "deal_id": deal.pk,
            "source": "call",
            "lines": [{"product_id": catalogue["mats"].pk, "quantity": 1}],
        },
    )
    assert response.status_code == 201
    assert response.json()["gross_total"] == "5988.00"


def test_orders_page_by_cursor(owner_api, deal, catalogue):
    for _ in range(3):
        post(
            owner_api,
            f"{API}/orders",
            {"deal_id": deal.pk, "lines": [{"name": "x", "unit_price": 1}]},
        )
    first = owner_api.get(f"{API}/orders", {"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = owner_api.get(f"{API}/orders", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    ids = [o["id"] for o in first["items"] + second["items"]]
    assert len(set(ids)) == 3


@pytest.mark.parametrize(("persona", "sees"), DEAL_VISIBILITY)
def test_quotes_and_orders_follow_their_deals_visibility(
    request, owner_api, accepted, persona, sees
):
    order = post(owner_api, f"{API}/quotes/{accepted['id']}/order").json()
    api = client_for(request.getfixturevalue(persona))
    for path in (
        f"/quotes/{accepted['id']}",
        f"/quotes/{accepted['id']}/pdf",
        f"/orders/{order['id']}",
        f"/orders/{order['id']}/history",
    ):
        response = api.get(API + path)
        missing = api.get(
            API
            + path.replace(str(accepted["id"]), str(MISSING_ID)).replace(
                str(order["id"]), str(MISSING_ID)
            )
        )
        assert missing.status_code == 404
        assert response.status_code == (200 if sees else 404), (persona, path)
    listed = [o["id"] for o in api.get(f"{API}/orders").json()["items"]]
    assert (order["id"] in listed) is sees


@pytest.mark.parametrize("persona", ["outsider", "colleague", "executive", "marketer"])
def test_who_may_not_work_the_deal_changes_nothing(request, owner_api, accepted, persona):
    order = post(owner_api, f"{API}/quotes/{accepted['id']}/order").json()
    api = client_for(request.getfixturevalue(persona))
    answer = post(api, f"{API}/orders/{order['id']}/status", {"status": "confirmed"})
    assert answer.status_code in (403, 404)
    assert post(api, f"{API}/orders/{order['id']}/status-link").status_code in (403, 404)
    assert Order.objects.get(pk=order["id"]).status.code == "placed"
