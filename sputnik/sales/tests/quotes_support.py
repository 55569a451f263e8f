"""Fixtures shared by the quote, order and status-page tests (imported by name).

A deal of centre A owned by `owner` for `person` (conftest personas), with a vehicle line
and an accessory line from the catalogue.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sputnik.core.demo.load import restore_seeded_configuration
from sputnik.sales.models import Deal, DealLine, Pipeline, Product


def ensure_seed() -> None:
    """The rows migrations seed (pipelines, the order workflow, the quote template): gone
    after a transactional test flushes the database, so put back when missing."""
    from sputnik.sales.models import OrderStatus

    if not (Pipeline.objects.exists() and OrderStatus.objects.exists()):
        restore_seeded_configuration()


@pytest.fixture
def catalogue(db) -> dict[str, Product]:
    ensure_seed()
    car = Product.objects.create(
        sku="NIVA-TRAVEL",
        name="Lada Niva Travel",
        kind=Product.Kind.VEHICLE,
        base_price=Decimal("1500000.00"),
    )
    mats = Product.objects.create(
        sku="MATS-01",
        name="Коврики салона",
        kind=Product.Kind.ACCESSORY,
        base_price=Decimal("4990.00"),
    )
    return {"car": car, "mats": mats}


def make_deal(person: Any, owner: Any, catalogue: dict[str, Product], **extra: Any) -> Deal:
    pipeline = Pipeline.objects.get(slug="new-cars")
    stage = pipeline.stages.order_by("position").first()
    assert stage is not None
    deal = Deal.objects.create(
        pipeline=pipeline,
        stage=stage,
        person=person,
        centre=person.centre,
        owner=owner,
        title=extra.pop("title", "Niva для Иванова"),
        amount=Decimal("1504990.00"),
        **extra,
    )
    DealLine.objects.create(
        deal=deal,
        product=catalogue["car"],
        description="Lada Niva Travel Comfort",
        quantity=Decimal(1),
        unit_price=Decimal("1500000.00"),
        discount_pct=Decimal("3"),
        amount=Decimal("1455000.00"),
        position=0,
        configuration={"reference": "CFG-1", "options": [{"code": "white", "name": "Белый"}]},
    )
    DealLine.objects.create(
        deal=deal,
        product=catalogue["mats"],
        description="Коврики салона",
        quantity=Decimal(2),
        unit_price=Decimal("4990.00"),
        amount=Decimal("9980.00"),
        position=1,
    )
    return deal


@pytest.fixture
def deal(person, owner, catalogue) -> Deal:
    return make_deal(person, owner, catalogue)
