"""Import persons from a vCard file: each card through person_create, duplicates skipped.

Each card is its own transaction: a good card is kept, a bad one is reported by its
number with the reasons, and nothing of a bad card is half-written. A card whose phone or
e-mail already belongs to a person is skipped — whichever centre that person is in, so a
contact is never duplicated — and the report names that person only when the importing
user may see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sputnik.core.models import User
from sputnik.core.normalize import try_normalize_email, try_normalize_phone
from sputnik.core.roles import Right
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import ContactPoint, Person, Source
from sputnik.parties.vcard.reader import ParsedCard, read_vcards


@dataclass
class CardOutcome:
    number: int
    name: str
    status: str  # created | duplicate | error
    person_id: int | None = None
    messages: list[str] = field(default_factory=list)


@dataclass
class VCardImportReport:
    outcomes: list[CardOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def duplicates(self) -> int:
        return self.count("duplicate")

    @property
    def errors(self) -> int:
        return self.count("error")


def _field_label(key: str) -> str:
    name = key.split(".", 1)[0]
    labels = {
        "phones": _("Phone"),
        "emails": _("E-mail"),
        "birthday": _("Birthday"),
        "street": _("Address"),
        "city": _("Address"),
    }
    if name in labels:
        return str(labels[name])
    try:
        label = str(getattr(Person._meta.get_field(name), "verbose_name", name))
        return label[:1].upper() + label[1:]
    except Exception:
        return name


def _messages(exc: ValidationError) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return [str(m) for m in exc.messages]
    return [
        f"{_field_label(key)}: {message}"
        for key, messages in exc.message_dict.items()
        for message in messages
    ]


def _existing(actor: User, phones: list[str], emails: list[str]) -> str | None:
    """Why a card is a duplicate, or None. A hidden person is not named."""
    match = ContactPoint.objects.filter(person__isnull=False).filter(
        kind=ContactPoint.Kind.PHONE, value__in=phones
    ) | ContactPoint.objects.filter(person__isnull=False).filter(
        kind=ContactPoint.Kind.EMAIL, value__in=emails
    )
    hit = match.values_list("person_id", "kind", "value").first()
    if hit is None:
        return None
    person_id, kind, value = hit
    visible = Person.objects.visible_to(actor).filter(pk=person_id).first()
    what = _("phone") if kind == ContactPoint.Kind.PHONE else _("e-mail")
    if visible is not None:
        return _("Skipped: the %(what)s %(value)s belongs to %(name)s.") % {
            "what": what,
            "value": value,
            "name": visible.display_name,
        }
    return _("Skipped: the %(what)s %(value)s already belongs to a person in another centre.") % {
        "what": what,
        "value": value,
    }


def _import_card(actor: User, card: ParsedCard, source_campaign: str) -> CardOutcome:
    from sputnik.parties.services import address_create, person_create

    outcome = CardOutcome(number=card.number, name=card.display_name, status="error")
    if card.errors:
        outcome.messages = list(card.errors)
        return outcome
    phones: list[str] = []
    for raw in card.phones:
        value = try_normalize_phone(raw)
        if value is None:
            outcome.messages.append(
                _("The phone %(value)s is not a valid number and was left out.") % {"value": raw}
            )
        elif value not in phones:
            phones.append(value)
    emails: list[str] = []
    for raw in card.emails:
        value = try_normalize_email(raw)
        if value is None:
            outcome.messages.append(
                _("The e-mail %(value)s is not valid and was left out.") % {"value": raw}
            )
        elif value not in emails:
            emails.append(value)
    duplicate = _existing(actor, phones, emails)
    if duplicate:
        outcome.status = "duplicate"
        outcome.messages.insert(0, duplicate)
        return outcome
    data = {
        "last_name": card.last_name,
        "first_name": card.first_name,
        "middle_name": card.middle_name,
        "phones": phones,
        "emails": emails,
        "birthday": card.birthday,
        "job_title": card.job_title,
        "wishes": card.note,
        "source": Source.IMPORT,
        "source_campaign": source_campaign,
    }
    try:
        with transaction.atomic():
            person = person_create(actor=actor, data=data)
            for address in card.addresses:
                if any(address.get(k) for k in ("street", "city", "region", "postcode")):
                    address_create(actor=actor, person=person, data=address)
    except ValidationError as exc:
        outcome.messages = _messages(exc) + outcome.messages
        return outcome
    outcome.status = "created"
    outcome.person_id = person.pk
    return outcome


def vcard_import(*, actor: User, data: bytes, filename: str = "") -> VCardImportReport:
    """Import every card of a vCard file; VCardFileError if the file is not one.

    Needs the right to create persons (AccessDenied otherwise), checked before reading.
    """
    if actor is None or not actor.has_right(Right.PARTY_CREATE):
        raise AccessDenied(Right.PARTY_CREATE)
    cards = read_vcards(data)
    campaign = (filename or "vCard")[:200]
    report = VCardImportReport()
    for card in cards:
        report.outcomes.append(_import_card(actor, card, campaign))
    return report
