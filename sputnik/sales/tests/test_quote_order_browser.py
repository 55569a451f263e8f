"""Quotes and orders in headless Chromium, with screenshots: a manager produces a quote
PDF from a deal (downloaded and its text checked), and a customer follows an order on
its public status page after the manager changes its status."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from sputnik.sales.models import Quote
from sputnik.sales.services.orders import order_create_from_quote
from sputnik.sales.services.quotes import quote_accept, quote_create, quote_send
from sputnik.sales.tests import quotes_support
from sputnik.web.tests.browser import shot

catalogue = quotes_support.catalogue
deal = quotes_support.deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-" + username)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/persons/"))


def test_a_manager_produces_a_quote_pdf_from_a_deal(
    browser_page, live_server, owner, deal, tmp_path
):
    page = browser_page
    _sign_in(page, live_server, "owner")
    page.goto(f"{live_server.url}/deals/{deal.pk}/")
    page.locator("#new-quote").click()
    page.wait_for_url(re.compile(r"/quotes/\d+/$"))
    quote = Quote.objects.get(deal=deal)
    expect(page.locator("#quote-lines")).to_contain_text("Lada Niva Travel Comfort")
    expect(page.locator("#total-gross")).to_contain_text("1,757,976.00")
    shot(page, "quote-01-draft")
    page.locator("#send-quote").click()
    expect(page.locator("#quote-status")).to_contain_text("Sent")
    shot(page, "quote-02-sent")
    with page.expect_download() as download_info:
        page.locator("#quote-pdf").click()
    download = download_info.value
    path = Path(tmp_path) / download.suggested_filename
    download.save_as(path)
    assert download.suggested_filename.endswith(".pdf")
    reader = PdfReader(BytesIO(path.read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    # The manager works in English, so the document is in English; the Cyrillic of the
    # number, the products and the customer comes out intact.
    assert f"Quote No. {quote.number}" in text
    assert "Коврики салона" in text and "Иванов Сергей Петрович" in text
    assert "Total incl. VAT: 1,757,976.00 RUB" in text
    assert "VAT 20%: 292,996.00 RUB" in text
    # The stored PDF shows on the person's card among their documents, too.
    quote.refresh_from_db()
    assert quote.document_id is not None
    assert page.console_errors == []


def test_a_company_only_deals_sent_quote_is_listed_and_downloaded_from_the_deal(
    browser_page, live_server, owner, catalogue, tmp_path
):
    from sputnik.parties.services import company_create
    from sputnik.sales.services.deals import deal_create

    company = company_create(actor=owner, data={"name": "ООО Ромашка"})
    company_deal = deal_create(
        actor=owner,
        data={
            "company_id": company.pk,
            "title": "Автопарк Ромашки",
            "lines": [{"product_id": catalogue["mats"].pk, "quantity": 4}],
        },
    )
    quote = quote_create(actor=owner, deal=company_deal)
    quote_send(actor=owner, quote=quote)
    page = browser_page
    _sign_in(page, live_server, "owner")
    page.goto(f"{live_server.url}/deals/{company_deal.pk}/")
    stored = page.locator(f"[data-stored-pdf='{quote.pk}']")
    expect(stored).to_be_visible()
    shot(page, "quote-03-company-deal-stored-pdf")
    with page.expect_download() as download_info:
        stored.click()
    path = Path(tmp_path) / download_info.value.suggested_filename
    download_info.value.save_as(path)
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(BytesIO(path.read_bytes())).pages).split()
    )
    assert quote.number in text and "ООО Ромашка" in text and "Коврики салона" in text
    assert page.console_errors == []


def test_a_customer_follows_the_order_on_the_public_page(browser_page, live_server, owner, deal):
    quote = quote_create(actor=owner, deal=deal)
    quote_send(actor=owner, quote=quote)
    quote_accept(actor=owner, quote=quote)
    order = order_create_from_quote(actor=owner, quote=quote, expected_date="2027-03-01")
    page = browser_page
    _sign_in(page, live_server, "owner")
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    page.locator("#issue-link").click()
    status_url = page.locator("#status-url").input_value()
    assert "/status/" in status_url
    page.select_option("#id_status", "confirmed")
    page.fill("#id_note", "Отгрузка с завода согласована")
    page.locator("#status-form button[type=submit]").click()
    expect(page.locator("#order-status")).to_contain_text("Confirmed")
    shot(page, "order-01-staff-page")

    # The customer: no sign-in, their own browser.
    customer = page.context.browser.new_context(locale="ru-RU")
    public = customer.new_page()
    public.goto(status_url)
    expect(public.locator("#current-status")).to_contain_text("Подтверждён")
    expect(public.locator("#status-history")).to_contain_text("Оформлен")
    expect(public.locator("h1")).to_contain_text("Сергей")
    body = public.locator("body").inner_text()
    assert "Иванов" not in body and "Отгрузка" not in body and "1 757 976" not in body
    shot(public, "order-02-public-ru")
    public.locator("#switch-language").click()
    expect(public.locator("#current-status")).to_contain_text("Confirmed")
    shot(public, "order-03-public-en")

    # The manager revokes the link: the page is gone for the customer.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#revoke-link").click()
    expect(page.locator("#status-url")).to_have_count(0)
    response = public.goto(status_url)
    assert response is not None and response.status == 404
    shot(public, "order-04-revoked")
    customer.close()
