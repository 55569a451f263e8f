"""Companies, assets and relations over the API."""

from __future__ import annotations

from sputnik.core.tests.test_api_support import API, client_for, field_messages
from sputnik.parties.models import Asset, Company, Relation
from sputnik.parties.services import asset_create, company_create, person_create

JSON = "application/json"
VIN = "1HGCM82633A004352"  # a VIN with a valid check digit


def test_a_company_is_created_with_a_checked_inn_and_listed(owner):
    client = client_for(owner)
    response = client.post(
        f"{API}/companies",
        {"name": "ООО Ромашка", "inn": "7707083893", "phones": ["84951234567"]},
        content_type=JSON,
    )
    assert response.status_code == 201, response.json()
    assert response.json()["phones"][0]["value"] == "+74951234567"
    listed = client.get(f"{API}/companies").json()["items"]
    assert [c["name"] for c in listed] == ["ООО Ромашка"]


def test_a_company_with_a_wrong_inn_is_422_on_inn(owner):
    response = client_for(owner).post(
        f"{API}/companies", {"name": "X", "inn": "7707083890"}, content_type=JSON
    )
    assert response.status_code == 422
    assert field_messages(response, "inn")
    assert not Company.objects.exists()


def test_a_company_of_another_centre_is_404_for_read_write_and_delete(owner, outsider):
    company = company_create(actor=outsider, data={"name": "Чужая"})
    client = client_for(owner)
    assert client.get(f"{API}/companies/{company.pk}").status_code == 404
    assert (
        client.patch(
            f"{API}/companies/{company.pk}", {"name": "Моя"}, content_type=JSON
        ).status_code
        == 404
    )
    assert client.delete(f"{API}/companies/{company.pk}").status_code == 404
    company.refresh_from_db()
    assert company.name == "Чужая"
    assert client.get(f"{API}/companies").json()["items"] == []


def test_company_patch_refuses_centre_and_owner(owner):
    company = company_create(actor=owner, data={"name": "Моя"})
    response = client_for(owner).patch(
        f"{API}/companies/{company.pk}", {"owner_id": 1, "centre_id": 1}, content_type=JSON
    )
    assert response.status_code == 422
    company.refresh_from_db()
    assert (company.owner_id, company.centre_id) == (owner.pk, owner.centre_id)


def test_an_asset_is_added_read_changed_and_deleted(owner, person):
    client = client_for(owner)
    created = client.post(
        f"{API}/persons/{person.pk}/assets",
        {"make": "Lada", "model": "Niva", "vin": VIN.lower(), "year": 2020},
        content_type=JSON,
    )
    assert created.status_code == 201, created.json()
    asset_id = created.json()["id"]
    assert created.json()["vin"] == VIN
    assert client.get(f"{API}/persons/{person.pk}/assets").json()[0]["id"] == asset_id
    changed = client.patch(f"{API}/assets/{asset_id}", {"mileage_km": 12000}, content_type=JSON)
    assert changed.json()["mileage_km"] == 12000
    assert client.delete(f"{API}/assets/{asset_id}").status_code == 204
    assert not Asset.objects.filter(pk=asset_id).exists()


def test_a_bad_vin_is_422_on_vin(owner, person):
    response = client_for(owner).post(
        f"{API}/persons/{person.pk}/assets",
        {"make": "Lada", "model": "Niva", "vin": "1HGCM82633A004353"},
        content_type=JSON,
    )
    assert response.status_code == 422
    assert field_messages(response, "vin") == ["The VIN's check digit does not match."]
    assert not Asset.objects.exists()


def test_an_asset_of_a_hidden_person_is_404_and_untouched(owner, outsider):
    hidden = person_create(actor=outsider, data={"last_name": "Скрытый"})
    asset = asset_create(actor=outsider, person=hidden, data={"make": "UAZ", "model": "Patriot"})
    client = client_for(owner)
    assert client.get(f"{API}/assets/{asset.pk}").status_code == 404
    assert (
        client.patch(f"{API}/assets/{asset.pk}", {"make": "X"}, content_type=JSON).status_code
        == 404
    )
    assert client.delete(f"{API}/assets/{asset.pk}").status_code == 404
    asset.refresh_from_db()
    assert asset.make == "UAZ"


def test_relations_are_created_listed_from_both_sides_and_deleted(owner, person):
    spouse = person_create(actor=owner, data={"last_name": "Иванова"})
    client = client_for(owner)
    created = client.post(
        f"{API}/persons/{person.pk}/relations",
        {"other_id": spouse.pk, "kind": "spouse"},
        content_type=JSON,
    )
    assert created.status_code == 201
    from_spouse = client.get(f"{API}/persons/{spouse.pk}/relations").json()
    assert [r["other"]["id"] for r in from_spouse] == [person.pk]
    assert client.delete(f"{API}/relations/{created.json()['id']}").status_code == 204
    assert not Relation.objects.exists()


def test_a_relation_to_oneself_is_422(owner, person):
    response = client_for(owner).post(
        f"{API}/persons/{person.pk}/relations",
        {"other_id": person.pk, "kind": "friend"},
        content_type=JSON,
    )
    assert response.status_code == 422
    assert field_messages(response, "other_id")


def test_a_relation_of_a_hidden_person_cannot_be_deleted(owner, outsider, admin_user):
    a = person_create(actor=outsider, data={"last_name": "А"})
    b = person_create(actor=outsider, data={"last_name": "Б"})
    relation = Relation.objects.create(person=a, other=b, kind="friend")
    assert client_for(owner).delete(f"{API}/relations/{relation.pk}").status_code == 404
    assert Relation.objects.filter(pk=relation.pk).exists()
