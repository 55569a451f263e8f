"""Lead intake: the one way a lead from outside (web form, configurator, landing page)
becomes a person in the CRM.

`prospect_capture` finds the person by an exact normalised phone or e-mail, or creates a
prospect; records each consent with its evidence; hands a new or unassigned person to
distribution; and gives the assignee a follow-up task. Everything happens in one
transaction through the party, consent, distribution and task services, so each step
keeps its own access check and audit entry and a failure leaves nothing half-written.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sputnik.core.events import publish
from sputnik.core.models import Centre, User
from sputnik.core.normalize import normalize_email, normalize_phone
from sputnik.core.roles import Role
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import Consent, ContactPoint, Interest, Person, Source
from sputnik.parties.services._common import _CONTROL
from sputnik.parties.services.consents import consent_give
from sputnik.parties.services.persons import person_create, person_update

logger = logging.getLogger(__name__)

# The UTM keys a person keeps (first touch); the rest stay with the submission that
# carried them.
PERSON_UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")
UTM_KEYS = (*PERSON_UTM_KEYS, "utm_content", "utm_term")
# How soon the assignee should answer a web lead.
FOLLOW_UP_WITHIN = dt.timedelta(hours=2)


@dataclass(frozen=True)
class ConsentRequest:
    """One consent the visitor gave: purpose × channel under a versioned wording."""

    purpose: str
    channel: str
    wording_version: str
    source: str = Consent.Source.WEB_FORM


@dataclass(frozen=True)
class CaptureResult:
    person: Person
    created: bool
    # sputnik.parties.services.distribution.Assignment(centre, owner, rule), or None when
    # the person already had an owner (or distribution could not place it).
    assignment: Any | None
    # sputnik.activities.models task for the assignee, or None when nobody could be found.
    task: Any | None


def _clean(value: Any, limit: int) -> str:
    return _CONTROL.sub("", str(value or "")).strip()[:limit]


def _match(actor: User, *, phone: str, email: str, first_name: str) -> Person | None:
    """The existing person this lead is, by exact normalised e-mail or phone.

    An e-mail is personal; a phone is often shared by a family, so a phone-only match
    must not contradict the first name given (a wife submitting from the family phone is
    not her husband). Among several candidates the best-evidenced, then the oldest, wins.
    Matching stays inside what the actor may see, like every read.
    """
    by_email: set[int] = set()
    by_phone: set[int] = set()
    if email:
        by_email = set(
            ContactPoint.objects.filter(
                kind=ContactPoint.Kind.EMAIL, value=email, person_id__isnull=False
            ).values_list("person_id", flat=True)[:50]
        )
    if phone:
        by_phone = set(
            ContactPoint.objects.filter(
                kind=ContactPoint.Kind.PHONE, value=phone, person_id__isnull=False
            ).values_list("person_id", flat=True)[:50]
        )
    ids = by_email | by_phone
    if not ids:
        return None
    candidates = list(Person.objects.visible_to(actor).filter(pk__in=ids).order_by("pk"))
    wanted = first_name.casefold()

    def name_fits(p: Person) -> bool:
        return not wanted or not p.first_name or p.first_name.casefold() == wanted

    scored = []
    for p in candidates:
        if p.pk in by_email:
            score = 3 + (p.pk in by_phone) + name_fits(p)
        elif name_fits(p):
            score = 1 + bool(wanted and p.first_name.casefold() == wanted)
        else:
            continue
        scored.append((-score, p.pk, p))
    return min(scored, key=lambda t: t[:2])[2] if scored else None


def _intake_centre(centre_id: int | None) -> Centre | None:
    """Where a new lead waits until distribution places it.

    A hint (the form's target centre) wins; else the call centre, whose operators serve
    every centre's callers; else the head office; else any active centre.
    """
    active = Centre.objects.filter(is_active=True)
    if centre_id:
        hinted = active.filter(pk=centre_id).first()
        if hinted is not None:
            return hinted
    for kind in (Centre.Kind.CALL_CENTRE, Centre.Kind.HEAD_OFFICE):
        centre = active.filter(kind=kind).order_by("pk").first()
        if centre is not None:
            return centre
    return active.order_by("pk").first()


def _known_interests(codes: Sequence[str]) -> list[str]:
    wanted = {str(c).strip() for c in codes if str(c).strip()}
    if not wanted:
        return []
    return sorted(
        Interest.objects.filter(slug__in=wanted, is_active=True).values_list("slug", flat=True)
    )


def _distribute(
    *,
    actor: User,
    person: Person,
    interest_codes: Sequence[str],
    product_hint: str,
    region: str,
    city: str,
) -> Any | None:
    # Imported here: distribution builds on the party services this module sits beside.
    from sputnik.parties.services import distribution

    return distribution.prospect_distribute(
        actor=actor,
        person=person,
        interest_codes=tuple(interest_codes),
        product_hint=product_hint,
        region=region,
        city=city,
    )


def _centre_head(centre_id: int | None) -> User | None:
    if centre_id is None:
        return None
    return (
        User.objects.filter(centre_id=centre_id, role=Role.CENTRE_HEAD, is_active=True)
        .order_by("pk")
        .first()
    )


def _follow_up(
    *,
    actor: User,
    person: Person,
    assignee: User,
    source: str,
    comment: str,
    referrer: str,
    utm: Mapping[str, str],
    product_hint: str,
    interest_codes: Sequence[str],
    created: bool,
) -> Any:
    # Activities builds on parties; imported here to keep the dependency one-way at import.
    from sputnik.activities import services as activity_services

    with translation.override(assignee.language or "ru"):
        source_label = str(Source(source).label) if source in Source.values else source
        if created:
            title = _("New lead (%(source)s): %(name)s")
        else:
            title = _("Repeat request (%(source)s): %(name)s")
        title = title % {"source": source_label, "name": person.display_name}
        lines = []
        if comment:
            lines.append(_("Comment: %(text)s") % {"text": comment})
        if product_hint:
            lines.append(_("Product: %(text)s") % {"text": product_hint})
        if interest_codes:
            lines.append(_("Interests: %(text)s") % {"text": ", ".join(interest_codes)})
        utm_text = ", ".join(f"{k}={v}" for k, v in utm.items() if v)
        if utm_text:
            lines.append(f"UTM: {utm_text}")
        if referrer:
            lines.append(_("Page: %(text)s") % {"text": referrer})
    return activity_services.task_create(
        actor=actor,
        assignee=assignee,
        title=title[:200],
        person_id=person.pk,
        due_at=timezone.now() + FOLLOW_UP_WITHIN,
        kind="follow_up",
        description="\n".join(lines),
    )


def _extend_matched(
    *, actor: User, person: Person, phone: str, email: str, interests: list[str]
) -> Person:
    """Add what the lead told us that the matched person lacks: a new phone or e-mail,
    new interests. Nothing is overwritten: the first touch's source and UTM stay."""
    contacts = list(
        person.contacts.filter(kind__in=[ContactPoint.Kind.PHONE, ContactPoint.Kind.EMAIL])
    )
    data: dict[str, Any] = {}
    phones = [c for c in contacts if c.kind == ContactPoint.Kind.PHONE]
    emails = [c for c in contacts if c.kind == ContactPoint.Kind.EMAIL]
    if phone and phone not in {c.value for c in phones}:
        data["phones"] = [
            *({"value": c.value, "label": c.label, "is_primary": c.is_primary} for c in phones),
            {"value": phone, "label": ""},
        ]
    if email and email not in {c.value for c in emails}:
        data["emails"] = [
            *({"value": c.value, "label": c.label, "is_primary": c.is_primary} for c in emails),
            {"value": email, "label": ""},
        ]
    have = set(person.interests.values_list("slug", flat=True))
    if set(interests) - have:
        data["interests"] = sorted(have | set(interests))
    if data:
        person = person_update(actor=actor, person=person, data=data)
    return person


@transaction.atomic
def prospect_capture(
    *,
    actor: User,
    first_name: str,
    last_name: str = "",
    phone: str = "",
    email: str = "",
    source: str,
    utm: Mapping[str, str] | None = None,
    referrer: str = "",
    consents: Sequence[ConsentRequest] = (),
    evidence: str = "",
    ip_address: str | None = None,
    interest_codes: Sequence[str] = (),
    product_hint: str = "",
    region: str = "",
    city: str = "",
    comment: str = "",
    centre_id: int | None = None,
) -> CaptureResult:
    """Turn a lead into a person the network works with; see the module docstring.

    Raises ValidationError keyed by argument name (first_name, phone, email, source,
    consents) for bad input; nothing is written then. `centre_id` is where a new lead
    waits if distribution does not place it (a web form's target centre).
    """
    errors: dict[str, list[str]] = {}
    first_name = _clean(first_name, 200)
    last_name = _clean(last_name, 200)
    if not first_name:
        errors.setdefault("first_name", []).append(_("Enter your first name."))
    for name, value in (("first_name", first_name), ("last_name", last_name)):
        if len(value) > 100:
            errors.setdefault(name, []).append(_("At most %(n)d characters.") % {"n": 100})
    norm_phone = norm_email = ""
    if phone.strip():
        try:
            norm_phone = normalize_phone(phone)
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.messages)
    if email.strip():
        try:
            norm_email = normalize_email(email)
        except ValidationError as exc:
            errors.setdefault("email", []).extend(exc.messages)
    if not phone.strip() and not email.strip():
        errors.setdefault("phone", []).append(_("Enter a phone number or an e-mail address."))
    if source not in Source.values:
        errors.setdefault("source", []).append(_("Choose a valid option."))
    for i, request in enumerate(consents):
        if request.purpose not in Consent.Purpose.values:
            errors.setdefault(f"consents.{i}", []).append(_("Choose a valid option."))
        if request.channel not in Consent.Channel.values:
            errors.setdefault(f"consents.{i}", []).append(_("Choose a valid option."))
    if errors:
        raise ValidationError(errors)

    utm_clean = {k: _clean((utm or {}).get(k), 200) for k in UTM_KEYS}
    referrer = _clean(referrer, 1000)
    product_hint = _clean(product_hint, 200)
    region, city, comment = _clean(region, 100), _clean(city, 100), _clean(comment, 5000)
    interests = _known_interests(interest_codes)

    person = _match(actor, phone=norm_phone, email=norm_email, first_name=first_name)
    created = person is None
    if person is None:
        centre = _intake_centre(centre_id)
        if centre is None:
            raise ValidationError({"centre_id": [_("No active centre can take the lead.")]})
        person = person_create(
            actor=actor,
            data={
                "first_name": first_name,
                "last_name": last_name,
                "phones": [norm_phone] if norm_phone else [],
                "emails": [norm_email] if norm_email else [],
                "source": source,
                "source_campaign": utm_clean["utm_campaign"],
                **{k: utm_clean[k] for k in PERSON_UTM_KEYS},
                "interests": interests,
                "centre_id": centre.pk,
            },
        )
        if city or region:
            from sputnik.parties.services.children import address_create

            address_create(actor=actor, person=person, data={"city": city, "region": region})
    else:
        person = _extend_matched(
            actor=actor, person=person, phone=norm_phone, email=norm_email, interests=interests
        )

    for request in consents:
        consent_give(
            actor=actor,
            person=person,
            purpose=request.purpose,
            channel=request.channel,
            wording_version=request.wording_version,
            source=request.source,
            evidence=evidence,
            ip_address=ip_address,
        )

    assignment = None
    if created or person.owner_id is None:
        try:
            # A savepoint: a lead that distribution cannot place is still a lead. It stays
            # unassigned in the intake centre, where the unassigned-lead escalation finds it.
            with transaction.atomic():
                assignment = _distribute(
                    actor=actor,
                    person=person,
                    interest_codes=interests,
                    product_hint=product_hint,
                    region=region,
                    city=city,
                )
        except (ValidationError, ObjectDoesNotExist, AccessDenied, LookupError) as exc:
            logger.warning("lead %s left unassigned: %s", person.pk, exc)
        person = Person.objects.select_related("centre", "owner").get(pk=person.pk)

    owner = getattr(assignment, "owner", None) or person.owner
    assignee = owner or _centre_head(person.centre_id)
    task = None
    if assignee is not None:
        task = _follow_up(
            actor=actor,
            person=person,
            assignee=assignee,
            source=source,
            comment=comment,
            referrer=referrer,
            utm=utm_clean,
            product_hint=product_hint,
            interest_codes=interests,
            created=created,
        )
    publish(
        "lead.captured",
        person_id=person.pk,
        centre_id=person.centre_id,
        created=created,
        source=source,
        actor_id=actor.pk,
    )
    return CaptureResult(person=person, created=created, assignment=assignment, task=task)
