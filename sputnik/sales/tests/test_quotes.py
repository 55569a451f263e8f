"""Quotes from a deal: lines, numbering, versions, the status workflow, the PDF, events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from pypdf import PdfReader

from sputnik.activities.models import Interaction
from sputnik.core.models import AuditEntry
from sputnik.parties.errors import AccessDenied
from sputnik.sales.models import Quote, QuoteLine
from sputnik.sales.services.quotes import (
    quote_accept,
    quote_create,
    quote_decline,
    quote_expire_due,
    quote_revise,
    quote_send,
    quote_update,
)
from sputnik.sales.tests import quotes_support

# Fixtures shared with the order and status-page tests.
catalogue = quotes_support.catalogue
deal = quotes_support.deal

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def pdf_text(content: bytes) -> str:
    """The PDF's text with whitespace (wrapped table cells, no-break spaces) made single spaces."""
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    return " ".join(text.split())


def test_a_quote_copies_the_deals_lines_with_discounts_and_adds_vat(owner, deal):
    quote = quote_create(actor=owner, deal=deal)
    lines = list(quote.lines.order_by("position"))
    assert [line.name for line in lines] == ["Lada Niva Travel Comfort", "Коврики салона"]
    assert lines[0].discount_percent == D(3)
    assert lines[0].configuration["options"][0]["name"] == "Белый"
    # 1,500,000 − 3% = 1,455,000; mats 2 × 4,990 = 9,980
    assert (lines[0].net_amount, lines[0].vat_amount) == (D("1455000.00"), D("291000.00"))
    assert (quote.net_total, quote.vat_total, quote.gross_total) == (
        D("1464980.00"),
        D("292996.00"),
        D("1757976.00"),
    )
    assert quote.vat_rate == D(20)
    assert quote.status == Quote.Status.DRAFT
    assert quote.valid_until == timezone.localdate() + dt.timedelta(days=14)
    assert quote.person_id == deal.person_id


def test_numbers_run_per_centre_and_year_without_gaps(owner, deal, person, catalogue):
    first = quote_create(actor=owner, deal=deal)
    second = quote_create(actor=owner, deal=deal)
    year = timezone.localdate().year
    assert first.number == f"МОС-{year}-00001"
    assert second.number == f"МОС-{year}-00002"
    # A refused quote takes no number.
    with pytest.raises(ValidationError):
        quote_create(
            actor=owner, deal=deal, lines=[{"name": "x", "quantity": "-1", "unit_price": "1"}]
        )
    assert quote_create(actor=owner, deal=deal).number == f"МОС-{year}-00003"


def test_a_second_centre_in_the_same_city_gets_its_own_prefix(owner, outsider, deal, catalogue):
    from sputnik.core.models import Centre
    from sputnik.sales.services.numbering import centre_prefix

    other = Centre.objects.create(name="Центр В", kind="showroom", region="Москва", city="Москва")
    assert centre_prefix(deal.centre) == "МОС"
    assert centre_prefix(other) == f"МОС{other.pk}"


def test_given_lines_are_validated_and_nothing_is_written_on_error(owner, deal, catalogue):
    with pytest.raises(ValidationError) as caught:
        quote_create(
            actor=owner,
            deal=deal,
            lines=[
                {"product_id": catalogue["car"].pk, "quantity": "1", "discount_percent": "120"},
                {"name": "Доставка", "quantity": "-2", "unit_price": "1000"},
            ],
        )
    errors = caught.value.message_dict
    assert "between 0 and 100" in errors["lines.0.discount_percent"][0]
    assert "greater than zero" in errors["lines.1.quantity"][0]
    assert not Quote.objects.exists() and not QuoteLine.objects.exists()
    assert not AuditEntry.objects.filter(entity="sales.quote").exists()


def test_a_product_line_takes_the_products_name_and_price(owner, deal, catalogue):
    quote = quote_create(
        actor=owner, deal=deal, lines=[{"product_id": catalogue["mats"].pk, "quantity": 3}]
    )
    line = quote.lines.get()
    assert (line.name, line.sku, line.unit_price, line.net_amount) == (
        "Коврики салона",
        "MATS-01",
        D("4990.00"),
        D("14970.00"),
    )


def test_the_vat_rate_can_be_set_per_quote(owner, deal):
    quote = quote_create(actor=owner, deal=deal, vat_rate="10")
    assert quote.vat_total == D("146498.00")
    with pytest.raises(ValidationError) as caught:
        quote_create(actor=owner, deal=deal, vat_rate="120")
    assert "vat_rate" in caught.value.message_dict


