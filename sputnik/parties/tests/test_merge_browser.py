"""Merging two duplicates from the review screen, in headless Chromium, with screenshots.

A centre head opens the duplicates queue the batch run filled, opens the cluster of one
customer entered twice (once in Cyrillic, once transliterated with a slip), compares the
two records side by side, keeps the transliterated first name and the birth date of the
second record, merges, and lands on the card that now has both phones and the timeline of
both records.
"""

from __future__ import annotations

import re
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from sputnik.activities.models import Interaction
from sputnik.activities.services import note_create
from sputnik.parties.dedup.job import run_dedup
from sputnik.parties.models import ContactPoint, Person
from sputnik.parties.services import person_create
from sputnik.web.tests.browser import browser_page, shot  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_centre_head_merges_two_duplicates_from_the_review_screen(
    browser_page,  # noqa: F811
    live_server,
    person,
    owner,
    head,
):
    page = browser_page
    twin = person_create(
        actor=owner,
        data={
            "last_name": "Ivanof",
            "first_name": "Sergei",
            "birthday": "1980-02-03",
            "phones": ["+7 912 345 67 89", "+7 903 555 44 33"],
        },
    )
    note_create(actor=owner, person_id=twin.pk, body="Спрашивал про трейд-ин")
    run_dedup()

    # The first request imports every view and compiles templates; on a busy machine that
    # alone outlasts a navigation timeout, so the server is warmed up first.
    urlopen(live_server.url + "/accounts/login/", timeout=300).read()  # noqa: S310 (http only)
    page.set_default_timeout(60_000)
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "head")
    page.fill("input[name=password]", "pass-head")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/persons/"))

    # Duplicates sit in the navigation's Intake menu.
    page.click("nav.navbar li.dropdown:has(a[href='/duplicates/']) > .dropdown-toggle")
    page.click("nav.navbar a[href='/duplicates/']")
    expect(page.locator("#dedup-clusters")).to_contain_text("Иванов Сергей Петрович")
    expect(page.locator("#dedup-clusters")).to_contain_text("Ivanof Sergei")
    shot(page, "dedup-01-review-queue")

    page.locator("#dedup-clusters a").first.click()
    expect(page.locator("#cluster-members")).to_contain_text("+7 912 345-67-89")
    shot(page, "dedup-02-cluster")

    page.locator("a[data-merge-pair]").first.click()
    page.wait_for_selector("#merge-form")
    # Keep the first name and the birth date of the second record.
    page.check("input[name=pick_first_name][value=merged]")
    expect(page.locator("input[name=pick_birthday][value=merged]")).to_be_checked()
    shot(page, "dedup-03-merge-screen")

    page.click("#merge-submit")
    page.wait_for_url(re.compile(rf"/persons/{person.pk}/$"))
    expect(page.locator("h1")).to_contain_text("Иванов Sergei")
    expect(page.locator("body")).to_contain_text("has been merged into")
    shot(page, "dedup-04-merged-card")

    assert not Person.objects.filter(pk=twin.pk).exists()
    assert set(
        ContactPoint.objects.filter(person_id=person.pk, kind="phone").values_list(
            "value", flat=True
        )
    ) == {"+79123456789", "+79035554433"}
    assert Interaction.objects.filter(person_id=person.pk, body__contains="трейд-ин").exists()
    assert page.console_errors == []
