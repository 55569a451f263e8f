"""Catalogue writes: only catalogue editors (CONFIGURE) change the catalogue; bad input
gets a message per field and nothing is written; every write is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sputnik.core.demo.catalogue import CARS
from sputnik.core.models import AuditEntry
from sputnik.parties.errors import AccessDenied
from sputnik.sales.models import Option, OptionGroup, OptionRule, PriceList, PriceListItem, Product
from sputnik.sales.services.catalogue import (
    category_create,
    price_list_create,
    price_list_prices_set,
    product_create,
    product_define,
    product_update,
)

NOT_EDITORS = ["owner", "head", "operator", "marketer", "executive"]


def _counts() -> tuple[int, ...]:
    return (
        Product.objects.count(),
        OptionGroup.objects.count(),
        Option.objects.count(),
        OptionRule.objects.count(),
        PriceList.objects.count(),
        PriceListItem.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", NOT_EDITORS)
def test_only_catalogue_editors_write_the_catalogue(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(AccessDenied):
        product_create(actor=user, data={"sku": "X-1", "name": "X", "base_price": "1"})
    with pytest.raises(AccessDenied):
        product_define(actor=user, definition=CARS[0])
    with pytest.raises(AccessDenied):
        price_list_create(actor=user, name="Сеть", valid_from=dt.date(2026, 1, 1))
    with pytest.raises(AccessDenied):
        category_create(actor=user, name="Авто", slug="auto")
    assert _counts() == (0, 0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_product_writes_are_audited(admin_user):
    product = product_create(
        actor=admin_user, data={"sku": "X-1", "name": "Икс", "base_price": "100"}
    )
    product_update(actor=admin_user, product=product, data={"base_price": "120.5"})
    entries = AuditEntry.objects.filter(entity="sales.product", entity_id=product.pk).order_by("pk")
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].after == {"base_price": "120.50"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"sku": "", "name": "X", "base_price": "1"}, "sku"),
        ({"sku": "X", "name": "", "base_price": "1"}, "name"),
        ({"sku": "X", "name": "X", "base_price": "-1"}, "base_price"),
        ({"sku": "X", "name": "X", "base_price": "много"}, "base_price"),
        ({"sku": "X", "name": "X", "base_price": "NaN"}, "base_price"),
        ({"sku": "X", "name": "X", "base_price": "1e20"}, "base_price"),
        ({"sku": "X", "name": "X", "base_price": "1", "kind": "rocket"}, "kind"),
        ({"sku": "X", "name": "X", "base_price": "1", "currency": "рубли"}, "currency"),
        ({"sku": "X", "name": "X", "base_price": "1", "owner": 1}, "owner"),
        ({"sku": "X" * 65, "name": "X", "base_price": "1"}, "sku"),
    ],
)
def test_bad_product_input_is_refused_per_field(admin_user, data, field):
    with pytest.raises(ValidationError) as caught:
        product_create(actor=admin_user, data=data)
    assert field in caught.value.message_dict
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_a_duplicate_sku_is_refused(admin_user):
    product_create(actor=admin_user, data={"sku": "X-1", "name": "Икс", "base_price": "1"})
    with pytest.raises(ValidationError) as caught:
        product_create(actor=admin_user, data={"sku": "X-1", "name": "Другой", "base_price": "1"})
    assert "sku" in caught.value.message_dict


@pytest.mark.django_db
def test_a_price_list_cannot_end_before_it_starts(admin_user):
    with pytest.raises(ValidationError) as caught:
        price_list_create(
            actor=admin_user,
            name="Наоборот",
            valid_from=dt.date(2026, 6, 1),
            valid_to=dt.date(2026, 5, 1),
        )
    assert "valid_to" in caught.value.message_dict
    assert PriceList.objects.count() == 0


@pytest.mark.django_db
def test_negative_product_prices_in_a_list_write_nothing(admin_user):
    product = product_create(
        actor=admin_user, data={"sku": "X-1", "name": "Икс", "base_price": "1"}
    )
    other = product_create(
        actor=admin_user, data={"sku": "X-2", "name": "Игрек", "base_price": "1"}
    )
    price_list = price_list_create(actor=admin_user, name="Сеть", valid_from=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as caught:
        price_list_prices_set(
            actor=admin_user, price_list=price_list, products={product: "100", other: "-5"}
        )
    assert f"products.{other.pk}" in caught.value.message_dict
    assert PriceListItem.objects.count() == 0


@pytest.mark.django_db
def test_a_definition_with_a_broken_rule_writes_nothing(admin_user):
    bad = {
        **CARS[0],
        "sku": "BAD",
        "rules": [
            *CARS[0]["rules"],
            ("comfort", "requires", "luxe"),
            ("nitro", "excludes", "white"),
        ],
    }
    with pytest.raises(ValidationError) as caught:
        product_define(actor=admin_user, definition=bad)
    assert set(caught.value.message_dict) == {
        f"rules.{len(CARS[0]['rules'])}",
        f"rules.{len(CARS[0]['rules']) + 1}",
    }
    assert _counts() == (0, 0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_contradicting_rules_in_one_definition_are_refused(admin_user):
    bad = {
        **CARS[0],
        "sku": "BAD",
        "rules": [("camera", "requires", "winter"), ("winter", "excludes", "camera")],
    }
    with pytest.raises(ValidationError):
        product_define(actor=admin_user, definition=bad)
    assert _counts() == (0, 0, 0, 0, 0, 0)
