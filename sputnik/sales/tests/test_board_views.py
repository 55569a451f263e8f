"""The board: first screen with counts and totals, "load more", the drag-and-drop move
(saved, audited, refused with a message and nothing written) and its query bound."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sputnik.core.models import AuditEntry
from sputnik.sales.models import Deal, DealStageChange
from sputnik.sales.selectors.deals import BOARD_PAGE
from sputnik.sales.services.deals import deal_create
from sputnik.sales.tests.deal_fixtures import add_line
from sputnik.web.tests.conftest import HANDLER_ATTRIBUTE, INLINE_SCRIPT, STYLE_ATTRIBUTE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BOARD_MAX_QUERIES = 18  # session, user, pipelines, totals, one per stage (7), nav badges


def _deals(actor, person, n: int) -> list[Deal]:
    return [
        deal_create(
            actor=actor, data={"person_id": person.pk, "title": f"Сделка {i:03d}", "amount": 1000}
        )
        for i in range(n)
    ]


def _board(client, pipeline):
    return client.get(reverse("sales:board", kwargs={"pipeline_id": pipeline.pk}))


def _move(client, deal, stage, position=None):
    data = {"stage": stage.pk}
    if position is not None:
        data["position"] = position
    return client.post(
        reverse("sales:deal_move", kwargs={"deal_id": deal.pk}), data, HTTP_HX_REQUEST="true"
    )


def test_the_board_shows_columns_in_stage_order_with_counts_and_totals(
    client, owner, person, new_cars, stages
):
    _deals(owner, person, 3)
    client.force_login(owner)
    body = _board(client, new_cars).content.decode()
    positions = [body.index(f'id="stage-{s.pk}-h"') for s in stages.values()]
    assert positions == sorted(positions)
    lead = stages["Lead"].pk
    assert re.search(rf'data-column-count="{lead}">3<', body)
    assert re.search(rf'data-column-total="{lead}">3,000<', body)
    assert "Сделка 002" in body


def test_the_board_page_has_no_inline_code(client, owner, person, new_cars):
    _deals(owner, person, 1)
    client.force_login(owner)
    body = _board(client, new_cars).content.decode()
    assert not INLINE_SCRIPT.search(body)
    assert not STYLE_ATTRIBUTE.search(body)
    assert not HANDLER_ATTRIBUTE.search(body)
    assert "vendor/sortablejs/Sortable.min.js" in body and "sales/board.js" in body


def test_a_long_column_shows_the_first_cards_and_loads_more_by_keyset(
    client, owner, person, new_cars, stages
):
    _deals(owner, person, BOARD_PAGE + 5)
    client.force_login(owner)
    body = _board(client, new_cars).content.decode()
    assert body.count('class="deal-card') == BOARD_PAGE
    more = re.search(r'hx-get="([^"]+/cards/\?cursor=[^"]+)"', body).group(1).replace("&amp;", "&")
    rest = client.get(more).content.decode()
    assert rest.count('class="deal-card') == 5
    assert "board-more" not in rest
    shown = set(re.findall(r'data-deal-id="(\d+)"', body)) | set(
        re.findall(r'data-deal-id="(\d+)"', rest)
    )
    assert len(shown) == BOARD_PAGE + 5


def test_the_board_costs_the_same_queries_for_three_or_forty_deals(
    client, owner, person, new_cars, stages
):
    client.force_login(owner)
    few = _deals(owner, person, 3)
    deal_create(
        actor=owner,
        data={"person_id": person.pk, "title": "x", "stage_id": stages["Consultation"].pk},
    )
    add_line(owner, few[0])
    with CaptureQueriesContext(connection) as small:
        assert _board(client, new_cars).status_code == 200
    _deals(owner, person, 40)
    with CaptureQueriesContext(connection) as large:
        assert _board(client, new_cars).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large.captured_queries) <= BOARD_MAX_QUERIES


def test_a_drop_on_the_next_stage_is_saved_audited_and_answers_new_column_figures(
    client, owner, deal, stages
):
    client.force_login(owner)
    response = _move(client, deal, stages["Consultation"], position=0)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["columns"][str(stages["Consultation"].pk)]["count"] == "1"
    assert body["columns"][str(stages["Lead"].pk)]["count"] == "0"
    deal.refresh_from_db()
    assert deal.stage == stages["Consultation"]
    assert DealStageChange.objects.filter(deal=deal).count() == 2
    assert AuditEntry.objects.filter(
        entity="sales.deal", entity_id=deal.pk, action="update"
    ).exists()


def test_an_illegal_drop_is_refused_with_a_message_and_nothing_is_written(
    client, owner, deal, stages
):
    client.force_login(owner)
    audit = AuditEntry.objects.count()
    response = _move(client, deal, stages["Won"])
    assert response.status_code == 422
    assert "product line" in response.json()["message"]
    deal.refresh_from_db()
    assert deal.stage == stages["Lead"]
    assert AuditEntry.objects.count() == audit
    assert DealStageChange.objects.filter(deal=deal).count() == 1


def test_a_drop_on_lost_asks_for_a_reason_and_the_dialog_closes_the_deal(
    client, owner, deal, stages, reason
):
    client.force_login(owner)
    response = _move(client, deal, stages["Lost"])
    assert response.status_code == 422
    assert response.json()["needs_reason"] is True
    dialog = client.get(response.json()["lose_url"] + "?next=board", HTTP_HX_REQUEST="true")
    assert 'name="reason"' in dialog.content.decode()
    empty = client.post(response.json()["lose_url"], {"next": "board"}, HTTP_HX_REQUEST="true")
    assert empty.status_code == 200 and "field-error" in empty.content.decode()
    deal.refresh_from_db()
    assert deal.status == "open"
    done = client.post(
        response.json()["lose_url"],
        {"reason": reason.pk, "note": "Дорого", "next": "board"},
        HTTP_HX_REQUEST="true",
    )
    assert done.status_code == 204
    assert done["HX-Redirect"] == reverse("sales:board", kwargs={"pipeline_id": deal.pipeline_id})
    deal.refresh_from_db()
    assert deal.status == "lost" and deal.lost_reason == reason


def test_a_closed_deal_cannot_be_dragged_back(client, owner, deal, stages):
    add_line(owner, deal)
    client.force_login(owner)
    assert _move(client, deal, stages["Won"]).status_code == 200
    response = _move(client, deal, stages["Contract"])
    assert response.status_code == 422
    assert "closed" in response.json()["message"]


def test_reordering_within_a_column_is_saved(client, owner, person, stages):
    a, b, c = _deals(owner, person, 3)  # column order: c, b, a
    client.force_login(owner)
    assert _move(client, a, stages["Lead"], position=0).status_code == 200
    order = list(
        Deal.objects.filter(stage=stages["Lead"])
        .order_by("rank", "id")
        .values_list("pk", flat=True)
    )
    assert order == [a.pk, c.pk, b.pk]


def test_a_bad_move_request_is_refused_without_a_500(client, owner, deal):
    client.force_login(owner)
    for data in (
        {"stage": "abc"},
        {"stage": ""},
        {"stage": 987654321},
        {"stage": "1", "position": "-4"},
    ):
        response = client.post(
            reverse("sales:deal_move", kwargs={"deal_id": deal.pk}), data, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 422, data


def test_the_stage_select_on_the_deal_page_moves_without_javascript(client, owner, deal, stages):
    client.force_login(owner)
    response = client.post(
        reverse("sales:deal_move", kwargs={"deal_id": deal.pk}), {"stage": stages["Test drive"].pk}
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.stage == stages["Test drive"]
    page = client.get(reverse("sales:deal_detail", kwargs={"deal_id": deal.pk})).content.decode()
    assert "Test drive" in page and 'id="stage-history"' in page
