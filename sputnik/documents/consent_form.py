"""The printable consent form: a person's data and the consent wording, for a signature."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format

from sputnik.core.models import User
from sputnik.core.normalize import format_phone
from sputnik.documents.defaults import CONSENT_FORM_KEY
from sputnik.documents.models import DocumentTemplate
from sputnik.documents.pdf import render_pdf
from sputnik.documents.selectors import document_template
from sputnik.parties import selectors as party_selectors
from sputnik.parties.models import Consent, ContactPoint, Person


def _short_name(person: Person) -> str:
    initials = "".join(f" {n[0]}." for n in (person.first_name, person.middle_name) if n)
    return f"{person.last_name}{initials}".strip() or person.display_name


def consent_form_context(person: Person) -> dict[str, Any]:
    """Plain data only (the template runs in a sandbox and sees nothing else)."""
    contacts = list(person.contacts.all())
    phone = next((c for c in contacts if c.kind == ContactPoint.Kind.PHONE), None)
    email = next((c for c in contacts if c.kind == ContactPoint.Kind.EMAIL), None)
    address = next(iter(person.addresses.all()), None)
    channels = [c for c in Consent.Channel if c != Consent.Channel.ANY]
    return {
        "person": {
            "full_name": person.display_name,
            "short_name": _short_name(person),
            "last_name": person.last_name,
            "first_name": person.first_name,
            "middle_name": person.middle_name,
            "phone": format_phone(phone.value) if phone else "",
            "email": email.value if email else "",
            "address": str(address) if address else "",
            "birthday": date_format(person.birthday, "SHORT_DATE_FORMAT")
            if person.birthday
            else "",
        },
        "company": {
            "name": getattr(settings, "SPUTNIK_COMPANY_NAME", "") or person.centre.name,
            "centre": person.centre.name,
            "city": person.centre.city,
        },
        "purposes": [{"key": p.value, "label": str(p.label)} for p in Consent.Purpose],
        "channels": [{"key": c.value, "label": str(c.label)} for c in channels],
        "date": date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
    }


def consent_form_pdf(
    *, actor: User, person_id: int, language: str | None = None
) -> tuple[bytes, str, DocumentTemplate]:
    """(PDF bytes, file name, template used) for a person the actor sees.

    Person.DoesNotExist for a hidden or missing person; TemplateError when the company's
    template cannot be rendered.
    """
    person = party_selectors.person_card(actor=actor, person_id=person_id)
    template = document_template(CONSENT_FORM_KEY, language)
    # Labels and dates in the template's language, whatever the user's interface language.
    with translation.override(template.language):
        context = consent_form_context(person)
        context["wording_version"] = template.version
        data = render_pdf(template.body, context, title=template.title)
    filename = f"consent-{person.pk}-{timezone.localdate():%Y%m%d}.pdf"
    return data, filename, template
