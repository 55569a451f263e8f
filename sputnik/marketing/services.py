"""Writes of the marketing app: building lead forms, and taking in what visitors submit.

A form is built by someone with the FORM_MANAGE right; a public submission runs as the
system actor (`core.services.system_actor`), so the party services it calls keep their
one code path of access checks and audit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.audit import audit_record, snapshot
from sputnik.core.events import publish
from sputnik.core.models import Centre, User
from sputnik.core.roles import Right
from sputnik.core.services import system_actor
from sputnik.marketing.models import ConsentWording, FieldKey, FormSubmission, LeadForm
from sputnik.marketing.origins import normalize_origin
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import Consent, Interest, Source
from sputnik.parties.services.intake import ConsentRequest, prospect_capture

logger = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_ORIGINS = 20

# A new form asks what a dealer's site usually asks, and the consent the law requires.
DEFAULT_FIELDS: list[dict[str, Any]] = [
    {"key": FieldKey.FIRST_NAME, "required": True, "label_ru": "", "label_en": ""},
    {"key": FieldKey.LAST_NAME, "required": False, "label_ru": "", "label_en": ""},
    {"key": FieldKey.PHONE, "required": True, "label_ru": "", "label_en": ""},
    {"key": FieldKey.EMAIL, "required": False, "label_ru": "", "label_en": ""},
    {"key": FieldKey.COMMENT, "required": False, "label_ru": "", "label_en": ""},
]
DEFAULT_CONSENTS: list[dict[str, Any]] = [
    {"purpose": Consent.Purpose.PERSONAL_DATA, "channel": Consent.Channel.ANY, "required": True},
]


def _require(actor: User, right: Right) -> None:
    if actor is None or not actor.has_right(right):
        raise AccessDenied(right)


def _text(
    errors: dict[str, list[str]], key: str, value: Any, limit: int, required: bool = False
) -> str:
    text = _CONTROL.sub("", str(value or "")).strip()
    if required and not text:
        errors.setdefault(key, []).append(_("This field is required."))
    if len(text) > limit:
        errors.setdefault(key, []).append(_("At most %(n)d characters.") % {"n": limit})
    return text


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in {"1", "true", "yes", "on", "да"}
    return bool(value)


def _clean_fields(errors: dict[str, list[str]], raw: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in raw or []:
        if not isinstance(item, Mapping):
            errors.setdefault("fields", []).append(_("Choose a valid option."))
            continue
        key = str(item.get("key") or "")
        if key not in FieldKey.values:
            errors.setdefault("fields", []).append(_("Unknown field: %(key)s.") % {"key": key[:50]})
            continue
        if key in seen:
            continue
        seen.add(key)
        result.append(
            {
                "key": key,
                "required": _flag(item.get("required")),
                "label_ru": _text(errors, f"fields.{key}", item.get("label_ru"), 200),
                "label_en": _text(errors, f"fields.{key}", item.get("label_en"), 200),
            }
        )
    by_key = {f["key"]: f for f in result}
    first = by_key.get(FieldKey.FIRST_NAME)
    if first is None or not first["required"]:
        errors.setdefault("fields", []).append(_("The first name must be asked, as required."))
    phone, email = by_key.get(FieldKey.PHONE), by_key.get(FieldKey.EMAIL)
    if phone is None and email is None:
        errors.setdefault("fields", []).append(_("Ask for a phone or an e-mail address."))
    elif (phone is None) != (email is None):
        only = phone or email
        assert only is not None
        if not only["required"]:
            errors.setdefault("fields", []).append(
                _("The only contact field asked must be required.")
            )
    return result


def _clean_consents(errors: dict[str, list[str]], raw: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for item in raw or []:
        if not isinstance(item, Mapping):
            errors.setdefault("consents", []).append(_("Choose a valid option."))
            continue
        purpose, channel = str(item.get("purpose") or ""), str(item.get("channel") or "")
        if purpose not in Consent.Purpose.values or channel not in Consent.Channel.values:
            errors.setdefault("consents", []).append(_("Choose a valid option."))
            continue
        if (purpose, channel) in seen:
            continue
        seen.add((purpose, channel))
        result.append(
            {"purpose": purpose, "channel": channel, "required": _flag(item.get("required"))}
        )
    if not any(c["purpose"] == Consent.Purpose.PERSONAL_DATA and c["required"] for c in result):
        # 152-FZ: processing a person's data at all needs their consent.
        errors.setdefault("consents", []).append(
            _("Ask for consent to the processing of personal data, as required.")
        )
    return result


def _clean_origins(errors: dict[str, list[str]], raw: Any) -> list[str]:
    if isinstance(raw, str):
        raw = raw.splitlines()
    result: list[str] = []
    for line in raw or []:
        text = str(line).strip()
        if not text:
            continue
        origin = normalize_origin(text)
        if origin is None:
            errors.setdefault("allowed_origins", []).append(
                _("“%(value)s” is not a site address like https://dealer.ru.")
                % {"value": text[:100]}
            )
        elif origin not in result:
            result.append(origin)
    if len(result) > MAX_ORIGINS:
        errors.setdefault("allowed_origins", []).append(
            _("At most %(n)d sites.") % {"n": MAX_ORIGINS}
        )
    return result


def _clean_interests(errors: dict[str, list[str]], raw: Any) -> list[str]:
    wanted = [str(v).strip() for v in raw or [] if str(v).strip()]
    known = set(
        Interest.objects.filter(slug__in=wanted, is_active=True).values_list("slug", flat=True)
    )
    unknown = [w for w in wanted if w not in known]
    if unknown:
        errors.setdefault("interest_choices", []).append(
            _("Unknown interests: %(names)s.") % {"names": ", ".join(unknown)[:200]}
        )
    return sorted(set(wanted) & known)


def _clean_form(data: Mapping[str, Any], current: LeadForm | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def get(name: str, default: Any = "") -> Any:
        if name in data:
            return data[name]
        return getattr(current, name) if current is not None else default

    cleaned: dict[str, Any] = {
        "name": _text(errors, "name", get("name"), 200, required=True),
        "is_active": _flag(get("is_active", True)),
        "consent_text_ru": _text(errors, "consent_text_ru", get("consent_text_ru"), 5000),
        "consent_text_en": _text(errors, "consent_text_en", get("consent_text_en"), 5000),
        "pipeline_hint": _text(errors, "pipeline_hint", get("pipeline_hint"), 100),
        "product_hint": _text(errors, "product_hint", get("product_hint"), 200),
        "thank_you_ru": _text(errors, "thank_you_ru", get("thank_you_ru"), 2000),
        "thank_you_en": _text(errors, "thank_you_en", get("thank_you_en"), 2000),
        "fields": _clean_fields(errors, get("fields", DEFAULT_FIELDS)),
        "consents": _clean_consents(errors, get("consents", DEFAULT_CONSENTS)),
        "allowed_origins": _clean_origins(errors, get("allowed_origins", [])),
        "interest_choices": _clean_interests(errors, get("interest_choices", [])),
    }
    language = str(get("language") or "")
    if language not in LeadForm.Language.values:
        errors.setdefault("language", []).append(_("Choose a valid option."))
    cleaned["language"] = language
    if not cleaned["consent_text_ru"] and not cleaned["consent_text_en"]:
        errors.setdefault("consent_text_ru", []).append(
            _("Write the consent wording the visitor agrees to.")
        )
    if "target_centre_id" in data:
        raw_centre = data["target_centre_id"]
        if raw_centre in (None, ""):
            cleaned["target_centre_id"] = None
        else:
            text = str(raw_centre).strip()
            centre = (
                Centre.objects.filter(pk=int(text), is_active=True).first()
                if text.isascii() and text.isdigit() and len(text) < 19
                else None
            )
            if centre is None:
                errors.setdefault("target_centre_id", []).append(_("Choose a valid centre."))
            cleaned["target_centre_id"] = centre.pk if centre else None
    if errors:
        raise ValidationError(errors)
    return cleaned


def _record_wording(form: LeadForm, actor: User) -> None:
    ConsentWording.objects.create(
        form=form,
        version=form.consent_version,
        text_ru=form.consent_text_ru,
        text_en=form.consent_text_en,
        created_by=actor,
    )


@transaction.atomic
def leadform_create(*, actor: User, data: Mapping[str, Any]) -> LeadForm:
    """A new lead form; its consent wording starts at version 1."""
    _require(actor, Right.FORM_MANAGE)
    cleaned = _clean_form(data, None)
    form = LeadForm.objects.create(**cleaned, consent_version=1, created_by=actor)
    _record_wording(form, actor)
    audit_record(
        actor=actor, action="create", instance=form, after=snapshot(form), summary=form.name
    )
    publish("leadform.created", form_id=form.pk, actor_id=actor.pk)
    return form


@transaction.atomic
def leadform_update(*, actor: User, form: LeadForm, data: Mapping[str, Any]) -> LeadForm:
    """Change a form. A changed consent wording becomes a new version; old ones are kept."""
    _require(actor, Right.FORM_MANAGE)
    form = LeadForm.objects.select_for_update().get(pk=form.pk)
    cleaned = _clean_form(data, form)
    before = snapshot(form)
    wording_changed = (cleaned["consent_text_ru"], cleaned["consent_text_en"]) != (
        form.consent_text_ru,
        form.consent_text_en,
    )
    for name, value in cleaned.items():
        setattr(form, name, value)
    if wording_changed:
        form.consent_version += 1
    form.updated_at = timezone.now()
    form.save()
    if wording_changed:
        _record_wording(form, actor)
    audit_record(
        actor=actor,
        action="update",
        instance=form,
        before=before,
        after=snapshot(form),
        summary=form.name,
    )
    publish("leadform.updated", form_id=form.pk, actor_id=actor.pk)
    return form


# --- submissions ----------------------------------------------------------------------


def _meta_fields(meta: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "ip_address": meta.get("ip_address") or None,
        "user_agent": _CONTROL.sub("", str(meta.get("user_agent") or ""))[:500],
        "origin": str(meta.get("origin") or "")[:300],
        "referrer": _CONTROL.sub("", str(meta.get("referrer") or ""))[:1000],
        "utm": {k: str(v)[:200] for k, v in (meta.get("utm") or {}).items() if v},
        "language": str(meta.get("language") or "")[:5],
    }


def submission_record_spam(
    *, form: LeadForm, payload: Mapping[str, Any], meta: Mapping[str, Any]
) -> FormSubmission:
    """Keep a bot's post (the honeypot was filled) for the record; nothing else happens."""
    submission = FormSubmission.objects.create(
        form=form,
        status=FormSubmission.Status.SPAM,
        is_spam=True,
        payload={k: str(v)[:2000] for k, v in payload.items()},
        processed_at=timezone.now(),
        **_meta_fields(meta),
    )
    logger.info("lead form %s: submission %s dropped as spam (honeypot)", form.pk, submission.pk)
    return submission


