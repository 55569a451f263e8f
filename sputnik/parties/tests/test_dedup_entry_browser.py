"""The duplicate check on entry in headless Chromium: hints while typing a transliterated,
swapped name, then the "possible duplicates" step on save, then "Create anyway"."""

from __future__ import annotations

import re
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from sputnik.parties.models import Person
from sputnik.web.tests.browser import browser_page, shot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_sees_the_existing_customer_while_typing_and_before_saving(
    browser_page,  # noqa: F811
    live_server,
    person,
    owner,
):
    page = browser_page
    urlopen(live_server.url + "/accounts/login/", timeout=300).read()  # noqa: S310 (http only)
    page.set_default_timeout(60_000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", "pass-owner")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/persons/"))

    page.goto(live_server.url + "/persons/new/")
    # Typed in Latin, first and last name swapped, with a slip: "Sergei Ivanof".
    page.locator("input[name=last_name]").press_sequentially("Sergei", delay=20)
    page.locator("input[name=first_name]").press_sequentially("Ivanof", delay=20)
    hint = page.locator(f"#duplicate-hints [data-duplicate='{person.pk}']")
    expect(hint).to_contain_text("Иванов Сергей Петрович")
    shot(page, "dedup-entry-01-hint-while-typing")

    page.locator("input[name=phone_0]").fill("+7 912 345 67 89")
    # Let the check that typing the phone starts finish before the page is left.
    expect(hint).to_contain_text("phone")
    page.wait_for_timeout(1500)
    page.wait_for_load_state("networkidle")
    page.locator("form button[type=submit]", has_text="Save").click()
    expect(page.locator("#possible-duplicates")).to_contain_text("Иванов Сергей Петрович")
    expect(page.locator("#possible-duplicates")).to_contain_text("Probably the same person")
    shot(page, "dedup-entry-02-possible-duplicates-step")
    assert Person.objects.count() == 1

    page.click("#create-anyway")
    page.wait_for_url(re.compile(r"/persons/\d+/$"))
    assert Person.objects.count() == 2
    assert page.console_errors == []
