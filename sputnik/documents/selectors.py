"""Reads of documents and templates, scoped by the acting user through the person (or
the company) that holds the document."""

from __future__ import annotations

from django.utils.translation import get_language

from sputnik.core.models import User
from sputnik.documents.models import Document, DocumentTemplate
from sputnik.parties.models import Company, Person


def person_documents(*, actor: User, person: Person) -> list[Document]:
    """Documents of a person the actor sees, newest first (Person.DoesNotExist otherwise)."""
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise Person.DoesNotExist("Person matching query does not exist.")
    return list(
        Document.objects.filter(person=person)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")
    )


def document_get(*, actor: User, person_id: int, document_id: int) -> Document:
    """A document of a visible person, or Document.DoesNotExist — also when the id belongs
    to another person, so a URL cannot pair a visible person with a hidden file."""
    return Document.objects.select_related("person").get(
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
        Document.objects.filter(company=company)
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")
    )


def company_document_get(*, actor: User, company_id: int, document_id: int) -> Document:
    """A document held by a visible company, or Document.DoesNotExist — also when the id
    belongs to a person or another company."""
    return Document.objects.select_related("company").get(
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
