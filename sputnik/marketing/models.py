"""Marketing: lead forms for the company's sites and what visitors submit through them."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import Centre, User


def new_public_key() -> str:
    # Unguessable, URL-safe; the only name a form has on the public internet.
    return secrets.token_urlsafe(16)


class FieldKey(models.TextChoices):
    """The fixed set of fields a lead form may ask, each mapped to a person field."""

    FIRST_NAME = "first_name", _("First name")
    LAST_NAME = "last_name", _("Last name")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    CITY = "city", _("City")
    COMMENT = "comment", _("Comment")
    INTEREST = "interest", _("Interest")
    CONTACT_TIME = "contact_time", _("Preferred contact time")


class LeadForm(models.Model):
    """A lead form an administrator builds and embeds in the company's sites.

    `fields` lists the asked fields in display order: {"key", "required", "label_ru",
    "label_en"}; `consents` lists the consents asked: {"purpose", "channel", "required"}.
    The consent wording is versioned: each change adds a ConsentWording and bumps
    `consent_version`, so every recorded consent names the exact text the visitor saw.
    """

    class Language(models.TextChoices):
        AUTO = "", _("The visitor's browser language")
        RU = "ru", _("Russian")
        EN = "en", _("English")

    name = models.CharField(_("name"), max_length=200)
    public_key = models.CharField(
        _("public key"), max_length=40, unique=True, default=new_public_key, editable=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, blank=True, default=""
    )
    fields = models.JSONField(_("fields"), default=list, blank=True)
    consents = models.JSONField(_("consents asked"), default=list, blank=True)
    consent_text_ru = models.TextField(_("consent wording (Russian)"), blank=True)
    consent_text_en = models.TextField(_("consent wording (English)"), blank=True)
    consent_version = models.PositiveIntegerField(_("consent wording version"), default=1)
    target_centre = models.ForeignKey(
        Centre,
        verbose_name=_("target centre"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pipeline_hint = models.CharField(_("pipeline"), max_length=100, blank=True)
    product_hint = models.CharField(_("product"), max_length=200, blank=True)
    interest_choices = models.JSONField(_("interests offered"), default=list, blank=True)
    thank_you_ru = models.TextField(_("thank-you text (Russian)"), blank=True)
    thank_you_en = models.TextField(_("thank-you text (English)"), blank=True)
    allowed_origins = models.JSONField(_("allowed origins"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("lead form")
        verbose_name_plural = _("lead forms")

    def __str__(self) -> str:
        return self.name

    def _in(self, ru: str, en: str, language: str | None = None) -> str:
        lang = language or get_language() or "ru"
        if lang.startswith("ru"):
            return ru or en
        return en or ru

    def consent_text(self, language: str | None = None) -> str:
        return self._in(self.consent_text_ru, self.consent_text_en, language)

    def thank_you(self, language: str | None = None) -> str:
        return self._in(self.thank_you_ru, self.thank_you_en, language)

    def field(self, key: str) -> dict[str, Any] | None:
        return next((f for f in self.fields if f.get("key") == key), None)

    @property
    def wording_version(self) -> str:
        """How recorded consents name this form's current wording (Consent.wording_version)."""
        return f"form{self.pk}.v{self.consent_version}"


class ConsentWording(models.Model):
    """Every version of a form's consent wording, kept as proof of what visitors agreed to."""

    form = models.ForeignKey(LeadForm, on_delete=models.CASCADE, related_name="wordings")
    version = models.PositiveIntegerField(_("version"))
    text_ru = models.TextField(_("Russian"), blank=True)
    text_en = models.TextField(_("English"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["form", "-version"]
        verbose_name = _("consent wording")
        verbose_name_plural = _("consent wordings")
        constraints = [
            models.UniqueConstraint(fields=["form", "version"], name="consent_wording_version")
        ]

    def __str__(self) -> str:
        return f"{self.form_id} v{self.version}"


class FormSubmission(models.Model):
    """One post of a lead form, kept whatever became of it.

    The person is a plain id (apps reach parties through its services); the payload is
    what the visitor typed, stored as text and shown escaped.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        SPAM = "spam", _("Spam")
        INVALID = "invalid", _("Rejected")
        FAILED = "failed", _("Failed")

    form = models.ForeignKey(LeadForm, on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    is_spam = models.BooleanField(_("spam"), default=False)
    person_id = models.BigIntegerField(null=True, blank=True)
    person_created = models.BooleanField(_("new person"), default=False)
    task_id = models.BigIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    origin = models.CharField(_("origin"), max_length=300, blank=True)
    referrer = models.CharField(_("page"), max_length=1000, blank=True)
    utm = models.JSONField("UTM", default=dict, blank=True)
    payload = models.JSONField(_("answers"), default=dict, blank=True)
    consents_given = models.JSONField(_("consents given"), default=list, blank=True)
    consent_version = models.PositiveIntegerField(_("consent wording version"), null=True)
    language = models.CharField(_("language"), max_length=5, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        indexes = [
            # a form's submissions, newest first, paged by keyset (and its counts by status)
            models.Index(fields=["form", "-created_at", "-id"], name="submission_form_recent"),
            models.Index(fields=["form", "status"], name="submission_form_status"),
            # the scoped list joins visible persons by id; erasure finds a person's rows
            models.Index(fields=["person_id"], name="submission_person"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.status}"

    @property
    def display_name(self) -> str:
        p = self.payload or {}
        return " ".join(str(p.get(k) or "") for k in ("last_name", "first_name")).strip()
