"""The deals API: pipelines, CRUD, move/win/lose, lines, stage history, trade-in,
cursor paging, 422 messages with nothing written, and no mass assignment."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sputnik.core.services import token_create
from sputnik.parties.services import asset_create
from sputnik.sales.models import Deal, DealLine

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def api(owner) -> Client:
    return Client(headers={"authorization": f"Bearer {token_create(actor=None, user=owner)}"})


def _post(api, url, body=None):
    return api.post(url, data=json.dumps(body or {}), content_type="application/json")


def _patch(api, url, body):
    return api.patch(url, data=json.dumps(body), content_type="application/json")


def test_pipelines_list_their_ordered_stages_with_kind_and_probability(api):
    pipelines = api.get("/api/v1/pipelines").json()
    assert [p["slug"] for p in pipelines] == ["new-cars", "used-cars", "service", "accessories"]
    stages = pipelines[0]["stages"]
    assert [s["kind"] for s in stages] == ["open"] * 5 + ["won", "lost"]
    assert [s["probability"] for s in stages[:5]] == sorted(s["probability"] for s in stages[:5])
    assert api.get(f"/api/v1/pipelines/{pipelines[0]['id']}").json()["slug"] == "new-cars"
    assert len(api.get("/api/v1/lost-reasons").json()) >= 5


def test_create_read_update_and_delete_a_deal(api, person, head):
    created = _post(
        api,
        "/api/v1/deals",
        {
            "person_id": person.pk,
            "title": "Через API",
            "expected_close": "2030-01-31",
            "lines": [
                {
                    "description": "Niva",
                    "quantity": "1",
                    "unit_price": "1200000",
                    "discount_pct": "5",
                }
            ],
        },
    )
    assert created.status_code == 201, created.content
    deal = created.json()
    assert deal["amount"] in ("1140000.00", "1140000")
    assert deal["stage"]["name"] and deal["currency"] == "RUB"
    assert len(deal["lines"]) == 1
    got = api.get(f"/api/v1/deals/{deal['id']}").json()
    assert got["title"] == "Через API"
    changed = _patch(api, f"/api/v1/deals/{deal['id']}", {"title": "Новое имя", "probability": 55})
    assert changed.status_code == 200 and changed.json()["probability"] == 55
    # Deleting needs the right to delete: a sales manager gets 403, a centre head may.
    assert api.delete(f"/api/v1/deals/{deal['id']}").status_code == 403
    head_api = Client(headers={"authorization": f"Bearer {token_create(actor=None, user=head)}"})
    assert head_api.delete(f"/api/v1/deals/{deal['id']}").status_code == 204
    assert not Deal.objects.exists()


def test_patch_cannot_set_centre_owner_stage_or_status(api, deal, centre_b):
    before = Deal.objects.filter(pk=deal.pk).values().get()
    for field, value in (
        ("centre_id", centre_b.pk),
        ("owner_id", 1),
        ("stage_id", 1),
        ("status", "won"),
        ("created_at", "2020-01-01T00:00:00Z"),
    ):
        response = _patch(api, f"/api/v1/deals/{deal.pk}", {field: value})
        assert response.status_code == 422, field
        assert response.json()["detail"][0]["loc"] == ["body", field]
    assert Deal.objects.filter(pk=deal.pk).values().get() == before


def test_an_illegal_move_answers_422_with_the_message_and_writes_nothing(api, deal, stages):
    response = _post(api, f"/api/v1/deals/{deal.pk}/move", {"stage_id": stages["Won"].pk})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "stage_id"] and "product line" in detail["msg"]
    lost = _post(api, f"/api/v1/deals/{deal.pk}/move", {"stage_id": stages["Lost"].pk})
    assert lost.status_code == 422 and lost.json()["detail"][0]["loc"] == ["body", "lost_reason"]
    deal.refresh_from_db()
    assert deal.stage == stages["Lead"]


def test_move_win_lose_and_the_stage_history(api, owner, person, stages, reason):
    deal_id = _post(api, "/api/v1/deals", {"person_id": person.pk, "title": "A"}).json()["id"]
    assert (
        _post(
            api, f"/api/v1/deals/{deal_id}/move", {"stage_id": stages["Consultation"].pk}
        ).status_code
        == 200
    )
    _post(api, f"/api/v1/deals/{deal_id}/lines", {"description": "Niva", "unit_price": "100"})
    won = _post(api, f"/api/v1/deals/{deal_id}/win")
    assert won.status_code == 200 and won.json()["status"] == "won"
    history = api.get(f"/api/v1/deals/{deal_id}/stage-history").json()
    assert [h["stage"]["id"] for h in history] == [
        stages["Lead"].pk,
        stages["Consultation"].pk,
        stages["Won"].pk,
    ]
    assert history[0]["left_at"] is not None and history[-1]["left_at"] is None
    other = _post(api, "/api/v1/deals", {"person_id": person.pk, "title": "B"}).json()["id"]
    bad = _post(api, f"/api/v1/deals/{other}/lose", {"lost_reason_id": 987654})
    assert bad.status_code == 422
    lost = _post(
        api, f"/api/v1/deals/{other}/lose", {"lost_reason_id": reason.pk, "note": "Дорого"}
    )
    assert lost.json()["lost_reason"]["id"] == reason.pk and lost.json()["lost_note"] == "Дорого"
    audit = api.get(f"/api/v1/deals/{other}/history").json()["items"]
    assert audit[0]["action"] == "update" and audit[-1]["action"] == "create"


def test_lines_refuse_negative_quantities_and_discounts_over_100(api, deal):
    url = f"/api/v1/deals/{deal.pk}/lines"
    neg = _post(api, url, {"description": "x", "quantity": "-1", "unit_price": "10"})
    assert neg.status_code == 422
    assert neg.json()["detail"] == [
        {
            "loc": ["body", "quantity"],
            "msg": "The quantity must be greater than zero.",
            "type": "value_error",
        }
    ]
    over = _post(api, url, {"description": "x", "unit_price": "10", "discount_pct": "100.5"})
    assert over.json()["detail"][0]["msg"] == "The discount cannot exceed 100%."
    assert not DealLine.objects.exists()
    line = _post(api, url, {"description": "x", "quantity": "3", "unit_price": "10"}).json()
    assert _patch(api, f"{url}/{line['id']}", {"discount_pct": "50"}).json()["amount"] in (
        "15.00",
        "15",
    )
    assert len(api.get(url).json()) == 1
    assert api.delete(f"{url}/{line['id']}").status_code == 204


def test_deals_page_by_cursor_and_filter(api, owner, person):
    for i in range(5):
        _post(
            api,
            "/api/v1/deals",
            {"person_id": person.pk, "title": f"D{i}", "amount": str(i * 1000)},
        )
    first = api.get("/api/v1/deals?limit=2").json()
    assert [d["title"] for d in first["items"]] == ["D4", "D3"] and first["next_cursor"]
    second = api.get(f"/api/v1/deals?limit=2&cursor={first['next_cursor']}").json()
    assert [d["title"] for d in second["items"]] == ["D2", "D1"]
    rich = api.get("/api/v1/deals?amount_min=3000").json()["items"]
    assert {d["title"] for d in rich} == {"D3", "D4"}
    assert api.get("/api/v1/deals?q=Иванов").json()["items"]
    assert api.get(f"/api/v1/persons/{person.pk}/deals").status_code == 200


def test_trade_in_through_the_api(api, owner, person, deal):
    car = asset_create(actor=owner, person=person, data={"make": "Lada", "model": "Granta"})
    put = api.put(
        f"/api/v1/deals/{deal.pk}/trade-in",
        data=json.dumps({"asset_id": car.pk, "appraised_value": "400000"}),
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["appraised_value"] in ("400000.00", "400000")
    assert api.get(f"/api/v1/deals/{deal.pk}/trade-in").json()["asset_id"] == car.pk
    not_won = _post(api, f"/api/v1/deals/{deal.pk}/handover")
    assert not_won.status_code == 422
    assert api.delete(f"/api/v1/deals/{deal.pk}/trade-in").status_code == 204
    assert api.get(f"/api/v1/deals/{deal.pk}/trade-in").json() is None
