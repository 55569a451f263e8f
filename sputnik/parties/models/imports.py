"""Models for the parties app's imports area (issue 3). Imported at the end of models/__init__.

An import batch is the database's record of one import: the stored file, how it was
read and mapped, the policies the user chose, its progress and its outcome. It is the
source of truth for the background work (Huey loses a task when its worker dies): the
worker claims the row, commits each chunk together with the batch's cursor, and the
reconciler resumes or rolls back a batch whose worker went silent.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import Centre, User

__all__ = ["ImportBatch", "ImportMapping", "ImportRowError", "ImportUpdate"]


class ImportEntity(models.TextChoices):
    PERSON = "person", _("Persons")
    COMPANY = "company", _("Companies")


class ImportMapping(models.Model):
    """A column mapping saved under a name, reusable for the next file of the same shape."""

    entity = models.CharField(_("records"), max_length=20, choices=ImportEntity.choices)
    name = models.CharField(_("name"), max_length=100)
    # {folded header: target field}
    columns = models.JSONField(_("columns"), default=dict)
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "entity", "name"], name="import_mapping_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ImportBatch(models.Model):
    Entity = ImportEntity

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded, columns to map")
        READY = "ready", _("Mapped, ready to check")
        VALIDATING = "validating", _("Checking")
        VALIDATED = "validated", _("Checked")
        QUEUED = "queued", _("Waiting to run")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed, nothing written")
        UNDOING = "undoing", _("Undoing")
        UNDONE = "undone", _("Undone")

    class Duplicates(models.TextChoices):
        SKIP = "skip", _("Skip the row, keep the existing record")
        UPDATE = "update", _("Update the existing record")
        CREATE = "create", _("Create a new record anyway")

    class OnError(models.TextChoices):
        SKIP_ROWS = "skip_rows", _("Import the good rows, skip the bad ones")
        WRITE_NOTHING = "write_nothing", _("Write nothing if any row is bad")

    # Statuses a worker owns: a batch in one of these with a silent worker is reconciled.
    ACTIVE = (Status.VALIDATING, Status.RUNNING, Status.UNDOING)

    entity = models.CharField(_("records"), max_length=20, choices=ImportEntity.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    # Where new records go unless a centre column says otherwise (and the role allows it).
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, null=True, related_name="+")

    file_name = models.CharField(_("file"), max_length=255)
    file_path = models.CharField(max_length=500)  # under MEDIA_ROOT, never served
    file_size = models.BigIntegerField(default=0)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    file_format = models.CharField(max_length=10)  # csv | xlsx
    encoding = models.CharField(max_length=30, blank=True)
    delimiter = models.CharField(max_length=5, blank=True)
    sheet = models.CharField(max_length=100, blank=True)
    headers = models.JSONField(default=list)
    # {column index as text: target field}
    mapping = models.JSONField(default=dict)
    duplicates = models.CharField(
        _("duplicates"), max_length=20, choices=Duplicates.choices, default=Duplicates.SKIP
    )
    on_error = models.CharField(
        _("bad rows"), max_length=20, choices=OnError.choices, default=OnError.SKIP_ROWS
    )

    total_rows = models.IntegerField(null=True, blank=True)
    cursor = models.IntegerField(default=0)  # data rows fully handled by the current pass
    validation = models.JSONField(default=dict)  # outcome of the check (dry run)
    counts = models.JSONField(default=dict)  # outcome of the run
    # Why the batch could not go on: {"code": …, "params": {…}}, translated when shown.
    failure = models.JSONField(default=dict, blank=True)
    file_notes = models.JSONField(default=list)  # e.g. formula cells read as cached values

    claim_token = models.CharField(max_length=36, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [
            # the user's list of imports, newest first
            models.Index(fields=["created_by", "-created_at", "-id"], name="import_batch_user"),
            # the reconciler's scan for silent workers
            models.Index(fields=["status", "heartbeat_at"], name="import_batch_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE or self.status == self.Status.QUEUED

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, int(self.cursor * 100 / self.total_rows))


class ImportRowError(models.Model):
    """One problem with one cell (or row) of an import's file, kept for the error report.

    The message is stored as a code and parameters and translated when the report is
    read, so it comes out in the reader's language.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.IntegerField()  # as the spreadsheet shows it (header is row 1)
    column = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=50)
    params = models.JSONField(default=dict)
    # Not an error but a note: a row skipped as a duplicate is reported, not failed.
    is_error = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["batch", "row_number", "id"], name="import_error_row")]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.code}"


class ImportUpdate(models.Model):
    """What an import changed on an existing record, so undo can restore it."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="updates")
    row_number = models.IntegerField()
    person_id = models.BigIntegerField(null=True, blank=True)
    company_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    added_contact_ids = models.JSONField(default=list)

    class Meta:
        indexes = [models.Index(fields=["batch", "id"], name="import_update_batch")]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.person_id or self.company_id}"
