"""A manager's journey in Chromium: search, open the card, add a note and log a call."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sputnik.web.tests.browser import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-" + username)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/persons/")


def test_manager_finds_a_customer_by_phone_and_works_the_timeline_without_reloads(
    browser_page, live_server, person, owner
):
    page = browser_page
    _sign_in(page, live_server, "owner")

    page.locator("input[name=q]").press_sequentially("8 912 345 67 89", delay=20)
    expect(page).to_have_url(re.compile(r"q=8"))  # the search pushed its URL
    page.locator("#person-results a", has_text="Иванов Сергей").click()
    page.wait_for_selector("#note-form")

    page.fill("#note-form textarea", "<img src=x onerror=alert(1)> перезвонить")
    page.click("#note-form button[type=submit]")
    entry = page.locator("#timeline-entries article").first
    entry.wait_for()
    assert "<img src=x onerror=alert(1)> перезвонить" in entry.inner_text()
    assert page.locator("#note-form textarea").input_value() == ""

    page.click("button[data-bs-target='#quick-call']")
    page.select_option("#call_outcome", "no_answer")
    page.fill("#call_duration", "0:40")
    page.click("#call-form button[type=submit]")
    page.locator("#timeline-entries article", has_text="No answer").wait_for()

    page.click("#history-tab")
    page.locator("#history-pane", has_text="created").first.wait_for()
    shot(page, "person-card-timeline")
    assert page.console_errors == []  # no CSP violations, no script errors


def test_the_card_is_usable_on_a_phone_sized_screen(browser_page, live_server, person, owner):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, "owner")
    page.goto(live_server.url + f"/persons/{person.pk}/")
    page.wait_for_selector("#note-form")
    assert page.locator(".navbar-toggler").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    shot(page, "person-card-phone")
    assert page.console_errors == []
