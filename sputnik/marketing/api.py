"""Lead forms in the REST API: the forms with their counts, and their submissions.

Submissions are scoped like the CRM page: form managers see all; everybody else only
those whose person they may see (the counts too).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema

from sputnik.core.api import ERRORS, CursorStr, Id, PageOut, PageSize, Ref, actor_of
from sputnik.marketing import selectors
from sputnik.marketing.models import FormSubmission, LeadForm

router = Router(tags=["lead forms"])


class FormFieldOut(Schema):
    key: str
    required: bool
    label_ru: str
    label_en: str


class FormConsentOut(Schema):
    purpose: str
    channel: str
    required: bool


class SubmissionCountsOut(Schema):
    total: int
    processed: int
    spam: int
    failed: int


class LeadFormOut(Schema):
    id: int
    name: str
    public_key: str
    is_active: bool
    language: str
    fields: list[FormFieldOut]
    consents: list[FormConsentOut]
    consent_version: int
    target_centre: Ref | None
    pipeline_hint: str
    product_hint: str
    allowed_origins: list[str]
    counts: SubmissionCountsOut


class SubmissionOut(Schema):
    id: int
    form_id: int
    status: str
    is_spam: bool
    person_id: int | None
    person_created: bool
    received_at: dt.datetime
    processed_at: dt.datetime | None
    ip_address: str | None
    user_agent: str
    referrer: str
    utm: dict[str, str]
    answers: dict[str, str]
    consents_given: list[dict[str, str]]
    consent_version: int | None


def _form_out(form: LeadForm, counts: selectors.FormRow) -> dict[str, Any]:
    centre = form.target_centre
    return {
        "id": form.pk,
        "name": form.name,
        "public_key": form.public_key,
        "is_active": form.is_active,
        "language": form.language,
        "fields": [
            {
                "key": f["key"],
                "required": bool(f.get("required")),
                "label_ru": f.get("label_ru", ""),
                "label_en": f.get("label_en", ""),
            }
            for f in form.fields
        ],
        "consents": form.consents,
        "consent_version": form.consent_version,
        "target_centre": {"id": centre.pk, "name": centre.name} if centre else None,
        "pipeline_hint": form.pipeline_hint,
        "product_hint": form.product_hint,
        "allowed_origins": form.allowed_origins,
        "counts": {
            "total": counts.total,
            "processed": counts.processed,
            "spam": counts.spam,
            "failed": counts.failed,
        },
    }


def _submission_out(s: FormSubmission) -> dict[str, Any]:
    return {
        "id": s.pk,
        "form_id": s.form_id,
        "status": s.status,
        "is_spam": s.is_spam,
        "person_id": s.person_id,
        "person_created": s.person_created,
        "received_at": s.created_at,
        "processed_at": s.processed_at,
        "ip_address": s.ip_address,
        "user_agent": s.user_agent,
        "referrer": s.referrer,
        "utm": {str(k): str(v) for k, v in (s.utm or {}).items()},
        "answers": {str(k): str(v) for k, v in (s.payload or {}).items()},
        "consents_given": s.consents_given,
        "consent_version": s.consent_version,
    }


@router.get(
    "/lead-forms",
    response={200: list[LeadFormOut], **ERRORS},
    summary="List lead forms",
    operation_id="sputnik_marketing_api_list_lead_forms",
)
def list_lead_forms(request: HttpRequest) -> list[dict[str, Any]]:
    """Every form, with the counts of the submissions the user may see."""
    rows = selectors.leadform_list(actor=actor_of(request))
    return [_form_out(row.form, row) for row in rows]


@router.get(
    "/lead-forms/{form_id}",
    response={200: LeadFormOut, **ERRORS},
    summary="A lead form",
    operation_id="sputnik_marketing_api_get_lead_form",
)
def get_lead_form(request: HttpRequest, form_id: Id) -> dict[str, Any]:
    actor = actor_of(request)
    form = selectors.leadform_get(actor=actor, form_id=form_id)
    return _form_out(form, selectors.submission_counts(actor=actor, form=form))


@router.get(
    "/lead-forms/{form_id}/submissions",
    response={200: PageOut[SubmissionOut], **ERRORS},
    summary="Submissions of a lead form",
    operation_id="sputnik_marketing_api_list_form_submissions",
)
def list_form_submissions(
    request: HttpRequest,
    form_id: Id,
    status: Literal["received", "processed", "spam", "invalid", "failed"] | None = None,
    cursor: CursorStr | None = None,
    limit: PageSize = 50,
) -> dict[str, Any]:
    """Newest first. Form managers see every submission; others those of persons they see."""
    actor = actor_of(request)
    form = selectors.leadform_get(actor=actor, form_id=form_id)
    page = selectors.submission_list(
        actor=actor, form=form, status=status or "", cursor=cursor, size=limit
    )
    return {"items": [_submission_out(s) for s in page.items], "next_cursor": page.next_cursor}
