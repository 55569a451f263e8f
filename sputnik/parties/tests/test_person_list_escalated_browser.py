"""A centre head narrows the persons list to escalated leads, in headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from sputnik.parties.services import person_create
from sputnik.parties.tests.test_person_list_escalated import escalate
from sputnik.web.tests.browser import browser_page, shot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_centre_head_ticks_escalated_leads_and_the_list_and_its_export_narrow(
    browser_page,  # noqa: F811
    live_server,
    owner,
    outsider,
    head,
):
    page = browser_page
    waiting = person_create(actor=owner, data={"last_name": "Ждущий", "first_name": "Лид"})
    person_create(actor=owner, data={"last_name": "Спокойный", "first_name": "Клиент"})
    escalate(waiting)
    escalate(person_create(actor=outsider, data={"last_name": "Чужой", "first_name": "Лид"}))

    urlopen(live_server.url + "/accounts/login/", timeout=300).read()  # noqa: S310 (http only)
    page.set_default_timeout(60_000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "head")
    page.fill("input[name=password]", "pass-head")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/persons/"))
    expect(page.locator("#person-results")).to_contain_text("Спокойный")

    page.check("input[name=escalated]")  # the form re-runs the search on change
    expect(page).to_have_url(re.compile(r"escalated=on"))
    results = page.locator("#person-results")
    expect(results).to_contain_text("Ждущий")
    expect(results).not_to_contain_text("Спокойный")
    expect(results).not_to_contain_text("Чужой")  # another centre's lead stays hidden
    shot(page, "persons-escalated-filter")

    # The export takes the list as filtered now (the link reads the form when clicked).
    page.click("#person-export-menu")
    with page.expect_download() as info:
        page.locator("a[data-export-form]").first.click()
    download = info.value
    assert "escalated=on" in download.url
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert "Ждущий" in text and "Спокойный" not in text and "Чужой" not in text
