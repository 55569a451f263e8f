"""A merge gives the merged record's documents to the survivor (documents/handlers.py):
listed on the survivor's card, downloadable through the survivor, each move audited, and
still hidden from whoever does not see the survivor."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from sputnik.core.events import publish
from sputnik.core.models import AuditEntry
from sputnik.core.services import token_create
from sputnik.documents.handlers import documents_move_to_person
from sputnik.documents.models import Document
from sputnik.documents.services import consent_give_with_evidence, document_upload
from sputnik.parties.services import person_create
from sputnik.parties.services.merge import person_merge

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% signed consent form\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def twin(owner):
    return person_create(
        actor=owner, data={"last_name": "Ivanov", "first_name": "Sergei", "custom": {}}
    )


@pytest.fixture
def signed_form(owner, twin) -> Document:
    consent_give_with_evidence(
        actor=owner,
        person=twin,
        purpose="marketing",
        channels=["sms", "email"],
        wording_version="v3",
        source="signed_form",
        upload=ContentFile(PDF, "согласие.pdf"),
    )
    return Document.objects.get(person=twin)


def test_the_merged_records_documents_are_listed_on_the_survivors_card_and_downloadable(
    owner, person, twin, signed_form
):
    scan = document_upload(
        actor=owner, person=twin, kind="other", upload=ContentFile(PNG, "паспорт.png")
    )
    twin_id = twin.pk

    person_merge(actor=owner, survivor=person, merged=twin)

    assert set(Document.objects.filter(person=person)) == {signed_form, scan}
    web = Client()
    web.force_login(owner)
    panel = web.get(reverse("parties:person_consents", args=[person.pk])).content.decode()
    link = reverse("documents:document_download", args=[person.pk, signed_form.pk])
    assert "согласие.pdf" in panel and link in panel  # shown as the grants' evidence
    response = web.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    # The old address (the merged record's id) is gone, like the record.
    old = reverse("documents:document_download", args=[twin_id, signed_form.pk])
    assert web.get(old).status_code == 404
    api = Client(headers={"authorization": f"Bearer {token_create(actor=None, user=owner)}"})
    listing = api.get(f"/api/v1/persons/{person.pk}/documents").json()
    assert {d["name"] for d in listing} == {"согласие.pdf", "паспорт.png"}
    proven = next(d for d in listing if d["name"] == "согласие.pdf")["consents"]
    assert len(proven) == 2  # the grants it proves moved with it


def test_each_moved_document_is_audited_on_the_survivor(owner, person, twin, signed_form):
    twin_id = twin.pk
    person_merge(actor=owner, survivor=person, merged=twin)
    entry = AuditEntry.objects.get(
        entity="documents.document", entity_id=signed_form.pk, action="update"
    )
    assert entry.subject_person_id == person.pk and entry.actor_id == owner.pk
    assert (entry.before, entry.after) == ({"person": twin_id}, {"person": person.pk})
    assert entry.summary == "согласие.pdf"


def test_whoever_does_not_see_the_survivor_cannot_reach_the_moved_document(
    owner, outsider, person, twin, signed_form
):
    person_merge(actor=owner, survivor=person, merged=twin)
    web = Client()
    web.force_login(outsider)
    link = reverse("documents:document_download", args=[person.pk, signed_form.pk])
    assert web.get(link).status_code == 404


def test_a_failed_merge_leaves_the_documents_where_they_were(owner, person, twin, signed_form):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        person_merge(actor=owner, survivor=person, merged=twin, choices={"nope": "merged"})
    signed_form.refresh_from_db()
    assert signed_form.person_id == twin.pk
    assert not AuditEntry.objects.filter(entity="documents.document", action="update").exists()


def test_nothing_to_move_is_not_an_error(owner, person, twin):
    assert (
        documents_move_to_person(actor=owner, from_person_id=twin.pk, to_person_id=person.pk) == 0
    )
    # The subscriber runs on the event like any other (no documents, no entries).
    publish("person.merged", survivor_id=person.pk, merged_id=twin.pk, actor=owner)
    assert not AuditEntry.objects.filter(entity="documents.document").exists()
