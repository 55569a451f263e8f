"""Assets (VIN rules), relations, companies (INN checksum)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sputnik.core.models import AuditEntry
from sputnik.core.normalize import vin_check_digit
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import Asset, Company, ContactPoint, Relation
from sputnik.parties.services import (
    asset_create,
    asset_update,
    company_create,
    company_update,
    person_create,
    relation_create,
    validate_inn,
)

VIN = "1M8GDM9AXKP042788"


def other_vin() -> str:
    draft = "XTA21099053000001"
    return draft[:8] + vin_check_digit(draft) + draft[9:]


# --- assets --------------------------------------------------------------------------


def test_an_asset_is_stored_with_its_vin_normalised_and_audited(person, owner):
    asset = asset_create(
        actor=owner,
        person=person,
        data={"make": "Lada", "model": "Vesta", "vin": "1m8gdm9a-xkp 042788", "year": 2020},
    )
    asset.refresh_from_db()
    assert asset.vin == VIN and asset.person_id == person.pk
    entry = AuditEntry.objects.get(entity="parties.asset", action="create")
    assert entry.subject_person_id == person.pk and entry.actor == owner


@pytest.mark.parametrize("vin", ["1M8GDM9AXKP042789", "SHORT", "IM8GDM9AXKP042788"])
def test_an_invalid_vin_is_refused_and_nothing_is_written(person, owner, vin):
    with pytest.raises(ValidationError) as info:
        asset_create(
            actor=owner, person=person, data={"make": "Lada", "model": "Vesta", "vin": vin}
        )
    assert "vin" in info.value.message_dict
    assert not Asset.objects.exists()


def test_make_and_model_are_required_and_year_realistic(person, owner):
    with pytest.raises(ValidationError) as info:
        asset_create(actor=owner, person=person, data={"year": 1800, "mileage_km": -5})
    assert {"make", "model", "year", "mileage_km"} <= set(info.value.message_dict)
    assert not Asset.objects.exists()


def test_a_vehicle_has_one_current_owner(person, owner):
    asset_create(actor=owner, person=person, data={"make": "Lada", "model": "Vesta", "vin": VIN})
    other = person_create(actor=owner, data={"last_name": "Покупатель"})
    with pytest.raises(ValidationError) as info:
        asset_create(
            actor=owner, person=other, data={"make": "Lada", "model": "Vesta", "vin": VIN.lower()}
        )
    assert "vin" in info.value.message_dict
    assert Asset.objects.filter(vin=VIN).count() == 1


def test_a_sold_on_vehicle_may_be_owned_again(person, owner):
    first = asset_create(
        actor=owner, person=person, data={"make": "Lada", "model": "Vesta", "vin": VIN}
    )
    Asset.objects.filter(pk=first.pk).update(disposed_at=dt.date(2023, 1, 1))
    other = person_create(actor=owner, data={"last_name": "Покупатель"})
    second = asset_create(
        actor=owner, person=other, data={"make": "Lada", "model": "Vesta", "vin": VIN}
    )
    assert Asset.objects.filter(vin=VIN).count() == 2
    assert Asset.objects.get(vin=VIN, disposed_at__isnull=True) == second


def test_updating_an_asset_to_a_vin_owned_elsewhere_is_refused(person, owner):
    asset_create(actor=owner, person=person, data={"make": "A", "model": "B", "vin": VIN})
    second = asset_create(
        actor=owner, person=person, data={"make": "C", "model": "D", "vin": other_vin()}
    )
    with pytest.raises(ValidationError):
        asset_update(actor=owner, asset=second, data={"vin": VIN})
    second.refresh_from_db()
    assert second.vin == other_vin()
    # keeping its own VIN is fine
    asset_update(actor=owner, asset=second, data={"vin": other_vin(), "plate": "А123ВС77"})
    second.refresh_from_db()
    assert second.plate == "А123ВС77"


def test_vehicles_without_a_vin_do_not_clash(person, owner):
    for _ in range(2):
        asset_create(actor=owner, person=person, data={"make": "Lada", "model": "Niva"})
    assert Asset.objects.filter(vin="").count() == 2


def test_an_asset_of_a_hidden_person_cannot_be_updated(person, owner, outsider):
    asset = asset_create(actor=owner, person=person, data={"make": "A", "model": "B"})
    with pytest.raises(AccessDenied):
        asset_update(actor=outsider, asset=asset, data={"make": "Взлом"})
    asset.refresh_from_db()
    assert asset.make == "A"


# --- relations -----------------------------------------------------------------------


def test_a_person_cannot_be_related_to_themselves(person, owner):
    with pytest.raises(ValidationError) as info:
        relation_create(actor=owner, person=person, other=person, kind="friend")
    assert "other_id" in info.value.message_dict
    assert not Relation.objects.exists()


def test_a_relation_links_two_visible_persons_once(person, owner):
    wife = person_create(actor=owner, data={"last_name": "Иванова"})
    relation = relation_create(actor=owner, person=person, other=wife, kind="spouse")
    assert (relation.person_id, relation.other_id, relation.kind) == (person.pk, wife.pk, "spouse")
    for a, b in ((person, wife), (wife, person)):
        with pytest.raises(ValidationError):
            relation_create(actor=owner, person=a, other=b, kind="spouse")
    assert Relation.objects.count() == 1


def test_referred_by_is_directional(person, owner):
    friend = person_create(actor=owner, data={"last_name": "Рекомендатель"})
    relation_create(actor=owner, person=person, other=friend, kind="referred_by")
    relation_create(actor=owner, person=friend, other=person, kind="referred_by")
    assert Relation.objects.count() == 2


def test_an_unknown_relation_kind_is_refused(person, owner):
    other = person_create(actor=owner, data={"last_name": "Другой"})
    with pytest.raises(ValidationError) as info:
        relation_create(actor=owner, person=person, other=other, kind="enemy")
    assert "kind" in info.value.message_dict


# --- companies -----------------------------------------------------------------------


@pytest.mark.parametrize("inn", ["7707083893", "500100732259", "7736207543", " 7707083893 "])
def test_a_valid_inn_passes(inn):
    assert validate_inn(inn) == inn.strip()


@pytest.mark.parametrize(
    "inn",
    [
        "7707083894",
        "500100732258",
        "500100732249",
        "123",
        "77070838931",
        "770708389X",
        "７７０７０８３８９３",
        "²" * 10,
    ],
)
def test_an_inn_with_a_wrong_checksum_or_shape_is_refused(inn):
    with pytest.raises(ValidationError):
        validate_inn(inn)


def test_a_company_with_a_bad_inn_is_not_created(owner):
    with pytest.raises(ValidationError) as info:
        company_create(actor=owner, data={"name": "ООО Ромашка", "inn": "7707083894"})
    assert "inn" in info.value.message_dict
    assert not Company.objects.exists()


def test_a_company_is_created_with_contacts_and_audited(owner):
    company = company_create(
        actor=owner,
        data={
            "name": "ООО «Ромашка»",
            "inn": "7707083893",
            "phones": ["8 495 123 45 67"],
            "emails": ["Info@Romashka.RU"],
            "website": "https://romashka.example",
        },
    )
    assert company.centre_id == owner.centre_id and company.owner_id == owner.pk
    assert sorted(ContactPoint.objects.filter(company=company).values_list("value", flat=True)) == [
        "+74951234567",
        "info@romashka.ru",
    ]
    assert AuditEntry.objects.filter(entity="parties.company", action="create").count() == 1


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.example", "not a url"])
def test_a_company_website_must_be_a_web_address(owner, url):
    with pytest.raises(ValidationError) as info:
        company_create(actor=owner, data={"name": "ООО", "website": url})
    assert "website" in info.value.message_dict


def test_a_hidden_company_cannot_be_updated(owner, outsider):
    company = company_create(actor=owner, data={"name": "ООО Своя"})
    with pytest.raises(AccessDenied):
        company_update(actor=outsider, company=company, data={"name": "Взлом"})
    company.refresh_from_db()
    assert company.name == "ООО Своя"


def test_vin_taken_by_a_concurrent_insert_is_a_field_error_not_a_crash(owner, person, monkeypatch):
    from sputnik.parties import services

    body = "XTA21099" + "0" + "Y2012345"
    vin = body[:8] + vin_check_digit(body) + body[9:]
    other = services.person_create(actor=owner, data={"last_name": "Петров"})
    Asset.objects.create(person=other, make="Lada", model="2109", vin=vin)
    # The other writer commits between our check and our insert.
    monkeypatch.setattr(services.Asset.objects, "filter", lambda **kw: Asset.objects.none())
    with pytest.raises(ValidationError) as err:
        services.asset_create(
            actor=owner, person=person, data={"make": "Lada", "model": "2109", "vin": vin}
        )
    assert "vin" in err.value.message_dict
    monkeypatch.undo()
    assert Asset.objects.filter(vin=vin).count() == 1
