"""The quote's PDF: the company-editable template "quote" (ru/en) rendered by the
documents app's sandboxed renderer and stored as the customer's document.

Placeholders (plain data only; money already formatted for the quote's language):
  quote.number, quote.version, quote.date, quote.valid_until, quote.currency,
  quote.vat_rate, quote.net_total, quote.vat_total, quote.gross_total, quote.notes,
  quote.status
  lines: [{n, name, sku, options (list of text), quantity, unit_price, discount_percent,
           net, vat, gross}]
  customer.name, customer.company, deal.title
  seller.name, seller.centre, seller.city, seller.manager
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.models import User
from sputnik.sales.models import Quote

QUOTE_TEMPLATE_KEY = "quote"
QUOTE_TEMPLATE_VERSION = "2026-01"

QUOTE_RU = """\
<h2>Коммерческое предложение № {{ quote.number }}{% if quote.version > 1 %} (редакция {{ quote.version }}){% endif %}</h2>
<p>Дата: {{ quote.date }}. Действительно до: <b>{{ quote.valid_until }}</b>.</p>
<p>Продавец: <b>{{ seller.name }}</b>, {{ seller.centre }} ({{ seller.city }}). Менеджер: {{ seller.manager }}.</p>
<p>Покупатель: <b>{{ customer.name }}</b>{% if customer.company and customer.company != customer.name %}, {{ customer.company }}{% endif %}.</p>
<table border="1" width="100%" cellpadding="2">
<thead><tr><th width="6%">№</th><th width="32%">Наименование</th><th width="9%" align="right">Кол-во</th><th width="15%" align="right">Цена без НДС</th><th width="10%" align="right">Скидка</th><th width="14%" align="right">Сумма без НДС</th><th width="14%" align="right">Сумма с НДС</th></tr></thead>
<tbody>
{% for line in lines %}
<tr><td>{{ line.n }}</td><td>{{ line.name }}{% if line.sku %} ({{ line.sku }}){% endif %}{% if line.options %}: {{ line.options|join(", ") }}{% endif %}</td><td align="right">{{ line.quantity }}</td><td align="right">{{ line.unit_price }}</td><td align="right">{{ line.discount_percent }}%</td><td align="right">{{ line.net }}</td><td align="right">{{ line.gross }}</td></tr>
{% endfor %}
</tbody>
</table>
<p align="right">Итого без НДС: <b>{{ quote.net_total }} {{ quote.currency }}</b><br>
НДС {{ quote.vat_rate }}%: <b>{{ quote.vat_total }} {{ quote.currency }}</b><br>
Всего с НДС: <b>{{ quote.gross_total }} {{ quote.currency }}</b></p>
{% if quote.notes %}<p>{{ quote.notes }}</p>{% endif %}
<p><small>Цены указаны без НДС; НДС начисляется по каждой строке и округляется до копеек.
Предложение не является публичной офертой и действительно до указанной даты.</small></p>
"""

QUOTE_EN = """\
<h2>Quote No. {{ quote.number }}{% if quote.version > 1 %} (revision {{ quote.version }}){% endif %}</h2>
<p>Date: {{ quote.date }}. Valid until: <b>{{ quote.valid_until }}</b>.</p>
<p>Seller: <b>{{ seller.name }}</b>, {{ seller.centre }} ({{ seller.city }}). Sales manager: {{ seller.manager }}.</p>
<p>Customer: <b>{{ customer.name }}</b>{% if customer.company and customer.company != customer.name %}, {{ customer.company }}{% endif %}.</p>
<table border="1" width="100%" cellpadding="2">
<thead><tr><th width="6%">#</th><th width="32%">Item</th><th width="9%" align="right">Qty</th><th width="15%" align="right">Unit price excl. VAT</th><th width="10%" align="right">Discount</th><th width="14%" align="right">Net</th><th width="14%" align="right">Gross</th></tr></thead>
<tbody>
{% for line in lines %}
<tr><td>{{ line.n }}</td><td>{{ line.name }}{% if line.sku %} ({{ line.sku }}){% endif %}{% if line.options %}: {{ line.options|join(", ") }}{% endif %}</td><td align="right">{{ line.quantity }}</td><td align="right">{{ line.unit_price }}</td><td align="right">{{ line.discount_percent }}%</td><td align="right">{{ line.net }}</td><td align="right">{{ line.gross }}</td></tr>
{% endfor %}
</tbody>
</table>
<p align="right">Total excl. VAT: <b>{{ quote.net_total }} {{ quote.currency }}</b><br>
VAT {{ quote.vat_rate }}%: <b>{{ quote.vat_total }} {{ quote.currency }}</b><br>
Total incl. VAT: <b>{{ quote.gross_total }} {{ quote.currency }}</b></p>
{% if quote.notes %}<p>{{ quote.notes }}</p>{% endif %}
<p><small>Prices exclude VAT; VAT is charged per line and rounded to the kopeck.
This quote is not a public offer and is valid until the date above.</small></p>
"""

DEFAULT_QUOTE_TEMPLATES = [
    {
        "key": QUOTE_TEMPLATE_KEY,
        "language": "ru",
        "title": "Коммерческое предложение",
        "version": QUOTE_TEMPLATE_VERSION,
        "body": QUOTE_RU,
    },
    {
        "key": QUOTE_TEMPLATE_KEY,
        "language": "en",
        "title": "Quote",
        "version": QUOTE_TEMPLATE_VERSION,
        "body": QUOTE_EN,
    },
]


def format_money(value: Decimal, language: str) -> str:
    """1 234 567,89 in Russian (no-break spaces), 1,234,567.89 in English."""
    text = f"{value:,.2f}"
    if language.startswith("ru"):
        return text.replace(",", "\u00a0").replace(".", ",")
    return text


def format_number(value: Decimal, language: str) -> str:
    """A quantity or percentage without trailing zeros (2, 1.5 / 1,5)."""
    normal = value.normalize()
    text = f"{normal:f}"
    return text.replace(".", ",") if language.startswith("ru") else text


def _date(value: Any, language: str) -> str:
    return value.strftime("%d.%m.%Y" if language.startswith("ru") else "%Y-%m-%d")


def quote_context(quote: Quote) -> dict[str, Any]:
    """Plain data for the template (no model instances reach the sandbox)."""
    from sputnik.parties.models import Company, Person

    lang = quote.language
    person = Person.objects.filter(pk=quote.person_id).first() if quote.person_id else None
    company = Company.objects.filter(pk=quote.company_id).first() if quote.company_id else None
    customer_name = person.display_name if person else (company.name if company else "")
    manager = quote.deal.owner or quote.created_by
    lines = [
        {
            "n": i,
            "name": line.name,
            "sku": line.sku,
            "options": line.option_names,
            "quantity": format_number(line.quantity, lang),
            "unit_price": format_money(line.unit_price, lang),
            "discount_percent": format_number(line.discount_percent, lang),
            "net": format_money(line.net_amount, lang),
            "vat": format_money(line.vat_amount, lang),
            "gross": format_money(line.gross_amount, lang),
        }
        for i, line in enumerate(quote.lines.order_by("position", "id"), start=1)
    ]
    return {
        "quote": {
            "number": quote.display_number,
            "version": quote.version,
            "date": _date(timezone.localtime(quote.created_at).date(), lang),
            "valid_until": _date(quote.valid_until, lang),
            "currency": quote.currency,
            "vat_rate": format_number(quote.vat_rate, lang),
            "net_total": format_money(quote.net_total, lang),
            "vat_total": format_money(quote.vat_total, lang),
            "gross_total": format_money(quote.gross_total, lang),
            "notes": quote.notes,
            "status": quote.status,
        },
        "lines": lines,
        "customer": {"name": customer_name, "company": company.name if company else ""},
        "deal": {"title": quote.deal.title},
        "seller": {
            "name": getattr(settings, "SPUTNIK_COMPANY_NAME", "Sputnik"),
            "centre": quote.centre.name,
            "city": quote.centre.city,
            "manager": manager.display_name if isinstance(manager, User) else "",
        },
    }


def quote_template_source(language: str) -> tuple[str, str]:
    """(title, body) of the company's "quote" template in `language`, else the default."""
    from sputnik.documents.models import DocumentTemplate
    from sputnik.documents.selectors import document_template

    try:
        template = document_template(QUOTE_TEMPLATE_KEY, language)
    except DocumentTemplate.DoesNotExist:
        default = next(t for t in DEFAULT_QUOTE_TEMPLATES if t["language"] == language)
        return default["title"], default["body"]
    return template.title, template.body


