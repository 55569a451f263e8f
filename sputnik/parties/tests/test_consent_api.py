"""Consent API: list with state, give, withdraw, may-we-contact, the printable form."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sputnik.core.services import token_create
from sputnik.parties.models import Consent

pytestmark = pytest.mark.django_db


def _api(user) -> Client:
    return Client(headers={"authorization": f"Bearer {token_create(actor=None, user=user)}"})


def _post(client: Client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


GIVE = {"purpose": "marketing", "channel": "sms", "wording_version": "2026-01", "source": "call"}


def test_give_list_withdraw_and_ask_permission(owner, person):
    client = _api(owner)
    base = f"/api/v1/persons/{person.pk}"
    assert (
        client.get(f"{base}/contact-permission?channel=sms&purpose=marketing").json()["allowed"]
        is False
    )
    response = _post(client, f"{base}/consents", GIVE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["purpose"] == "marketing" and body["recorded_by"]["id"] == owner.pk
    answer = client.get(f"{base}/contact-permission?channel=sms&purpose=marketing").json()
    assert answer["allowed"] is True and answer["person_id"] == person.pk
    assert (
        client.get(f"{base}/contact-permission?channel=email&purpose=marketing").json()["allowed"]
        is False
    )
    listing = client.get(f"{base}/consents").json()
    assert [c["id"] for c in listing["items"]] == [body["id"]]
    cell = next(
        s for s in listing["state"] if s["purpose"] == "marketing" and s["channel"] == "sms"
    )
    assert cell == {
        "purpose": "marketing",
        "channel": "sms",
        "state": "granted",
        "consent_id": body["id"],
    }
    response = _post(
        client,
        f"{base}/consents/withdraw",
        {"purpose": "marketing", "channel": "sms", "source": "звонок"},
    )
    assert response.json() == {"withdrawn": 1}
    assert (
        client.get(f"{base}/contact-permission?channel=sms&purpose=marketing").json()["allowed"]
        is False
    )
    listing = client.get(f"{base}/consents").json()
    assert listing["items"][0]["withdrawal_source"] == "звонок"


def test_bad_consent_input_gets_field_errors(owner, person):
    client = _api(owner)
    url = f"/api/v1/persons/{person.pk}/consents"
    response = _post(client, url, {**GIVE, "purpose": "spam"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "purpose"]
    response = _post(client, url, {**GIVE, "source": "signed_form"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "evidence"]
    # mass assignment: who recorded it and when are not the client's to say
    response = _post(client, url, {**GIVE, "recorded_by": 1, "given_at": "2000-01-01T00:00:00Z"})
    assert response.status_code == 422
    response = client.get(
        f"/api/v1/persons/{person.pk}/contact-permission?channel=pigeon&purpose=marketing"
    )
    assert response.status_code == 422
    assert not Consent.objects.exists()


def test_read_only_roles_may_read_but_not_give(marketer, person):
    client = _api(marketer)
    assert client.get(f"/api/v1/persons/{person.pk}/consents").status_code == 200
    assert _post(client, f"/api/v1/persons/{person.pk}/consents", GIVE).status_code == 403
    assert not Consent.objects.exists()


@pytest.mark.parametrize("persona", ["colleague", "outsider", "other_head"])
def test_persons_out_of_sight_answer_404_like_missing_ones(request, owner, person, persona):
    client = _api(request.getfixturevalue(persona))
    for url in (
        f"/api/v1/persons/{person.pk}/consents",
        f"/api/v1/persons/{person.pk}/contact-permission?channel=sms&purpose=marketing",
        f"/api/v1/persons/{person.pk}/consent-form",
        f"/api/v1/persons/{person.pk}/documents",
    ):
        assert client.get(url).status_code == 404, url
    assert _post(client, f"/api/v1/persons/{person.pk}/consents", GIVE).status_code == 404
    response = _post(
        client,
        f"/api/v1/persons/{person.pk}/consents/withdraw",
        {"purpose": "marketing", "channel": "sms"},
    )
    assert response.status_code == 404
    assert not Consent.objects.exists()


def test_the_api_prints_the_consent_form(owner, person):
    response = _api(owner).get(f"/api/v1/persons/{person.pk}/consent-form?language=ru")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_a_signed_form_is_uploaded_with_the_consents_it_proves(owner, person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sputnik.documents.models import Document

    client = _api(owner)
    url = f"/api/v1/persons/{person.pk}/consents/signed"
    scan = SimpleUploadedFile("form.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    response = client.post(
        url,
        {
            "purpose": "marketing",
            "channels": ["sms", "email"],
            "wording_version": "2026-01",
            "file": scan,
        },
    )
    assert response.status_code == 201, response.content
    grants = response.json()
    assert sorted(g["channel"] for g in grants) == ["email", "sms"]
    document = Document.objects.get()
    assert all(g["documents"] == [document.pk] for g in grants)
    bad = SimpleUploadedFile("form.pdf", b"MZ not a scan", content_type="application/pdf")
    response = client.post(
        url, {"purpose": "service", "channels": ["sms"], "wording_version": "1", "file": bad}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]
    assert Consent.objects.count() == 2 and Document.objects.count() == 1
