"""Who sees a deal: the persona matrix through the selectors, the pages, the API, the
board counts and the person's card. A hidden deal answers exactly like a missing one."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sputnik.conftest import VISIBILITY_MATRIX
from sputnik.core.services import token_create
from sputnik.sales.selectors.deals import DealFilters, board, deal_list, visible_deals

pytestmark = pytest.mark.django_db

# The deal belongs to `owner` in centre A, like `person`: the same ladder gives the same answers.
DEAL_MATRIX = VISIBILITY_MATRIX


@pytest.mark.parametrize(("persona", "sees"), DEAL_MATRIX)
def test_the_deal_is_visible_exactly_by_the_ladder(request, deal, persona, sees):
    user = request.getfixturevalue(persona)
    assert visible_deals(user).filter(pk=deal.pk).exists() is sees
    page = deal_list(actor=user, filters=DealFilters())
    assert (deal.pk in [d.pk for d in page.items]) is sees


@pytest.mark.parametrize(("persona", "sees"), DEAL_MATRIX)
def test_the_deal_page_is_a_404_for_those_who_may_not_see_it(request, deal, persona, sees):
    user = request.getfixturevalue(persona)
    client = Client()
    client.force_login(user)
    hidden = client.get(reverse("sales:deal_detail", kwargs={"deal_id": deal.pk}))
    missing = client.get(reverse("sales:deal_detail", kwargs={"deal_id": 987654321}))
    assert missing.status_code == 404
    assert hidden.status_code == (200 if sees else 404)


@pytest.mark.parametrize(("persona", "sees"), DEAL_MATRIX)
def test_the_api_answers_a_hidden_deal_like_a_missing_one(request, deal, persona, sees):
    user = request.getfixturevalue(persona)
    api = Client(headers={"authorization": f"Bearer {token_create(actor=None, user=user)}"})
    got = api.get(f"/api/v1/deals/{deal.pk}")
    assert got.status_code == (200 if sees else 404)
    if not sees:
        assert got.json() == api.get("/api/v1/deals/987654321").json()
    listed = api.get("/api/v1/deals").json()["items"]
    assert (deal.pk in [d["id"] for d in listed]) is sees


@pytest.mark.parametrize(("persona", "sees"), DEAL_MATRIX)
def test_board_counts_and_cards_hold_only_visible_deals(request, deal, new_cars, persona, sees):
    user = request.getfixturevalue(persona)
    data = board(actor=user, pipeline=new_cars)
    lead = data.columns[0]
    assert lead.count == (1 if sees else 0)
    assert [c.pk for c in lead.cards] == ([deal.pk] if sees else [])
    assert data.total == (deal.amount if sees else 0)


def test_the_outsider_board_page_shows_no_card_and_zero_totals(client, deal, outsider, new_cars):
    client.force_login(outsider)
    response = client.get(reverse("sales:board", kwargs={"pipeline_id": new_cars.pk}))
    assert response.status_code == 200
    assert deal.title not in response.content.decode()


def test_a_colleague_cannot_move_or_change_the_deal_and_nothing_changes(
    client, deal, colleague, stages
):
    client.force_login(colleague)
    before = (deal.stage_id, deal.title)
    r1 = client.post(
        reverse("sales:deal_move", kwargs={"deal_id": deal.pk}),
        {"stage": stages["Consultation"].pk},
        HTTP_HX_REQUEST="true",
    )
    r2 = client.post(reverse("sales:deal_edit", kwargs={"deal_id": deal.pk}), {"title": "x"})
    assert r1.status_code == 404 and r2.status_code == 404
    deal.refresh_from_db()
    assert (deal.stage_id, deal.title) == before


def test_read_only_roles_see_the_deal_but_cannot_move_it(client, deal, executive, stages):
    client.force_login(executive)
    assert client.get(reverse("sales:deal_detail", kwargs={"deal_id": deal.pk})).status_code == 200
    response = client.post(
        reverse("sales:deal_move", kwargs={"deal_id": deal.pk}),
        {"stage": stages["Consultation"].pk},
    )
    assert response.status_code == 403
    deal.refresh_from_db()
    assert deal.stage == stages["Lead"]


def test_the_person_card_panel_lists_only_deals_the_viewer_may_see(
    client, deal, owner, head, person
):
    from sputnik.sales.services.deals import deal_create

    head_deal = deal_create(
        actor=head,
        data={"person_id": person.pk, "title": "Сделка руководителя", "owner_id": head.pk},
    )
    url = reverse("sales:person_deals", kwargs={"person_id": person.pk})
    client.force_login(owner)
    body = client.get(url).content.decode()
    assert deal.title in body and head_deal.title not in body
    client.force_login(head)
    body = client.get(url).content.decode()
    assert deal.title in body and head_deal.title in body
