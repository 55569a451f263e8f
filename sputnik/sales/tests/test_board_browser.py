"""Dragging a deal to the next stage on the board, in headless Chromium, with screenshots:
the drop is saved (a reload shows the card in its new column) and the deal's history
shows the move. A drop the rules refuse puts the card back with the message."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sputnik.sales.models import Deal, DealStageChange
from sputnik.sales.services.deals import deal_create
from sputnik.web.tests.browser import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-" + username)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/persons/"))


def _drag(page, card, column) -> None:
    """Drag with real mouse steps, the way a person does (SortableJS listens to them)."""
    box = card.bounding_box()
    target = column.bounding_box()
    # Grab the card by its lower edge: the title on top is a link to the deal.
    x, y = box["x"] + box["width"] - 12, box["y"] + box["height"] - 6
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 10, steps=5)
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + 30, steps=20)
    page.mouse.up()


def test_dragging_a_deal_to_the_next_stage_saves_it_and_the_history_shows_the_move(
    browser_page, live_server, owner, person, new_cars, stages
):
    page = browser_page
    deal = deal_create(
        actor=owner, data={"person_id": person.pk, "title": "Нива для Иванова", "amount": 1500000}
    )
    deal_create(
        actor=owner, data={"person_id": person.pk, "title": "Гранта в кредит", "amount": 900000}
    )
    _sign_in(page, live_server, "owner")
    page.goto(f"{live_server.url}/pipelines/{new_cars.pk}/board/")
    lead = page.locator(f'.board-cards[data-stage-id="{stages["Lead"].pk}"]')
    consultation = page.locator(f'.board-cards[data-stage-id="{stages["Consultation"].pk}"]')
    card = lead.locator(f'.deal-card[data-deal-id="{deal.pk}"]')
    expect(card).to_be_visible()
    shot(page, "board-01-before-drag")

    with page.expect_response(re.compile(rf"/deals/{deal.pk}/move/")) as answer:
        _drag(page, card, consultation)
    assert answer.value.status == 200
    expect(page.locator(f'[data-column-count="{stages["Consultation"].pk}"]')).to_have_text("1")
    shot(page, "board-02-after-drag")
    deal.refresh_from_db()
    assert deal.stage_id == stages["Consultation"].pk

    page.reload()
    expect(consultation.locator(f'.deal-card[data-deal-id="{deal.pk}"]')).to_be_visible()
    expect(lead.locator(f'.deal-card[data-deal-id="{deal.pk}"]')).to_have_count(0)
    shot(page, "board-03-after-reload")

    page.goto(f"{live_server.url}/deals/{deal.pk}/")
    history = page.locator("#stage-history")
    expect(history).to_contain_text("Lead → Consultation")
    shot(page, "board-04-deal-history")
    assert DealStageChange.objects.filter(deal=deal).count() == 2
    assert not page.console_errors


def test_a_refused_drop_puts_the_card_back_with_the_message(
    browser_page, live_server, owner, person, new_cars, stages
):
    page = browser_page
    deal = deal_create(actor=owner, data={"person_id": person.pk, "title": "Без товаров"})
    _sign_in(page, live_server, "owner")
    page.goto(f"{live_server.url}/pipelines/{new_cars.pk}/board/")
    lead = page.locator(f'.board-cards[data-stage-id="{stages["Lead"].pk}"]')
    won = page.locator(f'.board-cards[data-stage-id="{stages["Won"].pk}"]')
    card = lead.locator(f'.deal-card[data-deal-id="{deal.pk}"]')
    with page.expect_response(re.compile(rf"/deals/{deal.pk}/move/")) as answer:
        _drag(page, card, won)
    assert answer.value.status == 422
    expect(page.locator("#board-message")).to_contain_text("product line")
    expect(lead.locator(f'.deal-card[data-deal-id="{deal.pk}"]')).to_be_visible()
    shot(page, "board-05-refused-drop")
    assert Deal.objects.get(pk=deal.pk).stage_id == stages["Lead"].pk
