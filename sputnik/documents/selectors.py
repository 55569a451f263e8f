"""Reads of documents and templates, scoped by the acting user through the person (or
the company) that holds the document."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import get_language

from sputnik.core.models import User
from sputnik.documents.models import Document, DocumentTemplate
from sputnik.parties.models import Company, Person


def _readable(documents: QuerySet[Document], actor: User) -> QuerySet[Document]:
    """Without the quote PDFs of deals the actor does not see: deal visibility can be
    narrower than the holder's (a manager sees their own customer but not a colleague's
    deal with them; a deal stays in its centre when the customer is transferred)."""
    from sputnik.sales.models import Quote  # sales files its quotes here, not the reverse
    from sputnik.sales.selectors.deals import visible_deals

    unseen = Quote.objects.filter(document_id=OuterRef("pk")).exclude(
        deal_id__in=visible_deals(actor).values("pk")
    )
    return documents.exclude(Exists(unseen))


def person_documents(*, actor: User, person: Person) -> list[Document]:
    """Documents of a person the actor sees, newest first (Person.DoesNotExist otherwise)."""
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise Person.DoesNotExist("Person matching query does not exist.")
    return list(
        _readable(Document.objects.filter(person=person), actor)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")
    )


def document_get(*, actor: User, person_id: int, document_id: int) -> Document:
    """A document of a visible person, or Document.DoesNotExist — also when the id belongs
    to another person, so a URL cannot pair a visible person with a hidden file."""
    return _readable(Document.objects.select_related("person"), actor).get(
        pk=document_id,
        person_id=person_id,
        person__in=Person.objects.visible_to(actor).filter(pk=person_id).values("pk"),
    )


def company_documents(*, actor: User, company: Company) -> list[Document]:
    """Documents held by a company the actor sees, newest first (Company.DoesNotExist
    otherwise)."""
    if not Company.objects.visible_to(actor).filter(pk=company.pk).exists():
        raise Company.DoesNotExist("Company matching query does not exist.")
    return list(
        _readable(Document.objects.filter(company=company), actor)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")
    )


def company_document_get(*, actor: User, company_id: int, document_id: int) -> Document:
    """A document held by a visible company, or Document.DoesNotExist — also when the id
    belongs to a person or another company."""
    return _readable(Document.objects.select_related("company"), actor).get(
        pk=document_id,
        company_id=company_id,
        company__in=Company.objects.visible_to(actor).filter(pk=company_id).values("pk"),
    )


def document_template(key: str, language: str | None = None) -> DocumentTemplate:
    """The company's template for `key` in the language asked (or the current one),
    falling back to Russian, then to any language; DocumentTemplate.DoesNotExist if none."""
    wanted = (language or get_language() or "ru")[:2]
    templates = {t.language: t for t in DocumentTemplate.objects.filter(key=key)}
    for lang in (wanted, "ru"):
        if lang in templates:
            return templates[lang]
    if templates:
        return next(iter(templates.values()))
    raise DocumentTemplate.DoesNotExist(f"No document template {key!r}.")
