"""Fixtures for the deal, pipeline, board and trade-in tests (imported by those modules).

The pipelines and lost reasons come from the data migration (0002_deals); `deal` is a
new-car deal of `person` (centre A) owned by `owner`, the persona the visibility matrix
is stated against.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from sputnik.core.demo.load import restore_seeded_configuration
from sputnik.sales.models import Deal, LostReason, Pipeline, PipelineStage, StageKind


def ensure_seeded() -> None:
    """The data migrations' pipelines and lost reasons; transactional tests (the browser
    ones) truncate tables between tests, so they are sown again when missing."""
    if not (Pipeline.objects.exists() and LostReason.objects.exists()):
        restore_seeded_configuration()


@pytest.fixture
def english():
    """Service messages and stage names in English, as for the English-speaking personas
    (requests activate the user's language; direct service calls in tests have none)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def new_cars(db) -> Pipeline:
    ensure_seeded()
    return Pipeline.objects.get(slug="new-cars")


@pytest.fixture
def stages(new_cars) -> dict[str, PipelineStage]:
    """The new-car stages by English name: Lead, Consultation, Test drive, Proposal,
    Contract, Won, Lost."""
    return {s.name_en: s for s in new_cars.stages.order_by("position")}


@pytest.fixture
def reason(db) -> LostReason:
    ensure_seeded()
    return LostReason.objects.get(name_en="Price")


@pytest.fixture
def deal(owner, person, new_cars) -> Deal:
    from sputnik.sales.services.deals import deal_create

    return deal_create(
        actor=owner,
        data={
            "person_id": person.pk,
            "pipeline_id": new_cars.pk,
            "title": "Niva Travel для Иванова",
            "amount": "1500000",
        },
    )


def add_line(actor, deal: Deal, **extra) -> object:
    from sputnik.sales.services.deals import deal_line_add

    data = {"description": "Lada Niva Travel", "quantity": 1, "unit_price": "1500000"}
    data.update(extra)
    return deal_line_add(actor=actor, deal=deal, data=data)


def won_stage(pipeline: Pipeline) -> PipelineStage:
    return pipeline.stages.get(kind=StageKind.WON)


ZERO = Decimal(0)
