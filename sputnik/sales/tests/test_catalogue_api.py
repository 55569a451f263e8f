"""The catalogue API: categories, products with today's price for the caller's centre,
price lists, and validating / pricing configurations with clear 422s."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from sputnik.core.demo.catalogue import CARS
from sputnik.core.services import token_create
from sputnik.sales.services.catalogue import (
    category_create,
    price_list_create,
    price_list_prices_set,
    product_create,
    product_define,
)


@pytest.fixture
def catalogue(admin_user, centre_a):
    cars = category_create(actor=admin_user, name="Автомобили", slug="cars")
    vesta = product_define(actor=admin_user, definition={**CARS[0], "category": cars})
    niva = product_define(actor=admin_user, definition=CARS[1])
    own = price_list_create(
        actor=admin_user, name="Центр А", centre=centre_a, valid_from=timezone.localdate()
    )
    price_list_prices_set(actor=admin_user, price_list=own, products={vesta: "1350000"})
    hidden = product_create(
        actor=admin_user,
        data={"sku": "OLD", "name": "Старая", "base_price": "1", "is_active": False},
    )
    return {"vesta": vesta, "niva": niva, "cars": cars, "own": own, "hidden": hidden}


def _api(user) -> Client:
    return Client(headers={"authorization": f"Bearer {token_create(actor=None, user=user)}"})


def _post(client: Client, path: str, body: dict):
    return client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_products_carry_the_callers_centre_price(catalogue, owner, outsider):
    mine = _api(owner).get("/api/v1/catalogue/products").json()
    theirs = _api(outsider).get("/api/v1/catalogue/products").json()
    price = {p["sku"]: p["price"] for p in mine["items"]}
    assert price["LADA-VESTA"]["amount"] == "1350000.00"
    assert price["LADA-VESTA"]["price_list"]["name"] == "Центр А"
    other = {p["sku"]: p["price"] for p in theirs["items"]}
    assert other["LADA-VESTA"] == {"amount": "1390000.00", "currency": "RUB", "price_list": None}
    assert "OLD" not in price


@pytest.mark.django_db
def test_product_list_pages_by_cursor_and_filters(catalogue, owner):
    client = _api(owner)
    first = client.get("/api/v1/catalogue/products", {"limit": 1}).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = client.get(
        "/api/v1/catalogue/products", {"limit": 1, "cursor": first["next_cursor"]}
    ).json()
    assert second["items"][0]["sku"] != first["items"][0]["sku"]
    only = client.get("/api/v1/catalogue/products", {"category_id": catalogue["cars"].pk}).json()
    assert [p["sku"] for p in only["items"]] == ["LADA-VESTA"]
    assert client.get("/api/v1/catalogue/products", {"kind": "spaceship"}).status_code == 422


@pytest.mark.django_db
def test_product_detail_lists_groups_options_and_rules(catalogue, owner):
    body = _api(owner).get(f"/api/v1/catalogue/products/{catalogue['vesta'].pk}").json()
    assert [g["code"] for g in body["option_groups"]] == [
        "trim",
        "engine",
        "colour",
        "wheels",
        "packages",
    ]
    assert {"option": "multimedia", "kind": "requires", "target": "camera"} in body["rules"]
    assert body["price"]["amount"] == "1350000.00"


@pytest.mark.django_db
def test_an_inactive_product_is_a_404_for_everyone_but_editors(catalogue, owner, admin_user):
    url = f"/api/v1/catalogue/products/{catalogue['hidden'].pk}"
    assert _api(owner).get(url).status_code == 404
    assert _api(owner).get("/api/v1/catalogue/products/987654321").status_code == 404
    assert _api(admin_user).get(url).status_code == 200


@pytest.mark.django_db
def test_categories_and_price_lists(catalogue, owner, centre_a):
    client = _api(owner)
    assert [c["slug"] for c in client.get("/api/v1/catalogue/categories").json()] == ["cars"]
    lists = client.get("/api/v1/catalogue/price-lists", {"centre_id": centre_a.pk}).json()
    assert [p["name"] for p in lists["items"]] == ["Центр А"]
    detail = client.get(f"/api/v1/catalogue/price-lists/{catalogue['own'].pk}").json()
    assert detail["items"] == [
        {"product_id": catalogue["vesta"].pk, "sku": "LADA-VESTA", "price": "1350000.00"}
    ]


@pytest.mark.django_db
def test_validate_names_each_broken_rule(catalogue, owner):
    response = _post(
        _api(owner),
        "/configurations/validate",
        {
            "product_id": catalogue["vesta"].pk,
            "option_codes": ["classic", "18-mt", "white", "multimedia", "zzz"],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False
    assert sorted(e["rule"] for e in body["errors"]) == [
        "excludes",
        "excludes",
        "requires",
        "unknown_option",
    ]
    assert any("zzz" in e["message"] for e in body["errors"])


@pytest.mark.django_db
def test_price_answers_the_breakdown_and_total(catalogue, owner):
    response = _post(
        _api(owner),
        "/configurations/price",
        {
            "product_id": catalogue["vesta"].pk,
            "option_codes": ["comfort", "16-mt", "white", "winter"],
            "quantity": 2,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["valid"] is True
    assert body["unit_price"] == "1480000.00"
    assert body["total"] == "2960000.00"
    assert [line["code"] for line in body["lines"]] == [
        "LADA-VESTA",
        "comfort",
        "16-mt",
        "white",
        "winter",
    ]


@pytest.mark.django_db
def test_pricing_an_invalid_configuration_is_a_422_naming_the_rule(catalogue, owner):
    response = _post(
        _api(owner),
        "/configurations/price",
        {"product_id": catalogue["vesta"].pk, "option_codes": ["classic", "16-cvt", "white"]},
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["body", "option_codes"]
    assert "cannot be combined" in detail[0]["msg"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"product_id": 1, "option_codes": [], "quantity": -1},
        {"product_id": 1, "option_codes": [], "quantity": 0},
        {"product_id": 1, "option_codes": "classic"},
        {"product_id": 1, "option_codes": [], "surprise": True},
        {"product_id": -5, "option_codes": []},
        {"option_codes": []},
    ],
)
def test_malformed_requests_are_422(catalogue, owner, body):
    if body.get("product_id") == 1:
        body = {**body, "product_id": catalogue["vesta"].pk}
    response = _post(_api(owner), "/configurations/price", body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"


@pytest.mark.django_db
def test_anonymous_callers_are_refused(catalogue):
    assert Client().get("/api/v1/catalogue/products").status_code == 401
    response = Client().post(
        "/api/v1/configurations/validate",
        data=json.dumps({"product_id": catalogue["vesta"].pk}),
        content_type="application/json",
    )
    assert response.status_code == 401
