from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sputnik.core.roles import Right, Role, Scope, rights_of, scope_of


class Centre(models.Model):
    class Kind(models.TextChoices):
        SHOWROOM = "showroom", _("Showroom")
        SERVICE = "service", _("Service centre")
        CALL_CENTRE = "call_centre", _("Call centre")
        HEAD_OFFICE = "head_office", _("Head office")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.CharField(_("region"), max_length=100)
    city = models.CharField(_("city"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("centre")
        verbose_name_plural = _("centres")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(
        _("role"), max_length=30, choices=Role.choices, default=Role.SALES_MANAGER
    )
    centre = models.ForeignKey(
        Centre,
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="ru"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def scope(self) -> Scope:
        if self.is_superuser:
            return Scope.ALL
        return scope_of(self.role)

    def has_right(self, right: Right) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return right in rights_of(self.role)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A per-user bearer token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "spk_" + secrets.token_urlsafe(32)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        TRANSFER = "transfer", _("transferred")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    entity = models.CharField(max_length=50)  # e.g. "parties.person"
    entity_id = models.BigIntegerField()
    # The customer the change belongs to, so the card's history tab is one index lookup.
    subject_person_id = models.BigIntegerField(null=True, blank=True)
    subject_company_id = models.BigIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            # card history tab: newest first per person / company
            models.Index(fields=["subject_person_id", "-at", "-id"], name="audit_person_at"),
            models.Index(fields=["subject_company_id", "-at", "-id"], name="audit_company_at"),
            models.Index(fields=["entity", "entity_id"], name="audit_entity"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.entity}#{self.entity_id}"

    def changes(self) -> list[tuple[str, Any, Any]]:
        keys = sorted(set(self.before) | set(self.after))
        return [
            (k, self.before.get(k), self.after.get(k))
            for k in keys
            if self.before.get(k) != self.after.get(k)
        ]


class CustomFieldDefinition(models.Model):
    """An administrator-defined typed field on persons or companies."""

    class Entity(models.TextChoices):
        PERSON = "person", _("Person")
        COMPANY = "company", _("Company")

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        INTEGER = "integer", _("Whole number")
        DECIMAL = "decimal", _("Number")
        DATE = "date", _("Date")
        BOOLEAN = "boolean", _("Yes/no")
        CHOICE = "choice", _("Choice")

    entity = models.CharField(_("entity"), max_length=20, choices=Entity.choices)
    key = models.SlugField(_("key"), max_length=50, help_text=_("Latin letters, digits, _"))
    label_ru = models.CharField(_("label (Russian)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    choices = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_("List of allowed values for a choice")
    )
    required = models.BooleanField(_("required"), default=False)
    filterable = models.BooleanField(_("filterable"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["entity", "order", "key"]
        constraints = [models.UniqueConstraint(fields=["entity", "key"], name="custom_field_key")]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")

    def __str__(self) -> str:
        return f"{self.entity}.{self.key}"

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        return self.label_ru if (get_language() or "ru").startswith("ru") else self.label_en
