"""The price a centre sees: its own list, then the network's, by date and priority, then
the base price; option prices per list with the option's own price as the fallback."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sputnik.core.demo.catalogue import CARS
from sputnik.sales.models import Option
from sputnik.sales.selectors.catalogue import applicable_price_lists, product_prices
from sputnik.sales.services.catalogue import (
    price_list_create,
    price_list_prices_set,
    product_define,
)
from sputnik.sales.services.configurator import configuration_price

DAY = dt.date(2026, 6, 15)
VALID = ["comfort", "16-mt", "white"]


@pytest.fixture
def vesta(admin_user):
    return product_define(actor=admin_user, definition=CARS[0])


def _list(
    admin_user,
    name,
    *,
    centre=None,
    start=dt.date(2026, 1, 1),
    end=None,
    priority=0,
    price=None,
    product=None,
    options=None,
):
    price_list = price_list_create(
        actor=admin_user,
        name=name,
        centre=centre,
        valid_from=start,
        valid_to=end,
        priority=priority,
    )
    price_list_prices_set(
        actor=admin_user,
        price_list=price_list,
        products={product: price} if product is not None and price is not None else None,
        options=options,
    )
    return price_list


def _price(product, centre, day=DAY) -> Decimal:
    return product_prices([product], centre=centre, at=day)[product.pk].amount


@pytest.mark.django_db
def test_without_any_list_the_base_price_applies(vesta, centre_a):
    resolved = product_prices([vesta], centre=centre_a, at=DAY)[vesta.pk]
    assert resolved.amount == Decimal("1390000.00")
    assert resolved.price_list_id is None


@pytest.mark.django_db
def test_the_network_list_applies_to_every_centre(vesta, admin_user, centre_a, centre_b):
    _list(admin_user, "Сеть", price=Decimal("1400000"), product=vesta)
    assert _price(vesta, centre_a) == _price(vesta, centre_b) == Decimal("1400000")
    assert _price(vesta, None) == Decimal("1400000")


@pytest.mark.django_db
def test_a_centres_own_list_beats_the_network_even_with_lower_priority(
    vesta, admin_user, centre_a, centre_b
):
    _list(admin_user, "Сеть", priority=100, price=Decimal("1400000"), product=vesta)
    _list(
        admin_user, "Центр А", centre=centre_a, priority=0, price=Decimal("1350000"), product=vesta
    )
    assert _price(vesta, centre_a) == Decimal("1350000")
    assert _price(vesta, centre_b) == Decimal("1400000")


@pytest.mark.django_db
def test_among_lists_of_one_level_the_higher_priority_wins(vesta, admin_user, centre_a):
    _list(admin_user, "Сеть", priority=0, price=Decimal("1400000"), product=vesta)
    _list(admin_user, "Акция", priority=5, price=Decimal("1299000"), product=vesta)
    assert _price(vesta, centre_a) == Decimal("1299000")


@pytest.mark.django_db
def test_equal_priority_prefers_the_later_start(vesta, admin_user, centre_a):
    _list(admin_user, "Январь", start=dt.date(2026, 1, 1), price=Decimal("1400000"), product=vesta)
    _list(admin_user, "Июнь", start=dt.date(2026, 6, 1), price=Decimal("1420000"), product=vesta)
    assert _price(vesta, centre_a) == Decimal("1420000")
    assert _price(vesta, centre_a, dt.date(2026, 5, 31)) == Decimal("1400000")


@pytest.mark.django_db
def test_lists_apply_only_within_their_dates(vesta, admin_user, centre_a):
    _list(admin_user, "Сеть", price=Decimal("1400000"), product=vesta)
    _list(
        admin_user,
        "Акция",
        priority=5,
        start=dt.date(2026, 6, 1),
        end=dt.date(2026, 6, 30),
        price=Decimal("1299000"),
        product=vesta,
    )
    assert _price(vesta, centre_a, dt.date(2026, 5, 31)) == Decimal("1400000")
    assert _price(vesta, centre_a, dt.date(2026, 6, 1)) == Decimal("1299000")
    assert _price(vesta, centre_a, dt.date(2026, 6, 30)) == Decimal("1299000")
    assert _price(vesta, centre_a, dt.date(2026, 7, 1)) == Decimal("1400000")
    assert _price(vesta, centre_a, dt.date(2025, 12, 31)) == Decimal("1390000.00")


@pytest.mark.django_db
def test_a_list_without_the_product_falls_through_to_the_next(vesta, admin_user, centre_a):
    niva = product_define(actor=admin_user, definition=CARS[1])
    _list(admin_user, "Сеть", price=Decimal("1400000"), product=vesta)
    _list(
        admin_user, "Центр А: только Нива", centre=centre_a, price=Decimal("1200000"), product=niva
    )
    prices = product_prices([vesta, niva], centre=centre_a, at=DAY)
    assert prices[vesta.pk].amount == Decimal("1400000")
    assert prices[niva.pk].amount == Decimal("1200000")


@pytest.mark.django_db
def test_an_inactive_list_is_ignored(vesta, admin_user, centre_a):
    price_list = _list(admin_user, "Черновик", price=Decimal("1"), product=vesta)
    price_list.is_active = False
    price_list.save()
    assert _price(vesta, centre_a) == Decimal("1390000.00")
    assert applicable_price_lists(centre=centre_a, at=DAY) == []


@pytest.mark.django_db
def test_option_prices_resolve_per_option_with_the_same_ranking(
    vesta, admin_user, centre_a, centre_b
):
    winter = Option.objects.get(product=vesta, code="winter")
    camera = Option.objects.get(product=vesta, code="camera")
    _list(
        admin_user,
        "Сеть",
        price=Decimal("1400000"),
        product=vesta,
        options={winter: "30000", camera: "15000"},
    )
    _list(admin_user, "Центр А", centre=centre_a, options={winter: "0"})
    codes = [*VALID, "winter", "camera"]
    in_a = {
        line.code: line.amount
        for line in configuration_price(
            product=vesta, option_codes=codes, centre=centre_a, at=DAY
        ).lines
    }
    in_b = {
        line.code: line.amount
        for line in configuration_price(
            product=vesta, option_codes=codes, centre=centre_b, at=DAY
        ).lines
    }
    # centre A: its own winter price, the network's camera and model price
    assert in_a["winter"] == Decimal("0") and in_a["camera"] == Decimal("15000")
    assert in_a["LADA-VESTA"] == Decimal("1400000")
    assert in_b["winter"] == Decimal("30000")
    # the option without any list price keeps its own price
    assert in_a["comfort"] == Decimal("95000.00")


@pytest.mark.django_db
def test_prices_of_a_page_of_products_take_two_queries(
    admin_user, centre_a, django_assert_num_queries
):
    products = [product_define(actor=admin_user, definition=car) for car in CARS]
    for i, product in enumerate(products):
        _list(admin_user, f"Лист {i}", price=Decimal(1_000_000 + i), product=product, priority=i)
    with django_assert_num_queries(2):
        prices = product_prices(products, centre=centre_a, at=DAY)
    assert [prices[p.pk].amount for p in products] == [
        Decimal(1_000_000 + i) for i in range(len(products))
    ]
