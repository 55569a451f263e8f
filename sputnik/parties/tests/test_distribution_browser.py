"""In Chromium: another centre learns who holds a customer and asks for them; the holding
head approves from the card; the report counts it; a manager works "My tasks"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sputnik.web.tests import browser
from sputnik.web.tests.browser import shot

browser_page = browser.browser_page  # the Chromium fixture, for this module's tests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-" + username)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/persons/")


def test_a_transfer_is_asked_from_a_lookup_hit_and_approved_on_the_card(
    browser_page, live_server, person, owner, outsider, head, centre_a, centre_b
):
    page = browser_page
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    _sign_in(page, live_server, "outsider")
    # Leads sit in the navigation's Intake menu.
    page.click("nav.navbar li.dropdown:has(a[href='/distribution/leads/']) > .dropdown-toggle")
    page.click("nav >> text=Leads")
    page.click("text=Who holds a customer")
    page.fill("input[name=q]", "8 912 345-67-89")
    page.click("button:has-text('Check')")
    hit = page.locator(".lookup-hit").first
    hit.wait_for()
    assert centre_a.name in hit.inner_text() and owner.display_name in hit.inner_text()
    assert "Иванов" not in page.content()  # the customer's name stays hidden
    shot(page, "distribution-who-holds")
    hit.locator("text=Ask for a transfer").click()
    page.fill("textarea[name=reason]", "Клиент живёт в Екатеринбурге")
    page.click("#send-request")
    page.locator("text=Your request has been sent").wait_for()

    _sign_in(page, live_server, "head")
    page.goto(live_server.url + f"/persons/{person.pk}/")
    panel = page.locator("#ownership-panel")
    panel.locator("text=Transfer requests").wait_for()
    shot(page, "distribution-card-request")
    panel.locator("input[name=note]").fill("Согласовано")
    panel.locator("button[data-decision=approve]").click()
    page.locator("text=Approved: the customer has moved.").wait_for()
    person.refresh_from_db()
    assert person.centre_id == centre_b.pk and person.owner_id == outsider.pk

    page.goto(live_server.url + "/distribution/report/")
    table = page.locator("#report-table")
    assert centre_a.name in table.inner_text()
    shot(page, "distribution-report")
    assert page.console_errors == [], missing


def test_a_manager_sees_overdue_tasks_first_and_closes_one(
    browser_page, live_server, person, owner
):
    from sputnik.activities.services import task_create

    now = timezone.now()
    task_create(
        actor=owner,
        assignee=owner,
        title="Отправить КП",
        person_id=person.pk,
        due_at=now + dt.timedelta(days=1),
    )
    task_create(
        actor=owner,
        assignee=owner,
        title="Перезвонить",
        person_id=person.pk,
        due_at=now - dt.timedelta(hours=3),
    )
    page = browser_page
    _sign_in(page, live_server, "owner")
    assert page.locator("#task-badge").inner_text() == "2"
    page.click("nav >> text=My tasks")
    rows = page.locator(".task-row")
    assert "Перезвонить" in rows.nth(0).inner_text()  # overdue first
    assert "overdue" in rows.nth(0).inner_text()
    shot(page, "my-tasks")
    rows.nth(0).locator("button[aria-label=Done]").click()
    page.locator("text=Task done.").wait_for()
    assert page.locator("#task-badge").inner_text() == "1"
    page.goto(live_server.url + f"/persons/{person.pk}/")
    page.locator(".timeline-task", has_text="done").wait_for()
    assert page.console_errors == []
