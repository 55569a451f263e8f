"""Writes on documents: upload a file about a person (or, for what has no person, a
company); record a consent with its signed form.

Uploads are checked before anything is stored: the size against DOCUMENT_MAX_BYTES and
the type by the file's first bytes (not by its name or the browser's word), so an
executable renamed to .pdf is refused. Stored files are never executable or public.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from sputnik.core.audit import audit_record, snapshot
from sputnik.core.events import publish
from sputnik.core.models import User
from sputnik.core.roles import Right
from sputnik.documents.models import Document
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import Company, Consent, Person
from sputnik.parties.services import consent_give

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# Signatures of the types a scanned or photographed form comes in.
_SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"II*\x00", "image/tiff", ".tif"),
    (b"MM\x00*", "image/tiff", ".tif"),
]
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def max_upload_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks, with what the record stores about it."""

    upload: UploadedFile
    name: str
    content_type: str
    size: int
    sha256: str


def _safe_name(raw: str, extension: str) -> str:
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" ._") or "document"
    if not name.lower().endswith(extension) and not (
        extension == ".jpg" and name.lower().endswith(".jpeg")
    ):
        name += extension
    return name[-200:]


def check_upload(upload: UploadedFile | None, *, field: str = "file") -> CheckedUpload:
    """Size and type by content, or a ValidationError naming the field."""
    if upload is None:
        raise ValidationError({field: [_("Choose a file.")]})
    limit = max_upload_bytes()
    size = int(upload.size or 0)
    if size == 0:
        raise ValidationError({field: [_("The file is empty.")]})
    if size > limit:
        raise ValidationError(
            {
                field: [
                    _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                    % {"size": round(size / 1024 / 1024, 1), "limit": limit // 1024 // 1024}
                ]
            }
        )
    upload.seek(0)
    head = upload.read(16)
    match = next((s for s in _SIGNATURES if head.startswith(s[0])), None)
    if match is None:
        raise ValidationError(
            {field: [_("Upload a PDF, JPEG, PNG or TIFF file (a scan or a photo of the form).")]}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        upload=upload,
        name=_safe_name(str(upload.name or ""), match[2]),
        content_type=match[1],
        size=size,
        sha256=digest.hexdigest(),
    )


def _lock_visible(actor: User, person: Person) -> Person:
    locked = Person.objects.visible_to(actor).select_for_update().filter(pk=person.pk).first()
    if locked is None:
        raise AccessDenied("not visible")
    return locked


def _lock_visible_company(actor: User, company: Company) -> Company:
    locked = Company.objects.visible_to(actor).select_for_update().filter(pk=company.pk).first()
    if locked is None:
        raise AccessDenied("not visible")
    return locked


def _store(
    actor: User,
    person: Person | None,
    checked: CheckedUpload,
    kind: str,
    company: Company | None = None,
) -> Document:
    document = Document(
        person=person,
        company=company,
        kind=kind,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    path = f"{checked.sha256[:2]}/{checked.sha256}"
    storage = document.file.storage
    if storage.exists(path):
        document.file.name = path
    else:
        document.file.save(path, checked.upload, save=False)
    document.save()
    return document


@transaction.atomic
def document_upload(
    *,
    actor: User,
    person: Person | None = None,
    company: Company | None = None,
    kind: str,
    upload: UploadedFile | None,
) -> Document:
    """Keep a file about a visible person, or about a visible company (exactly one of
    the two: a company's file is for what has no person, such as a company-only deal's
    quote); audited."""
    if actor is None or not actor.has_right(Right.PARTY_EDIT):
        raise AccessDenied(Right.PARTY_EDIT)
    if (person is None) == (company is None):
        raise ValueError("A document belongs to a person or to a company.")
    if person is not None:
        person = _lock_visible(actor, person)
    if company is not None:
        company = _lock_visible_company(actor, company)
    if kind not in Document.Kind.values:
        raise ValidationError({"kind": [_("Choose a valid option.")]})
    document = _store(actor, person, check_upload(upload), kind, company=company)
    person_id = person.pk if person is not None else None
    company_id = company.pk if company is not None else None
    audit_record(
        actor=actor,
        action="create",
        instance=document,
        person_id=person_id,
        company_id=company_id,
        after=snapshot(document, ["kind", "name", "content_type", "size", "sha256"]),
        summary=document.name,
    )
    publish(
        "document.uploaded", person_id=person_id, company_id=company_id, document_id=document.pk
    )
    return document


@transaction.atomic
def consent_give_with_evidence(
    *,
    actor: User,
    person: Person,
    purpose: str,
    channels: list[str],
    wording_version: str,
    source: str,
    evidence: str = "",
    upload: UploadedFile | None = None,
    expires_at: dt.datetime | None = None,
) -> list[Consent]:
    """Record consents for one purpose on several channels, with the signed form kept.

    The file is checked first and stored only after every consent is valid, so a refused
    consent leaves no document and a refused file leaves no consent.
    """
    checked = check_upload(upload) if upload is not None else None
    if not channels:
        raise ValidationError({"channels": [_("Choose at least one channel.")]})
    if checked is not None and not evidence:
        evidence = _("Signed form: %(name)s (SHA-256 %(digest)s)") % {
            "name": checked.name,
            "digest": checked.sha256[:16],
        }
    grants = [
        consent_give(
            actor=actor,
            person=person,
            purpose=purpose,
            channel=channel,
            wording_version=wording_version,
            source=source,
            evidence=evidence[:500],
            expires_at=expires_at,
        )
        for channel in dict.fromkeys(channels)
    ]
    if checked is not None:
        document = _store(actor, person, checked, Document.Kind.CONSENT_FORM)
        document.consents.add(*grants)
        audit_record(
            actor=actor,
            action="create",
            instance=document,
            person_id=person.pk,
            after={
                **snapshot(document, ["kind", "name", "content_type", "size", "sha256"]),
                "consents": [g.pk for g in grants],
            },
            summary=document.name,
        )
        publish("document.uploaded", person_id=person.pk, document_id=document.pk)
    return grants
