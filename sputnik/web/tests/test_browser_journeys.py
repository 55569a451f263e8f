"""The foundation's key journey in headless Chromium, with screenshots.

A sales manager signs in, finds a customer by a phone typed in another format than it
was entered, opens the 360° card, logs a call, sees it on the timeline, then switches the
interface to Russian.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sputnik.activities.models import Interaction
from sputnik.web.tests.browser import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_finds_caller_by_other_phone_spelling_logs_call_and_switches_to_russian(
    browser_page, live_server, person, owner, colleague
):
    page = browser_page
    # Another customer of the same owner, so the search has something to filter out.
    from sputnik.parties.services import person_create

    person_create(
        actor=owner,
        data={"last_name": "Петрова", "first_name": "Анна", "phones": ["+7 903 111-22-33"]},
    )

    page.goto(live_server.url + "/accounts/login/")
    shot(page, "journey-01-login")
    page.fill("input[name=username]", "owner")
    page.fill("input[name=password]", "pass-owner")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/persons/"))
    expect(page.locator("#person-results")).to_contain_text("Петрова")
    shot(page, "journey-02-persons-list")

    # Stored from "8 (912) 345-67-89"; typed the international way.
    page.locator("input[name=q]").press_sequentially("+7 912 345 67 89", delay=15)
    expect(page.locator("#person-results")).not_to_contain_text("Петрова")
    expect(page.locator("#person-results")).to_contain_text("Иванов Сергей")
    shot(page, "journey-03-found-by-phone")

    page.locator("#person-results a", has_text="Иванов Сергей").click()
    page.wait_for_selector("#note-form")
    expect(page.locator("h1")).to_contain_text("Иванов Сергей")

    page.click("button[data-bs-target='#quick-call']")
    page.select_option("#call_outcome", "answered")
    page.fill("#call_duration", "3:05")
    call_notes = page.locator("#call-form textarea")
    call_notes.fill("Интересуется пикапом, пригласить на тест-драйв")
    page.click("#call-form button[type=submit]")
    entry = page.locator("#timeline-entries article", has_text="тест-драйв").first
    entry.wait_for()
    expect(entry).to_contain_text("Answered")
    shot(page, "journey-04-call-on-timeline")

    call = Interaction.objects.get(person_id=person.pk, kind=Interaction.Kind.CALL)
    assert call.outcome == "answered"
    assert call.duration_seconds == 185
    assert call.actor_id == owner.pk

    # Switch the interface to Russian from the user menu.
    page.click("#user-menu")
    page.click("button[name=language][value=ru]")
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("nav.navbar")).to_contain_text("Клиенты")
    page.goto(live_server.url + f"/persons/{person.pk}/")
    page.wait_for_selector("#note-form")
    expect(page.locator("#timeline-entries")).to_contain_text("Звонок")
    shot(page, "journey-05-card-in-russian")
    owner.refresh_from_db()
    assert owner.language == "ru"
    assert page.console_errors == []


def test_colleague_cannot_open_the_card_in_the_browser(
    browser_page, live_server, person, colleague
):
    page = browser_page
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", "colleague")
    page.fill("input[name=password]", "pass-colleague")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/persons/"))
    expect(page.locator("#person-results")).not_to_contain_text("Иванов")
    response = page.goto(live_server.url + f"/persons/{person.pk}/")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("Иванов")
