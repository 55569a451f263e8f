"""In headless Chromium: a visitor configures a car on the public page (the price follows
each click, a conflicting option is disabled with the reason), leaves contacts with
consent, gets a reference; then an administrator signs in and finds the new prospect
and the deal carrying the configuration. Screenshots at each step, phone layout too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sputnik.core.demo.catalogue import CARS
from sputnik.sales.models import Deal, SavedConfiguration
from sputnik.sales.services.catalogue import product_define
from sputnik.web.tests.browser import browser_page, shot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _total(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("[data-total]").get_attribute("data-total") or ""


def test_visitor_configures_a_car_orders_it_and_the_crm_shows_prospect_and_deal(
    browser_page,  # noqa: F811
    live_server,
    admin_user,
    call_centre,
    centre_a,
):
    page = browser_page
    for car in CARS[:3]:
        product_define(actor=admin_user, definition=car)

    page.goto(live_server.url + "/configure/")
    expect(page.locator("[data-model]")).to_have_count(3)
    shot(page, "configurator-01-models")
    page.click("[data-model='LADA-VESTA']")
    page.wait_for_url(re.compile(r"/configure/LADA-VESTA/"))
    assert _total(page) == "1390000.00"

    # Classic trim: the 1.8 engine cannot be combined with it — disabled, reason shown.
    engine = page.locator("button[data-option='18-mt']")
    expect(engine).to_be_disabled()
    expect(engine).to_contain_text("Classic")
    shot(page, "configurator-02-default")

    page.click("button[data-option='comfort']")
    expect(page.locator("button[data-option='comfort']")).to_have_attribute("aria-pressed", "true")
    assert _total(page) == "1485000.00"
    expect(page.locator("button[data-option='18-mt']")).to_be_enabled()
    page.click("button[data-option='18-mt']")
    expect(page.locator("button[data-option='18-mt']")).to_have_attribute("aria-pressed", "true")
    page.click("button[data-option='red']")
    expect(page.locator("button[data-option='red']")).to_have_attribute("aria-pressed", "true")
    # Multimedia requires the camera: choosing it brings the camera along.
    page.click("button[data-option='multimedia']")
    expect(page.locator("button[data-option='camera']")).to_have_attribute("aria-pressed", "true")
    assert _total(page) == str(1390000 + 95000 + 120000 + 45000 + 55000 + 18000) + ".00"
    # With Comfort chosen, Classic is now the one that cannot go with the 1.8 engine.
    expect(page.locator("button[data-option='classic']")).to_be_disabled()
    expect(page.locator("[data-config-valid]")).to_be_visible()
    shot(page, "configurator-03-configured")

    page.fill("input[name=first_name]", "Анна")
    page.fill("input[name=last_name]", "Смирнова")
    page.fill("input[name=phone]", "+7 916 555-12-34")
    # Submitting without the consent: a clear message on the field, nothing written.
    page.click("#order-form button[type=submit]")
    expect(page.locator("#order-form")).to_contain_text(
        "Without this consent we cannot contact you."
    )
    assert SavedConfiguration.objects.count() == 0
    shot(page, "configurator-04-consent-missing")
    # The configuration survived the round trip.
    expect(page.locator("button[data-option='camera']")).to_have_attribute("aria-pressed", "true")
    page.check("input[name=consent_personal_data]")
    page.click("#order-form button[type=submit]")
    page.wait_for_url(re.compile(r"/configure/thanks/C-"))
    reference = page.locator("[data-reference]").inner_text()
    assert reference.startswith("C-")
    shot(page, "configurator-05-thanks")

    saved = SavedConfiguration.objects.get(reference=reference)
    deal = Deal.objects.get(pk=saved.deal_id)
    assert deal.lines.get().configuration["option_codes"] == [
        "comfort",
        "18-mt",
        "red",
        "multimedia",
        "camera",
    ]

    # The phone layout of the configurator.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/configure/HAVAL-JOLION/")
    expect(page.locator("h1")).to_contain_text("Haval Jolion")
    shot(page, "configurator-06-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # In the CRM: the administrator finds the prospect and the deal with the configuration.
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "pass-admin")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/persons/"))
    page.goto(live_server.url + f"/persons/{saved.person_id}/")
    expect(page.locator("h1")).to_contain_text("Смирнова")
    expect(page.locator("body")).to_contain_text(deal.title)
    shot(page, "configurator-07-crm-person")
    page.goto(live_server.url + f"/deals/{deal.pk}/")
    expect(page.locator("body")).to_contain_text("Lada Vesta · Comfort")
    expect(page.locator("body")).to_contain_text("Мультимедиа")
    shot(page, "configurator-08-crm-deal")
    # The one expected error: the refused submission's 400 (the form with its messages).
    errors = [e for e in page.console_errors if "status of 400" not in e]  # type: ignore[attr-defined]
    assert not errors
