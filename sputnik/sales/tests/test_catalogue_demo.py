"""The demo catalogue is realistic and consistent: every model configures to a valid
default, and the showroom's own list and the promotion price what they should."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sputnik.core.demo.catalogue import CARS, seed_catalogue
from sputnik.sales.models import PriceList, Product
from sputnik.sales.selectors.catalogue import product_prices
from sputnik.sales.services.configurator import (
    check,
    configuration_default,
    configuration_validate,
    product_spec,
)


@pytest.fixture
def seeded(admin_user, centre_a, centre_b, call_centre):
    seed_catalogue(actor=admin_user, centres=[centre_a, centre_b, call_centre])
    return {p.sku: p for p in Product.objects.all()}


@pytest.mark.django_db
def test_every_demo_model_starts_from_a_valid_configuration(seeded, centre_a):
    for car in CARS:
        spec = product_spec(seeded[car["sku"]], centre=centre_a)
        default = configuration_default(spec)
        assert check(spec, default) == [], car["sku"]
        assert len(default) == 3  # trim, engine, colour


@pytest.mark.django_db
def test_the_first_showroom_sees_its_own_prices_and_others_the_networks(seeded, centre_a, centre_b):
    vesta = seeded["LADA-VESTA"]
    assert product_prices([vesta], centre=centre_a)[vesta.pk].amount == Decimal("1350000.00")
    assert product_prices([vesta], centre=centre_b)[vesta.pk].amount == Decimal("1390000.00")
    winter_a = configuration_validate(
        product=vesta, option_codes=["comfort", "16-mt", "white", "winter"], centre=centre_a
    )
    assert winter_a.valid and winter_a.lines[-1].amount == Decimal("0")


@pytest.mark.django_db
def test_the_promotion_lowers_the_tiggo_everywhere(seeded, centre_b):
    tiggo = seeded["CHERY-TIGGO7"]
    price = product_prices([tiggo], centre=centre_b)[tiggo.pk]
    assert price.amount == Decimal("2540000.00")
    assert price.price_list_name == "Акция «Зимняя выгода»"


@pytest.mark.django_db
def test_seeding_twice_changes_nothing(seeded, admin_user, centre_a):
    products, lists = Product.objects.count(), PriceList.objects.count()
    seed_catalogue(actor=admin_user, centres=[centre_a])
    assert (Product.objects.count(), PriceList.objects.count()) == (products, lists)
    assert products == len(CARS) + 5
