"""Files kept about customers, company-editable document templates, and the export log.

Files live in private storage (see storage.py): there is no public media URL; a file is
served only by a view that checks the person's visibility first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sputnik.documents.storage import PrivateStorage


class DocumentTemplate(models.Model):
    """A document the company words itself (consent form, quote…), per language.

    The body is a Jinja2 template rendered in a sandbox to a small HTML subset and then
    to PDF (pdf.py); `version` is stamped on what is recorded from the printed form
    (e.g. a consent's wording version).
    """

    key = models.SlugField(_("key"), max_length=50)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200)
    version = models.CharField(_("wording version"), max_length=50)
    body = models.TextField(
        _("body"),
        help_text=_(
            "Jinja2 template producing simple HTML (headings, paragraphs, bold, italics, "
            "lists, tables). Placeholders such as {{ person.full_name }}."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["key", "language"]
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="document_template_key")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


def _document_path(instance: Document, filename: str) -> str:
    # Content-addressed: the same scan uploaded twice is stored once, and a file left by
    # a rolled-back upload is harmless (nothing refers to it, nothing can guess it).
    return f"{instance.sha256[:2]}/{instance.sha256}"


class Document(models.Model):
    """A file about a person (a signed consent form, a scanned ID, a quote sent to them)
    or, when there is no person, about a company (the quote of a company's deal).

    Exactly one of the two holds it, and it is served only through that one's
    visibility: a file about a person never becomes readable through a company.
    """

    class Kind(models.TextChoices):
        CONSENT_FORM = "consent_form", _("Signed consent form")
        QUOTE = "quote", _("Quote")
        OTHER = "other", _("Other document")

    person = models.ForeignKey(
        "parties.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    company = models.ForeignKey(
        "parties.Company",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    # The grants this file proves (one signed form usually covers several channels).
    consents = models.ManyToManyField("parties.Consent", blank=True, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(_("file"), storage=PrivateStorage(), upload_to=_document_path)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size, bytes"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            # the card's document list: newest first per person
            models.Index(fields=["person", "-uploaded_at"], name="document_person_at"),
            # a company's documents, newest first (few rows have a company)
            models.Index(
                fields=["company", "-uploaded_at"],
                name="document_company_at",
                condition=Q(company__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, company__isnull=True)
                    | Q(person__isnull=True, company__isnull=False)
                ),
                name="document_held_by_person_or_company",
            )
        ]

    def __str__(self) -> str:
        return self.name


def _export_path(instance: Export, filename: str) -> str:
    return f"exports/{instance.pk}/{filename}"


class Export(models.Model):
    """One export of customer data: who took which list with which filter, how many rows.

    Created when the download starts and completed when its last row is written, so an
    export that was cut off shows as unfinished (personal-data duty: who exported what).
    """

    class Entity(models.TextChoices):
        PERSONS = "persons", _("Persons")
        COMPANIES = "companies", _("Companies")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        CSV_1251 = "csv_cp1251", _("CSV (Windows-1251)")
        XLSX = "xlsx", "XLSX"
        VCARD = "vcard", "vCard"

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    entity = models.CharField(_("list"), max_length=20, choices=Entity.choices)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    via = models.CharField(_("via"), max_length=10, default="web")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    rows = models.PositiveBigIntegerField(_("rows"), default=0)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # A large export built in the background: its expected size, progress and file.
    total = models.PositiveBigIntegerField(_("expected rows"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    file = models.FileField(
        _("file"), storage=PrivateStorage(), upload_to=_export_path, blank=True, editable=False
    )
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["actor", "-started_at"], name="export_actor_at")]

    def __str__(self) -> str:
        return f"{self.entity} → {self.format} ({self.rows})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.rows * 100 / self.total))
