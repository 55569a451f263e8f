"""A sent quote's PDF is stored with the deal's customer: the person, or, for a deal with
a company and no person, the company. The deal page lists the stored PDF, served only to
users who see the deal (the company's download, only to users who see the company)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from sputnik.core.models import AuditEntry
from sputnik.documents.models import Document
from sputnik.parties.services import company_create
from sputnik.sales.models import Quote
from sputnik.sales.services.deals import deal_create
from sputnik.sales.services.quotes import quote_create, quote_send
from sputnik.sales.tests import quotes_support

catalogue = quotes_support.catalogue
deal = quotes_support.deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(owner):
    return company_create(actor=owner, data={"name": "ООО Ромашка"})


@pytest.fixture
def company_deal(owner, company, catalogue):
    return deal_create(
        actor=owner,
        data={
            "company_id": company.pk,
            "title": "Автопарк Ромашки",
            "lines": [{"product_id": catalogue["car"].pk, "quantity": 2}],
        },
    )


@pytest.fixture
def sent_company_quote(owner, company_deal) -> Quote:
    quote = quote_create(actor=owner, deal=company_deal)
    quote_send(actor=owner, quote=quote)
    quote.refresh_from_db()
    return quote


def pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return " ".join(text.split())


def test_a_company_only_deals_quote_pdf_is_stored_with_the_company(
    owner, company, sent_company_quote
):
    document = Document.objects.get(pk=sent_company_quote.document_id)
    assert (document.company_id, document.person_id) == (company.pk, None)
    assert (document.kind, document.content_type) == ("quote", "application/pdf")
    text = pdf_text(document.file.read())
    assert sent_company_quote.number in text and "ООО Ромашка" in text
    entry = AuditEntry.objects.get(entity="documents.document", entity_id=document.pk)
    assert (entry.subject_company_id, entry.subject_person_id, entry.actor_id) == (
        company.pk,
        None,
        owner.pk,
    )


def test_the_deal_owner_downloads_the_stored_pdf_from_the_deal(
    client, owner, company_deal, sent_company_quote
):
    client.force_login(owner)
    panel = client.get(reverse("sales:deal_quotes_panel", args=[company_deal.pk])).content.decode()
    url = reverse("sales:quote_pdf", args=[sent_company_quote.pk])
    assert f'href="{url}"' in panel
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    stored = Document.objects.get(pk=sent_company_quote.document_id).file.read()
    assert response.content == stored  # what the customer received, not a fresh rendering


def test_the_company_card_user_downloads_it_through_the_companys_documents(
    client, owner, company, sent_company_quote
):
    client.force_login(owner)
    url = reverse(
        "documents:company_document_download",
        kwargs={"company_id": company.pk, "document_id": sent_company_quote.document_id},
    )
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Cache-Control"] == "private, no-store"


def test_an_outsider_gets_a_404_for_the_pdf_every_way(
    client, outsider, company, company_deal, sent_company_quote
):
    client.force_login(outsider)
    urls = [
        reverse("sales:quote_pdf", args=[sent_company_quote.pk]),
        reverse("sales:deal_quotes_panel", args=[company_deal.pk]),
        reverse(
            "documents:company_document_download",
            kwargs={"company_id": company.pk, "document_id": sent_company_quote.document_id},
        ),
    ]
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]


def test_a_company_document_is_not_reached_through_another_company_or_a_person(
    client, owner, person, sent_company_quote
):
    other = company_create(actor=owner, data={"name": "ООО Лютик"})
    client.force_login(owner)
    document_id = sent_company_quote.document_id
    through_other = reverse(
        "documents:company_document_download",
        kwargs={"company_id": other.pk, "document_id": document_id},
    )
    through_person = reverse(
        "documents:document_download", kwargs={"person_id": person.pk, "document_id": document_id}
    )
    assert client.get(through_other).status_code == 404
    assert client.get(through_person).status_code == 404


def test_a_person_and_company_deal_keeps_the_pdf_with_the_person_only(client, owner, deal, company):
    from sputnik.sales.services.deals import deal_update

    deal_update(actor=owner, deal=deal, data={"company_id": company.pk})
    quote = quote_create(actor=owner, deal=deal)
    quote_send(actor=owner, quote=quote)
    quote.refresh_from_db()
    document = Document.objects.get(pk=quote.document_id)
    assert (document.person_id, document.company_id) == (deal.person_id, None)
    client.force_login(owner)
    panel = client.get(reverse("sales:deal_quotes_panel", args=[deal.pk])).content.decode()
    assert reverse("sales:quote_pdf", args=[quote.pk]) in panel
    through_company = reverse(
        "documents:company_document_download",
        kwargs={"company_id": company.pk, "document_id": document.pk},
    )
    assert client.get(through_company).status_code == 404


def test_a_draft_is_rendered_not_stored_and_the_deal_offers_no_stored_pdf(
    client, owner, company_deal
):
    quote = quote_create(actor=owner, deal=company_deal)
    client.force_login(owner)
    panel = client.get(reverse("sales:deal_quotes_panel", args=[company_deal.pk])).content.decode()
    assert "data-stored-pdf" not in panel
    response = client.get(reverse("sales:quote_pdf", args=[quote.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert not Document.objects.exists()


def test_a_refused_send_stores_nothing(owner, company_deal):
    from django.core.exceptions import ValidationError

    quote = quote_create(actor=owner, deal=company_deal)
    quote_send(actor=owner, quote=quote)
    with translation.override("en"), pytest.raises(ValidationError, match="Only a draft"):
        quote_send(actor=owner, quote=Quote.objects.get(pk=quote.pk))
    assert Document.objects.count() == 1


def test_a_quote_pdf_is_not_readable_through_a_card_by_one_who_does_not_see_its_deal(
    client, owner, colleague, head, deal
):
    """The owner sees their customer, but the deal went to a colleague (own scope): its
    quote PDF neither lists on the person's documents nor downloads there; the head, who
    sees the deal, still gets both."""
    from sputnik.documents import selectors as documents
    from sputnik.sales.models import Deal

    quote = quote_create(actor=owner, deal=deal)
    quote_send(actor=owner, quote=quote)
    quote.refresh_from_db()
    Deal.objects.filter(pk=deal.pk).update(owner=colleague)
    download = reverse("documents:document_download", args=[deal.person_id, quote.document_id])
    client.force_login(owner)
    assert quote.document_id not in [
        d.pk for d in documents.person_documents(actor=owner, person=deal.person)
    ]
    assert client.get(download).status_code == 404
    client.force_login(head)
    assert quote.document_id in [
        d.pk for d in documents.person_documents(actor=head, person=deal.person)
    ]
    assert client.get(download).status_code == 200