def _evidence(form: LeadForm, submission: FormSubmission) -> str:
    parts = [
        f"web form #{form.pk} «{form.name[:120]}» submission #{submission.pk}",
        f"wording v{submission.consent_version}",
    ]
    if submission.ip_address:
        parts.append(f"IP {submission.ip_address}")
    if submission.referrer:
        parts.append(f"page {submission.referrer[:200]}")
    return ", ".join(parts)[:500]


def submission_accept(
    *,
    form: LeadForm,
    payload: Mapping[str, str],
    consents: list[tuple[str, str]],
    meta: Mapping[str, Any],
) -> FormSubmission:
    """Store a validated submission, then process it into the CRM.

    The row is committed before processing, so a lead is never lost: if processing
    fails, the row stays FAILED with the payload for `submission_process` to retry.
    """
    with transaction.atomic():
        submission = FormSubmission.objects.create(
            form=form,
            status=FormSubmission.Status.RECEIVED,
            payload=dict(payload),
            consents_given=[{"purpose": p, "channel": c} for p, c in consents],
            consent_version=form.consent_version,
            **_meta_fields(meta),
        )
    return submission_process(submission_id=submission.pk)


def submission_process(*, submission_id: int) -> FormSubmission:
    """Run a stored submission through lead intake (idempotent: done rows stay done)."""
    actor = system_actor()
    with transaction.atomic():
        submission = (
            FormSubmission.objects.select_for_update().select_related("form").get(pk=submission_id)
        )
        if submission.status not in (FormSubmission.Status.RECEIVED, FormSubmission.Status.FAILED):
            return submission
        form = submission.form
        p = submission.payload
        interest = str(p.get("interest") or "")
        comment_lines = [str(p.get("comment") or "")]
        if p.get("contact_time"):
            comment_lines.append(_("Preferred contact time: %(t)s") % {"t": p["contact_time"]})
        if form.pipeline_hint:
            comment_lines.append(_("Pipeline: %(p)s") % {"p": form.pipeline_hint})
        comment_lines.append(_("Form: %(name)s") % {"name": form.name})
        region = form.target_centre.region if form.target_centre_id and form.target_centre else ""
        try:
            with transaction.atomic():
                result = prospect_capture(
                    actor=actor,
                    first_name=str(p.get("first_name") or ""),
                    last_name=str(p.get("last_name") or ""),
                    phone=str(p.get("phone") or ""),
                    email=str(p.get("email") or ""),
                    source=Source.WEB_FORM,
                    utm=submission.utm,
                    referrer=submission.referrer,
                    consents=[
                        ConsentRequest(
                            purpose=c["purpose"],
                            channel=c["channel"],
                            wording_version=f"form{form.pk}.v{submission.consent_version}",
                            source=Consent.Source.WEB_FORM,
                        )
                        for c in submission.consents_given
                    ],
                    evidence=_evidence(form, submission),
                    ip_address=submission.ip_address,
                    interest_codes=[interest] if interest else [],
                    product_hint=form.product_hint,
                    region=region,
                    city=str(p.get("city") or ""),
                    comment="\n".join(line for line in comment_lines if line),
                    centre_id=form.target_centre_id,
                )
        except ValidationError as exc:
            submission.status = FormSubmission.Status.INVALID
            submission.error = "; ".join(exc.messages)[:500]
        except Exception as exc:  # a stored lead must survive any failure: kept as FAILED
            logger.exception("lead form %s: submission %s failed", form.pk, submission.pk)
            submission.status = FormSubmission.Status.FAILED
            submission.error = f"{type(exc).__name__}: {exc}"[:500]
        else:
            submission.status = FormSubmission.Status.PROCESSED
            submission.person_id = result.person.pk
            submission.person_created = result.created
            submission.task_id = getattr(result.task, "pk", None)
            submission.error = ""
        submission.processed_at = timezone.now()
        submission.save()
        if submission.status == FormSubmission.Status.PROCESSED:
            publish(
                "webform.submitted",
                form_id=form.pk,
                submission_id=submission.pk,
                person_id=submission.person_id,
                created=submission.person_created,
            )
    return submission


@transaction.atomic
def submissions_forget_person(*, person_id: int) -> int:
    """A person was erased: their submissions lose the link and the personal answers."""
    return submissions_forget_persons(person_ids=[person_id])


@transaction.atomic
def submissions_forget_persons(*, person_ids: list[int]) -> int:
    """Many persons were erased at once (an import undone): one statement for them all."""
    return FormSubmission.objects.filter(person_id__in=person_ids).update(
        person_id=None, payload={}, ip_address=None, user_agent="", referrer="", utm={}
    )


@transaction.atomic
def submissions_move_to_person(*, from_person_id: int, to_person_id: int) -> int:
    """Two records were merged: the merged one's submissions (a consent's evidence among
    them) belong to the survivor."""
    return FormSubmission.objects.filter(person_id=from_person_id).update(person_id=to_person_id)