def test_only_a_draft_is_edited_and_revising_keeps_version_one_read_only(owner, deal):
    v1 = quote_create(actor=owner, deal=deal)
    quote_update(
        actor=owner,
        quote=v1,
        data={"lines": [{"name": "Niva", "quantity": 1, "unit_price": "1000000"}]},
    )
    v1.refresh_from_db()
    assert v1.gross_total == D("1200000.00")
    quote_send(actor=owner, quote=v1)
    with pytest.raises(ValidationError, match="Only a draft"):
        quote_update(actor=owner, quote=v1, data={"notes": "x"})

    v2 = quote_revise(
        actor=owner,
        quote=v1,
        data={"lines": [{"name": "Niva", "quantity": 1, "unit_price": "950000"}]},
    )
    v1.refresh_from_db()
    assert (v2.number, v2.version, v2.status, v2.previous_id) == (v1.number, 2, "draft", v1.pk)
    assert v2.display_number == f"{v1.number}/2"
    assert v1.status == Quote.Status.SUPERSEDED
    assert v1.gross_total == D("1200000.00")  # the old version is kept as it was
    assert v2.gross_total == D("1140000.00")
    with pytest.raises(ValidationError, match="already been revised"):
        quote_revise(actor=owner, quote=v1)


def test_the_status_workflow_sent_then_accepted_or_declined(owner, deal):
    quote = quote_create(actor=owner, deal=deal)
    with pytest.raises(ValidationError, match="Only a sent quote can be accepted"):
        quote_accept(actor=owner, quote=quote)
    quote_send(actor=owner, quote=quote)
    accepted = quote_accept(actor=owner, quote=quote)
    assert accepted.status == "accepted" and accepted.decided_at is not None
    with pytest.raises(ValidationError, match="accepted quote cannot be revised"):
        quote_revise(actor=owner, quote=quote)

    other = quote_create(actor=owner, deal=deal)
    quote_send(actor=owner, quote=other)
    declined = quote_decline(actor=owner, quote=other, reason="Дорого")
    assert (declined.status, declined.decline_reason) == ("declined", "Дорого")


def test_an_expired_quote_cannot_be_accepted_and_the_sweep_marks_it(owner, deal):
    quote = quote_create(actor=owner, deal=deal)
    quote_send(actor=owner, quote=quote)
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="expired on"):
        quote_accept(actor=owner, quote=quote)
    assert Quote.objects.get(pk=quote.pk).status == "sent"
    assert quote_expire_due(actor=owner) == 1
    assert Quote.objects.get(pk=quote.pk).status == "expired"
    # an expired quote is revised into a new offer
    assert quote_revise(actor=owner, quote=quote).version == 2


def test_sending_stores_a_pdf_with_cyrillic_lines_and_totals_on_the_persons_documents(owner, deal):
    from sputnik.documents.models import Document

    quote = quote_create(actor=owner, deal=deal, notes="Доставка включена")
    quote_send(actor=owner, quote=quote)
    quote.refresh_from_db()
    document = Document.objects.get(pk=quote.document_id)
    assert document.person_id == deal.person_id
    assert document.content_type == "application/pdf"
    text = pdf_text(document.file.read())
    assert f"Коммерческое предложение № {quote.number}" in text
    assert "Lada Niva Travel Comfort" in text
    assert "Коврики салона" in text
    assert "Иванов Сергей Петрович" in text
    assert "1 757 976,00" in text  # gross total
    assert "292 996,00" in text  # VAT
    assert "НДС 20%" in text


def test_the_pdf_follows_the_company_edited_template_and_language(owner, deal):
    from sputnik.documents.models import DocumentTemplate
    from sputnik.sales.services.quote_pdf import render_quote_pdf

    DocumentTemplate.objects.filter(key="quote", language="en").update(
        body="<h1>ACME offer {{ quote.number }}</h1><p>Total: {{ quote.gross_total }}</p>"
    )
    quote = quote_create(actor=owner, deal=deal, language="en")
    text = pdf_text(render_quote_pdf(quote))
    assert f"ACME offer {quote.number}" in text
    assert "Total: 1,757,976.00" in text


def test_quote_events_reach_the_persons_timeline(owner, deal):
    quote = quote_create(actor=owner, deal=deal)
    quote_send(actor=owner, quote=quote)
    entries = Interaction.objects.filter(person_id=deal.person_id, data__quote_id=quote.pk)
    assert {e.data["event"] for e in entries} >= {"quote_created", "quote_status_changed"}


def test_a_user_who_cannot_see_the_deal_cannot_quote_it(outsider, colleague, deal):
    for actor in (outsider, colleague):
        with pytest.raises(AccessDenied):
            quote_create(actor=actor, deal=deal)
    assert not Quote.objects.exists()


def test_read_only_roles_cannot_quote(executive, marketer, deal):
    for actor in (executive, marketer):
        with pytest.raises(AccessDenied):
            quote_create(actor=actor, deal=deal)


def test_the_nightly_task_expires_overdue_quotes(owner, deal):
    from sputnik.sales.tasks import expire_quotes

    quote = quote_create(actor=owner, deal=deal)
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=2)
    )
    expire_quotes.call_local()
    assert Quote.objects.get(pk=quote.pk).status == "expired"
