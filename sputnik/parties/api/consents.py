"""Consent endpoints: a person's grants and their state, give, withdraw, and the one
question every sending feature asks — may we contact this person on this channel for this
purpose now — plus the printable consent form."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Form, Query, Schema, Status
from ninja.files import UploadedFile

from sputnik.core.api import (
    ERRORS,
    DateTime,
    Id,
    InSchema,
    Str50,
    Str100,
    Str1000,
    UserRef,
    actor_of,
    user_ref,
)
from sputnik.parties import selectors, services
from sputnik.parties.api._router import router
from sputnik.parties.consent_state import consent_matrix
from sputnik.parties.models import Consent

Purpose = Literal["personal_data", "marketing", "advertising", "service", "analytics"]
Channel = Literal["any", "email", "sms", "phone", "post", "messenger"]
SendChannel = Literal["email", "sms", "phone", "post", "messenger"]
ConsentSource = Literal["signed_form", "web_form", "call", "import", "other"]


class ConsentOut(Schema):
    id: int
    purpose: str
    channel: str
    wording_version: str
    source: str
    evidence: str
    given_at: dt.datetime
    expires_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    withdrawal_source: str
    recorded_by: UserRef | None
    documents: list[int]


class ConsentStateOut(Schema):
    purpose: str
    channel: str
    state: Literal["granted", "withdrawn", "expired", "none"]
    consent_id: int | None


class ConsentsOut(Schema):
    items: list[ConsentOut] = Field(
        description="Every grant, newest first, withdrawn ones included"
    )
    state: list[ConsentStateOut] = Field(description="Purpose × channel as of now")


class ConsentIn(InSchema):
    purpose: Purpose
    channel: Channel
    wording_version: Str50
    source: ConsentSource
    evidence: Str1000 = ""
    ip_address: Str50 | None = None
    expires_at: DateTime | None = None


class WithdrawIn(InSchema):
    purpose: Purpose
    channel: Channel = Field(description='"any" withdraws every channel of the purpose')
    source: Str100 = Field("", description="How the person withdrew (call, letter, link…)")


class WithdrawOut(Schema):
    withdrawn: int


class PermissionQuery(Schema):
    channel: SendChannel
    purpose: Purpose


class PermissionOut(Schema):
    person_id: int
    channel: str
    purpose: str
    allowed: bool
    at: dt.datetime


def _consent_out(consent: Consent, documents: list[int] | None = None) -> dict[str, Any]:
    return {
        "id": consent.pk,
        "purpose": consent.purpose,
        "channel": consent.channel,
        "wording_version": consent.wording_version,
        "source": consent.source,
        "evidence": consent.evidence,
        "given_at": consent.given_at,
        "expires_at": consent.expires_at,
        "withdrawn_at": consent.withdrawn_at,
        "withdrawal_source": consent.withdrawal_source,
        "recorded_by": user_ref(consent.recorded_by),
        "documents": documents or [],
    }


@router.get(
    "/persons/{person_id}/consents",
    response={200: ConsentsOut, **ERRORS},
    summary="A person's consents and their state per purpose and channel",
    operation_id="sputnik_parties_api_list_consents",
)
def list_consents(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    from sputnik.documents.models import Document

    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    grants = selectors.person_consents(actor=actor, person=person)
    links: dict[int, list[int]] = {}
    for consent_id, document_id in Document.consents.through.objects.filter(
        consent_id__in=[g.pk for g in grants]
    ).values_list("consent_id", "document_id"):
        links.setdefault(consent_id, []).append(document_id)
    state = [
        {
            "purpose": row.purpose,
            "channel": cell.channel,
            "state": cell.state,
            "consent_id": cell.grant.pk if cell.grant else None,
        }
        for row in consent_matrix(grants)
        for cell in row.cells
    ]
    return {"items": [_consent_out(g, links.get(g.pk)) for g in grants], "state": state}


@router.post(
    "/persons/{person_id}/consents",
    response={201: ConsentOut, **ERRORS},
    summary="Record a consent",
    operation_id="sputnik_parties_api_give_consent",
)
def give_consent(request: HttpRequest, person_id: Id, payload: ConsentIn) -> Status[Any]:
    """A signed form needs `evidence` (its number or where the scan is kept); upload the scan
    on the card. A still-valid grant is not replaced: a new row proves the new consent."""
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    consent = services.consent_give(
        actor=actor,
        person=person,
        purpose=payload.purpose,
        channel=payload.channel,
        wording_version=payload.wording_version,
        source=payload.source,
        evidence=payload.evidence,
        ip_address=payload.ip_address,
        expires_at=payload.expires_at,
    )
    return Status(201, _consent_out(consent))


class SignedConsentForm(Schema):
    purpose: Purpose
    channels: list[Channel] = Field(..., min_length=1, max_length=6)
    wording_version: Str50
    source: ConsentSource = "signed_form"
    evidence: Str1000 = ""


@router.post(
    "/persons/{person_id}/consents/signed",
    response={201: list[ConsentOut], **ERRORS},
    summary="Record consents with the signed form (multipart: fields and `file`)",
    operation_id="sputnik_parties_api_give_signed_consent",
)
def give_signed_consent(
    request: HttpRequest,
    person_id: Id,
    form: Form[SignedConsentForm],
    file: File[UploadedFile],
) -> Status[Any]:
    """One grant per channel; the scan (PDF, JPEG, PNG or TIFF, checked by content and
    size) is kept in the person's documents as their evidence. Nothing is stored when
    either the consent or the file is refused."""
    from sputnik.documents.services import consent_give_with_evidence

    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    grants = consent_give_with_evidence(
        actor=actor,
        person=person,
        purpose=form.purpose,
        channels=list(form.channels),
        wording_version=form.wording_version,
        source=form.source,
        evidence=form.evidence,
        upload=file,
    )
    documents = [d.pk for d in grants[0].documents.all()] if grants else []
    return Status(201, [_consent_out(g, documents) for g in grants])


@router.post(
    "/persons/{person_id}/consents/withdraw",
    response={200: WithdrawOut, **ERRORS},
    summary="Withdraw consent for a purpose on a channel",
    operation_id="sputnik_parties_api_withdraw_consent",
)
def withdraw_consent(request: HttpRequest, person_id: Id, payload: WithdrawIn) -> dict[str, Any]:
    actor = actor_of(request)
    person = selectors.person_get(actor=actor, person_id=person_id)
    ended = services.consent_withdraw(
        actor=actor,
        person=person,
        purpose=payload.purpose,
        channel=payload.channel,
        source=payload.source,
    )
    return {"withdrawn": ended}


@router.get(
    "/persons/{person_id}/contact-permission",
    response={200: PermissionOut, **ERRORS},
    summary="May we contact this person on this channel for this purpose now?",
    operation_id="sputnik_parties_api_contact_permission",
)
def contact_permission(
    request: HttpRequest, person_id: Id, params: Query[PermissionQuery]
) -> dict[str, Any]:
    """The answer every sending feature relies on (`may_contact`); ask again at send time."""
    person = selectors.person_get(actor=actor_of(request), person_id=person_id)
    now = timezone.now()
    allowed = selectors.may_contact(
        person_id=person.pk, channel=params.channel, purpose=params.purpose, at=now
    )
    return {
        "person_id": person.pk,
        "channel": params.channel,
        "purpose": params.purpose,
        "allowed": allowed,
        "at": now,
    }


@router.get(
    "/persons/{person_id}/consent-form",
    response={200: None, **ERRORS},
    summary="The printable consent form (PDF) pre-filled with the person's data",
    operation_id="sputnik_parties_api_consent_form",
)
def consent_form(
    request: HttpRequest, person_id: Id, language: Literal["ru", "en"] | None = None
) -> HttpResponse:
    from django.core.exceptions import ValidationError

    from sputnik.documents.consent_form import consent_form_pdf
    from sputnik.documents.pdf import TemplateError

    try:
        data, filename, _template = consent_form_pdf(
            actor=actor_of(request), person_id=person_id, language=language
        )
    except TemplateError as exc:
        raise ValidationError({"template": [str(exc)]}) from exc
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
