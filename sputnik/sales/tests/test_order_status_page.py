"""The customer's public order-status page: content, language, leaks, revocation, 404s."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from sputnik.sales.services.orders import (
    order_change_status,
    order_create_from_quote,
    order_link_issue,
    order_link_revoke,
    order_update,
    status_link_token,
)
from sputnik.sales.services.quotes import quote_accept, quote_create, quote_send
from sputnik.sales.tests import quotes_support

catalogue = quotes_support.catalogue
deal = quotes_support.deal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup():
    cache.clear()


@pytest.fixture
def order(owner, deal):
    quote = quote_create(actor=owner, deal=deal)
    quote_send(actor=owner, quote=quote)
    quote_accept(actor=owner, quote=quote)
    order = order_create_from_quote(actor=owner, quote=quote, expected_date="2027-02-20")
    order = order_change_status(
        actor=owner,
        order=order,
        to="confirmed",
        note="Менеджер: скидка 3%, звонить Сергею на 8 912 345-67-89",
    )
    return order


def url_of(link) -> str:
    return reverse("sales:order_status_page", args=[status_link_token(link)])


def test_the_page_shows_status_history_and_expected_date_in_the_customers_language(
    client, owner, order
):
    link = order_link_issue(actor=owner, order=order)
    response = client.get(url_of(link))
    assert response.status_code == 200
    page = response.content.decode()
    assert response["Content-Language"] == "ru"
    assert "Сергей" in page  # the first name only
    assert order.number in page
    assert "Подтверждён" in page and "Оформлен" in page  # current step and history
    assert "В пути" in page  # the road ahead
    assert "20 февраля 2027" in page
    # switchable to English
    english = client.get(url_of(link) + "?lang=en").content.decode()
    assert "Confirmed" in english and "Placed" in english and "here is your order" in english


def test_the_page_follows_the_language_chosen_on_the_order(client, owner, order):
    order_update(actor=owner, order=order, data={"language": "en"})
    link = order_link_issue(actor=owner, order=order)
    response = client.get(url_of(link))
    assert response["Content-Language"] == "en"
    assert "Confirmed" in response.content.decode()


def test_the_page_reveals_nothing_else_about_the_customer(client, owner, order, person):
    link = order_link_issue(actor=owner, order=order)
    page = client.get(url_of(link)).content.decode()
    for secret in (
        "Иванов",
        "Петрович",
        "912",
        "345-67-89",
        "example.ru",
        "sergey",
        "скидка",
        "1 757 976",
        "1757976",
        "1 464 980",
        "owner",
        "Owner",
    ):
        assert secret.lower() not in page.lower(), secret
    assert "Lada Niva Travel Comfort" in page  # what was ordered, by name


def test_the_page_is_not_cached_indexed_framed_or_referred(client, owner, order):
    link = order_link_issue(actor=owner, order=order)
    response = client.get(url_of(link))
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]


def test_tampered_unknown_and_revoked_links_get_the_same_plain_404(client, owner, order):
    link = order_link_issue(actor=owner, order=order)
    token = status_link_token(link)
    nonce, signature = token.split(".")
    tampered = f"{nonce}.{signature[:-2]}xy"
    unknown = "A" * 32 + "." + signature
    order_link_revoke(actor=owner, order=order)
    answers = [
        client.get(reverse("sales:order_status_page", args=[t]))
        for t in (token, tampered, unknown, "x", nonce)
    ]
    assert {r.status_code for r in answers} == {404}
    # The same page for every kind of bad link (but for the per-request CSRF token).
    bodies = {re.sub(rb'content="[^"]{40,}"', b"", r.content) for r in answers}
    assert len(bodies) == 1  # one and the same page for every kind of bad link
    assert order.number.encode() not in answers[0].content


def test_a_reissued_link_replaces_the_old_one(client, owner, order):
    old = order_link_issue(actor=owner, order=order)
    new = order_link_issue(actor=owner, order=order)
    assert client.get(url_of(old)).status_code == 404
    assert client.get(url_of(new)).status_code == 200


def test_a_status_change_shows_on_the_page(client, owner, order):
    link = order_link_issue(actor=owner, order=order)
    order_change_status(actor=owner, order=order, to="in_transit", expected_date="2027-02-25")
    page = client.get(url_of(link) + "?lang=en").content.decode()
    assert "In transit" in page
    assert "Feb. 25, 2027" in page or "February 25, 2027" in page


def test_lookups_from_one_address_are_rate_limited(client, owner, order):
    link = order_link_issue(actor=owner, order=order)
    bad = reverse("sales:order_status_page", args=["A" * 40 + ".B"])
    codes = [client.get(bad).status_code for _ in range(61)]
    assert codes[:60] == [404] * 60 and codes[60] == 429
    assert client.get(url_of(link)).status_code == 429


def test_the_page_needs_no_sign_in_and_only_get(client, owner, order):
    link = order_link_issue(actor=owner, order=order)
    assert client.post(url_of(link)).status_code == 405


def test_the_page_reads_a_bounded_number_of_queries(client, owner, order):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    link = order_link_issue(actor=owner, order=order)
    client.get(url_of(link))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url_of(link)).status_code == 200
    own = [
        q
        for q in queries.captured_queries
        if "sputnik_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]
    # link+order+status+centre, last viewed, first name, history, steps ahead, items
    assert len(own) <= 8, [q["sql"][:80] for q in own]
