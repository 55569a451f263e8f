"""Consent: a provable grant per purpose × channel, withdrawable, and one answer to
"may we contact this person on this channel for this purpose now"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sputnik.core.models import AuditEntry
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import Consent
from sputnik.parties.selectors import may_contact, person_consents
from sputnik.parties.services import consent_give, consent_withdraw

pytestmark = pytest.mark.django_db


def _give(actor, person, channel="sms", purpose="marketing", **extra):
    data = {"wording_version": "2026-01", "source": "signed_form", "evidence": "бланк № 17"}
    data.update(extra)
    return consent_give(actor=actor, person=person, purpose=purpose, channel=channel, **data)


def test_without_any_grant_nobody_may_be_contacted(person):
    assert not may_contact(person_id=person.pk, channel="sms", purpose="marketing")


def test_a_grant_allows_exactly_its_purpose_and_channel(owner, person):
    _give(owner, person, channel="sms", purpose="marketing")
    assert may_contact(person_id=person.pk, channel="sms", purpose="marketing")
    assert not may_contact(person_id=person.pk, channel="email", purpose="marketing")
    assert not may_contact(person_id=person.pk, channel="sms", purpose="advertising")


def test_withdrawal_stops_contact_at_once_and_keeps_the_proof(owner, person):
    grant = _give(owner, person)
    before = timezone.now()
    assert (
        consent_withdraw(
            actor=owner, person=person, purpose="marketing", channel="sms", source="звонок клиента"
        )
        == 1
    )
    assert not may_contact(person_id=person.pk, channel="sms", purpose="marketing")
    # What was allowed before the withdrawal stays provable.
    assert may_contact(
        person_id=person.pk,
        channel="sms",
        purpose="marketing",
        at=before - dt.timedelta(microseconds=1),
    )
    grant.refresh_from_db()
    assert grant.withdrawn_at is not None and grant.withdrawal_source == "звонок клиента"


def test_withdrawing_one_channel_also_ends_an_any_channel_grant(owner, person):
    _give(owner, person, channel="any")
    assert may_contact(person_id=person.pk, channel="email", purpose="marketing")
    consent_withdraw(actor=owner, person=person, purpose="marketing", channel="email")
    assert not may_contact(person_id=person.pk, channel="email", purpose="marketing")
    assert not may_contact(person_id=person.pk, channel="sms", purpose="marketing")


def test_consenting_again_after_withdrawal_adds_a_new_grant(owner, person):
    _give(owner, person)
    consent_withdraw(actor=owner, person=person, purpose="marketing", channel="sms")
    _give(owner, person)
    assert may_contact(person_id=person.pk, channel="sms", purpose="marketing")
    assert Consent.objects.filter(person=person).count() == 2


def test_an_expired_grant_no_longer_allows_contact(owner, person):
    soon = timezone.now() + dt.timedelta(days=30)
    _give(owner, person, expires_at=soon)
    assert may_contact(person_id=person.pk, channel="sms", purpose="marketing")
    assert not may_contact(
        person_id=person.pk, channel="sms", purpose="marketing", at=soon + dt.timedelta(seconds=1)
    )


@pytest.mark.parametrize(
    ("field", "extra"),
    [
        ("purpose", {"purpose": "spam"}),
        ("channel", {"channel": "pigeon"}),
        ("wording_version", {"wording_version": ""}),
        ("evidence", {"evidence": ""}),  # a signed form must be named
        ("ip_address", {"ip_address": "999.1.1.1"}),
        ("expires_at", {"expires_at": timezone.now() - dt.timedelta(days=1)}),
    ],
)
def test_bad_consent_input_is_refused_per_field_and_nothing_is_written(owner, person, field, extra):
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as err:
        _give(owner, person, **extra)
    assert field in err.value.message_dict
    assert Consent.objects.count() == 0
    assert AuditEntry.objects.count() == audits


def test_giving_and_withdrawing_are_audited_on_the_persons_history(owner, person):
    _give(owner, person)
    consent_withdraw(actor=owner, person=person, purpose="marketing", channel="sms")
    entries = AuditEntry.objects.filter(subject_person_id=person.pk, entity="parties.consent")
    assert [e.action for e in entries.order_by("id")] == ["create", "update"]
    assert all(e.actor_id == owner.pk for e in entries)


def test_a_user_who_cannot_see_the_person_cannot_record_or_read_consent(outsider, owner, person):
    with pytest.raises(AccessDenied):
        _give(outsider, person)
    _give(owner, person)
    with pytest.raises(AccessDenied):
        consent_withdraw(actor=outsider, person=person, purpose="marketing", channel="sms")
    assert may_contact(person_id=person.pk, channel="sms", purpose="marketing")
    with pytest.raises(type(person).DoesNotExist):
        person_consents(actor=outsider, person=person)
    assert len(person_consents(actor=owner, person=person)) == 1


def test_read_only_roles_cannot_record_consent(marketer, person):
    with pytest.raises(AccessDenied):
        _give(marketer, person)
    assert Consent.objects.count() == 0
