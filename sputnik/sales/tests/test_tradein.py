"""Trade-in (S5): the customer's vehicle on a deal, its appraisal, and on hand-over the
traded vehicle leaves the customer's assets and the new one joins them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sputnik.core.events import subscribe
from sputnik.parties.models import Asset
from sputnik.parties.services import asset_create, person_create
from sputnik.sales.models import DealLine, Pipeline, TradeIn
from sputnik.sales.services.deals import deal_create, deal_move, deal_win
from sputnik.sales.services.tradein import tradein_complete, tradein_remove, tradein_set
from sputnik.sales.tests.deal_fixtures import add_line

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

OLD_VIN = "XTA212140K1234567"
NEW_VIN = "XTAGFL118P1234567"


@pytest.fixture
def old_car(owner, person) -> Asset:
    return asset_create(
        actor=owner,
        person=person,
        data={"make": "Lada", "model": "Niva", "year": 2019, "vin": OLD_VIN, "mileage_km": 84000},
    )


def test_a_trade_in_is_attached_and_appraised_by_the_actor(deal, owner, old_car):
    trade_in = tradein_set(actor=owner, deal=deal, data={"asset_id": old_car.pk, "notes": "Сколы"})
    assert trade_in.asset == old_car and "Lada Niva" in trade_in.vehicle_label
    assert not trade_in.is_appraised
    tradein_set(actor=owner, deal=deal, data={"appraised_value": "650000"})
    trade_in.refresh_from_db()
    assert trade_in.appraised_value == Decimal("650000.00")
    assert trade_in.appraised_on is not None and trade_in.appraiser == owner
    assert trade_in.notes == "Сколы"


def test_another_persons_vehicle_or_a_negative_value_is_refused(deal, owner, old_car):
    stranger = person_create(actor=owner, data={"last_name": "Чужой", "first_name": "Пётр"})
    theirs = asset_create(actor=owner, person=stranger, data={"make": "Kia", "model": "Rio"})
    with pytest.raises(ValidationError) as exc:
        tradein_set(actor=owner, deal=deal, data={"asset_id": theirs.pk})
    assert "asset_id" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        tradein_set(actor=owner, deal=deal, data={"asset_id": old_car.pk, "appraised_value": "-1"})
    assert exc.value.message_dict["appraised_value"] == ["The value cannot be negative."]
    assert not TradeIn.objects.exists()


def test_hand_over_disposes_the_traded_vehicle_and_adds_the_new_one(deal, owner, person, old_car):
    delivered: list[dict] = []
    subscribe("deal.delivered")(lambda **p: delivered.append(p))
    tradein_set(actor=owner, deal=deal, data={"asset_id": old_car.pk, "appraised_value": 650000})
    add_line(owner, deal, description="Lada Niva Travel", vin=NEW_VIN.lower())
    deal_win(actor=owner, deal=deal)
    tradein_complete(actor=owner, deal=deal)
    old_car.refresh_from_db()
    assert old_car.disposed_at is not None
    new = Asset.objects.get(person=person, vin=NEW_VIN)
    assert (new.make, new.model, new.disposed_at) == ("Lada", "Niva Travel", None)
    deal.refresh_from_db()
    assert deal.delivered_at is not None
    trade_in = TradeIn.objects.get(deal=deal)
    assert trade_in.completed_at is not None and trade_in.new_asset == new
    assert delivered and delivered[0]["new_asset_ids"] == [new.pk]
    tradein_complete(actor=owner, deal=deal)  # again: nothing changes
    assert Asset.objects.filter(person=person).count() == 2


def test_only_a_won_deal_is_handed_over(deal, owner, old_car):
    tradein_set(actor=owner, deal=deal, data={"asset_id": old_car.pk})
    with pytest.raises(ValidationError):
        tradein_complete(actor=owner, deal=deal)
    old_car.refresh_from_db()
    assert old_car.disposed_at is None


def test_a_hand_over_that_fails_writes_nothing(deal, owner, person, old_car):
    """The new VIN already belongs to someone's current vehicle: the whole hand-over is refused."""
    other = person_create(actor=owner, data={"last_name": "Другой", "first_name": "Иван"})
    asset_create(actor=owner, person=other, data={"make": "Lada", "model": "Vesta", "vin": NEW_VIN})
    tradein_set(actor=owner, deal=deal, data={"asset_id": old_car.pk})
    add_line(owner, deal, vin=NEW_VIN)
    deal_win(actor=owner, deal=deal)
    with pytest.raises(ValidationError) as exc:
        tradein_complete(actor=owner, deal=deal)
    assert any(key.endswith("vin") for key in exc.value.message_dict)
    old_car.refresh_from_db()
    deal.refresh_from_db()
    assert old_car.disposed_at is None and deal.delivered_at is None


def test_the_used_car_contract_stage_needs_the_appraisal(owner, person, old_car):
    used = Pipeline.objects.get(slug="used-cars")
    stages = {s.name_en: s for s in used.stages.all()}
    deal = deal_create(
        actor=owner, data={"person_id": person.pk, "pipeline_id": used.pk, "title": "Обмен"}
    )
    add_line(owner, deal)
    tradein_set(actor=owner, deal=deal, data={"asset_id": old_car.pk})
    with pytest.raises(ValidationError) as exc:
        deal_move(actor=owner, deal=deal, stage=stages["Contract"])
    assert "appraised" in " ".join(exc.value.message_dict["stage_id"])
    tradein_set(actor=owner, deal=deal, data={"appraised_value": 500000})
    deal_move(actor=owner, deal=deal, stage=stages["Contract"])


def test_a_trade_in_is_removed_until_it_is_completed(deal, owner, old_car):
    tradein_set(actor=owner, deal=deal, data={"asset_id": old_car.pk})
    tradein_remove(actor=owner, deal=deal)
    assert not TradeIn.objects.exists()


def test_the_deal_page_sets_the_trade_in_and_hands_over(client, owner, deal, person, old_car):
    client.force_login(owner)
    page = client.get(reverse("sales:deal_detail", kwargs={"deal_id": deal.pk})).content.decode()
    assert OLD_VIN in page  # offered in the vehicle choice
    response = client.post(
        reverse("sales:deal_trade_in", kwargs={"deal_id": deal.pk}),
        {"asset": old_car.pk, "appraised_value": "640 000", "appraised_on": "", "notes": ""},
    )
    assert response.status_code == 302
    assert TradeIn.objects.get(deal=deal).appraised_value == Decimal("640000.00")
    add_line(owner, deal, vin=NEW_VIN)
    deal_win(actor=owner, deal=deal)
    client.post(reverse("sales:deal_handover", kwargs={"deal_id": deal.pk}))
    old_car.refresh_from_db()
    assert old_car.disposed_at is not None
    assert DealLine.objects.get(deal=deal).vin == NEW_VIN
    assert Asset.objects.filter(person=person, vin=NEW_VIN, disposed_at__isnull=True).exists()
