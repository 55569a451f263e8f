"""Writes on consents: give and withdraw, each audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.audit import audit_record, snapshot
from sputnik.core.events import publish
from sputnik.core.models import User
from sputnik.core.roles import Right
from sputnik.parties.models import Consent, Person
from sputnik.parties.services._common import _choice, _lock_visible, _raise, _require, _text


@transaction.atomic
def consent_give(
    *,
    actor: User,
    person: Person,
    purpose: str,
    channel: str,
    wording_version: str,
    source: str,
    evidence: str = "",
    ip_address: str | None = None,
    expires_at: dt.datetime | None = None,
) -> Consent:
    """Record a consent. A still-valid grant for the same purpose and channel stays as it is."""
    _require(actor, Right.PARTY_EDIT)
    person = _lock_visible(actor, person)
    errors: dict[str, list[str]] = {}
    purpose = _choice(errors, "purpose", purpose, Consent.Purpose)
    channel = _choice(errors, "channel", channel, Consent.Channel)
    source = _choice(errors, "source", source, Consent.Source)
    wording_version = _text(errors, "wording_version", wording_version, 50, required=True)
    evidence = _text(errors, "evidence", evidence, 500)
    if source == Consent.Source.SIGNED_FORM and not evidence:
        errors.setdefault("evidence", []).append(_("Name the signed form (scan or number)."))
    if ip_address:
        try:
            validate_ipv46_address(ip_address)
        except ValidationError:
            errors.setdefault("ip_address", []).append(_("Enter a valid IP address."))
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        errors.setdefault("expires_at", []).append(_("The end of validity must be in the future."))
    _raise(errors)
    consent = Consent.objects.create(
        person=person,
        purpose=purpose,
        channel=channel,
        wording_version=wording_version,
        source=source,
        evidence=evidence,
        ip_address=ip_address or None,
        given_at=now,
        expires_at=expires_at,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="create",
        instance=consent,
        person_id=person.pk,
        after=snapshot(consent),
        summary=str(consent),
    )
    publish("consent.given", person_id=person.pk, consent_id=consent.pk)
    return consent


@transaction.atomic
def consent_withdraw(
    *, actor: User, person: Person, purpose: str, channel: str, source: str = ""
) -> int:
    """Withdraw every valid grant for the purpose and channel ("any" withdraws all channels).

    As easy as giving it: no evidence is required. Returns how many grants ended.
    """
    _require(actor, Right.PARTY_EDIT)
    person = _lock_visible(actor, person)
    errors: dict[str, list[str]] = {}
    purpose = _choice(errors, "purpose", purpose, Consent.Purpose)
    channel = _choice(errors, "channel", channel, Consent.Channel)
    source = _text(errors, "source", source, 100)
    _raise(errors)
    grants = Consent.objects.select_for_update().filter(
        person=person, purpose=purpose, withdrawn_at__isnull=True
    )
    if channel != Consent.Channel.ANY:
        grants = grants.filter(channel__in=[channel, Consent.Channel.ANY])
    now = timezone.now()
    ended = 0
    for grant in grants:
        before: dict[str, Any] = {"withdrawn_at": None}
        grant.withdrawn_at = now
        grant.withdrawal_source = source
        grant.save(update_fields=["withdrawn_at", "withdrawal_source"])
        audit_record(
            actor=actor,
            action="update",
            instance=grant,
            person_id=person.pk,
            before=before,
            after={"withdrawn_at": now, "withdrawal_source": source},
            summary=str(grant),
        )
        ended += 1
    if ended:
        publish("consent.withdrawn", person_id=person.pk, purpose=purpose, channel=channel)
    return ended