def render_quote_pdf(quote: Quote) -> bytes:
    """The PDF bytes; a company template that cannot be rendered is a ValidationError
    naming the template, never a server error."""
    from sputnik.documents.pdf import TemplateError, render_pdf

    title, body = quote_template_source(quote.language)
    try:
        return render_pdf(body, quote_context(quote), title=f"{title} {quote.display_number}")
    except TemplateError as exc:
        raise ValidationError(
            {"document": [_("The quote template cannot be used: %(error)s") % {"error": exc}]}
        ) from exc


def quote_pdf_filename(quote: Quote) -> str:
    stem = "kp" if quote.language == "ru" else "quote"
    return f"{stem}-{quote.display_number.replace('/', '-v')}.pdf"


def store_quote_pdf(*, actor: User, quote: Quote) -> int | None:
    """Render the PDF and keep it with the customer; returns the document id.

    The file is stored in the documents app against the deal's person, or, for a
    company-only deal, against its company (so it shows with their documents, served
    through their visibility-checked view), and its id is kept on the quote (so the deal
    lists it with its quotes, served through the deal's visibility).
    """
    from sputnik.sales.services.quote_documents import store_document

    content = render_quote_pdf(quote)
    if quote.person_id is None and quote.company_id is None:
        return None
    document_id = store_document(
        actor=actor,
        person_id=quote.person_id,
        company_id=quote.company_id if quote.person_id is None else None,
        name=quote_pdf_filename(quote),
        content=content,
    )
    Quote.objects.filter(pk=quote.pk).update(document_id=document_id)
    quote.document_id = document_id
    return document_id


def stored_quote_document(quote: Quote) -> Any:
    """The Document stored when the quote was sent, held by the quote's person (or, for a
    company-only quote, its company); None if there is none."""
    if quote.document_id is None:
        return None
    from sputnik.documents.models import Document

    holder: dict[str, Any]
    if quote.person_id is not None:
        holder = {"person_id": quote.person_id}
    elif quote.company_id is not None:
        holder = {"company_id": quote.company_id, "person__isnull": True}
    else:
        return None
    return Document.objects.filter(pk=quote.document_id, **holder).first()


def stored_quote_pdf(quote: Quote) -> bytes | None:
    """The PDF stored when the quote was sent (what the customer received), if any."""
    document = stored_quote_document(quote)
    if document is None:
        return None
    try:
        with document.file.open("rb") as handle:
            return bytes(handle.read())
    except FileNotFoundError:
        return None
