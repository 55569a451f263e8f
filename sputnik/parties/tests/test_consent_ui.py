"""The consent panel on the person card: state per purpose × channel, recording a consent
with the signed form as evidence, withdrawal, the printable form — for those who may see
the person, and the missing-record answer for everyone else."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from sputnik.conftest import VISIBILITY_MATRIX
from sputnik.documents.models import Document
from sputnik.parties.consent_state import consent_matrix
from sputnik.parties.models import Consent
from sputnik.parties.selectors import may_contact
from sputnik.parties.services import consent_give, consent_withdraw, person_update

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.4\n% signed consent form scan\n"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _give(actor, person, **extra):
    data = {
        "purpose": "marketing",
        "channel": "sms",
        "wording_version": "2026-01",
        "source": "call",
        "evidence": "запись звонка",
    }
    data.update(extra)
    return consent_give(actor=actor, person=person, **data)


def test_the_card_loads_the_consent_panel(owner, person):
    page = _client(owner).get(reverse("parties:person_detail", args=[person.pk])).content.decode()
    assert reverse("parties:person_consents", args=[person.pk]) in page


def test_the_panel_shows_granted_withdrawn_and_none_per_purpose_and_channel(owner, person):
    _give(owner, person, channel="sms")
    _give(owner, person, channel="email")
    consent_withdraw(actor=owner, person=person, purpose="marketing", channel="email")
    _give(owner, person, purpose="service", channel="any")
    page = _client(owner).get(reverse("parties:person_consents", args=[person.pk])).content.decode()
    assert 'data-purpose="marketing" data-channel="sms" data-state="granted"' in page
    assert 'data-purpose="marketing" data-channel="email" data-state="withdrawn"' in page
    assert 'data-purpose="marketing" data-channel="phone" data-state="none"' in page
    assert 'data-purpose="service" data-channel="post" data-state="granted"' in page
    assert "запись звонка" in page and "2026-01" in page


def test_every_granted_cell_is_exactly_what_may_contact_answers(owner, person):
    _give(owner, person, channel="sms")
    _give(owner, person, purpose="service", channel="any")
    _give(owner, person, purpose="advertising", channel="email")
    consent_withdraw(actor=owner, person=person, purpose="advertising", channel="email")
    for row in consent_matrix(list(Consent.objects.filter(person=person))):
        for cell in row.cells:
            assert (cell.state == "granted") is may_contact(
                person_id=person.pk, channel=cell.channel, purpose=row.purpose
            ), (row.purpose, cell.channel)


def test_recording_a_consent_with_the_signed_form_keeps_the_file_as_evidence(owner, person):
    client = _client(owner)
    url = reverse("parties:person_consent_give", args=[person.pk])
    assert "2026-01" in client.get(url).content.decode()  # the template's wording version
    response = client.post(
        url,
        {
            "purpose": "marketing",
            "channels": ["sms", "email"],
            "wording_version": "2026-01",
            "source": "signed_form",
            "evidence": "",
            "file": SimpleUploadedFile("бланк.pdf", SCAN, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    grants = list(Consent.objects.filter(person=person).order_by("channel"))
    assert [g.channel for g in grants] == ["email", "sms"]
    document = Document.objects.get()
    assert document.kind == "consent_form" and document.person == person
    assert document.content_type == "application/pdf" and document.size == len(SCAN)
    assert document.uploaded_by == owner
    assert set(document.consents.all()) == set(grants)
    assert document.sha256[:16] in grants[0].evidence
    assert may_contact(person_id=person.pk, channel="sms", purpose="marketing")
    panel = client.get(reverse("parties:person_consents", args=[person.pk])).content.decode()
    download = reverse("documents:document_download", args=[person.pk, document.pk])
    assert download in panel
    body = client.get(download)
    assert b"".join(body.streaming_content) == SCAN
    assert body["Content-Disposition"].startswith("attachment")


def test_a_file_that_is_not_a_scan_is_refused_and_nothing_is_recorded(owner, person):
    response = _client(owner).post(
        reverse("parties:person_consent_give", args=[person.pk]),
        {
            "purpose": "marketing",
            "channels": ["sms"],
            "wording_version": "2026-01",
            "source": "signed_form",
            "file": SimpleUploadedFile("form.pdf", b"MZ\x90\x00 an executable", "application/pdf"),
        },
    )
    assert response.status_code == 200
    assert "Upload a PDF, JPEG, PNG or TIFF file" in response.content.decode()
    assert not Consent.objects.exists() and not Document.objects.exists()


def test_a_huge_upload_is_refused_with_its_size_and_the_limit(owner, person, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    response = _client(owner).post(
        reverse("parties:person_consent_give", args=[person.pk]),
        {
            "purpose": "marketing",
            "channels": ["sms"],
            "wording_version": "2026-01",
            "source": "signed_form",
            "file": SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 4096, "application/pdf"),
        },
    )
    assert "The file is too large" in response.content.decode()
    assert not Consent.objects.exists() and not Document.objects.exists()


def test_a_signed_form_without_a_file_or_a_reference_is_refused_on_the_evidence_field(
    owner, person
):
    response = _client(owner).post(
        reverse("parties:person_consent_give", args=[person.pk]),
        {
            "purpose": "marketing",
            "channels": ["sms"],
            "wording_version": "1",
            "source": "signed_form",
        },
    )
    assert "Name the signed form" in response.content.decode()
    assert not Consent.objects.exists()


def test_withdrawing_from_the_card_ends_the_grant(owner, person):
    _give(owner, person)
    response = _client(owner).post(
        reverse("parties:person_consent_withdraw", args=[person.pk]),
        {"purpose": "marketing", "channel": "sms"},
    )
    assert response.status_code == 302
    assert not may_contact(person_id=person.pk, channel="sms", purpose="marketing")
    grant = Consent.objects.get()
    assert grant.withdrawn_at is not None and "Owner" in grant.withdrawal_source


def test_read_only_roles_see_the_panel_but_cannot_record(marketer, owner, person):
    _give(owner, person)
    client = _client(marketer)
    page = client.get(reverse("parties:person_consents", args=[person.pk])).content.decode()
    assert 'data-state="granted"' in page
    assert reverse("parties:person_consent_give", args=[person.pk]) not in page
    assert client.get(reverse("parties:person_consent_give", args=[person.pk])).status_code == 403
    response = client.post(
        reverse("parties:person_consent_withdraw", args=[person.pk]),
        {"purpose": "marketing", "channel": "sms"},
    )
    assert response.status_code == 403
    assert may_contact(person_id=person.pk, channel="sms", purpose="marketing")


@pytest.mark.parametrize(("persona", "sees"), VISIBILITY_MATRIX)
def test_consent_pages_and_files_follow_the_visibility_matrix(
    request, owner, person, persona, sees
):
    from django.core.files.base import ContentFile

    from sputnik.documents.services import document_upload

    document = document_upload(
        actor=owner, person=person, kind="consent_form", upload=ContentFile(SCAN, "f.pdf")
    )
    client = _client(request.getfixturevalue(persona))
    for url in (
        reverse("parties:person_consents", args=[person.pk]),
        reverse("parties:person_consent_form_pdf", args=[person.pk]),
        reverse("documents:document_download", args=[person.pk, document.pk]),
    ):
        assert client.get(url).status_code == (200 if sees else 404), url


def test_an_outsider_cannot_record_or_withdraw_and_nothing_changes(outsider, owner, person):
    _give(owner, person)
    client = _client(outsider)
    response = client.post(
        reverse("parties:person_consent_give", args=[person.pk]),
        {"purpose": "marketing", "channels": ["email"], "wording_version": "1", "source": "call"},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("parties:person_consent_withdraw", args=[person.pk]),
        {"purpose": "marketing", "channel": "sms"},
    )
    assert response.status_code == 404
    assert Consent.objects.count() == 1 and Consent.objects.get().withdrawn_at is None


def test_a_document_id_of_another_person_is_not_served_through_a_visible_person(
    owner, outsider, person
):
    from django.core.files.base import ContentFile

    from sputnik.documents.services import document_upload
    from sputnik.parties.services import person_create

    theirs = person_create(actor=outsider, data={"last_name": "Чужой"})
    hidden = document_upload(
        actor=outsider, person=theirs, kind="other", upload=ContentFile(SCAN, "x.pdf")
    )
    url = reverse("documents:document_download", args=[person.pk, hidden.pk])
    assert _client(owner).get(url).status_code == 404


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_printable_form_is_prefilled_in_russian_with_the_persons_data(owner, person):
    from sputnik.parties.services import address_create

    address_create(actor=owner, person=person, data={"city": "Москва", "street": "ул. Ленина, 1"})
    response = _client(owner).get(
        reverse("parties:person_consent_form_pdf", args=[person.pk]), {"language": "ru"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "Иванов Сергей Петрович" in text
    assert "+7 912 345-67-89" in text and "sergey.ivanov@example.ru" in text
    assert "Москва, ул. Ленина, 1" in text
    assert "Согласие на обработку персональных данных" in text
    assert "Маркетинг" in text and "SMS" in text and "☐" in text
    assert "Подпись" in text and "Иванов С. П." in text
    assert "2026-01" in text


def test_the_form_prints_in_english_on_request(owner, person):
    response = _client(owner).get(
        reverse("parties:person_consent_form_pdf", args=[person.pk]), {"language": "en"}
    )
    text = _pdf_text(response.content)
    assert "Consent to personal data processing" in text
    assert "Иванов Сергей Петрович" in text and "Signature" in text


def test_a_script_tag_in_a_name_prints_as_text(owner, person):
    person_update(actor=owner, person=person, data={"first_name": "<script>alert(1)</script>"})
    response = _client(owner).get(reverse("parties:person_consent_form_pdf", args=[person.pk]))
    assert "<script>alert(1)</script>" in _pdf_text(response.content)
    panel = _client(owner).get(reverse("parties:person_consents", args=[person.pk]))
    assert b"<script>alert(1)</script>" not in panel.content
