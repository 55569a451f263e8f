"""Models for finding and reviewing duplicate persons (P8). Imported at the end of
models/__init__ so they may refer to Person."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import Centre, User
from sputnik.parties.models import Person

__all__ = ["DedupRun", "DismissedPair", "DuplicateCluster", "DuplicatePair", "PersonNameKey"]


class DedupRun(models.Model):
    """One run of the batch duplicate finder: its progress while it runs, its figures after."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    started_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    step = models.CharField(_("step"), max_length=100, blank=True)
    stats = models.JSONField(_("figures"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("duplicate search run")
        verbose_name_plural = _("duplicate search runs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class DuplicateCluster(models.Model):
    """Persons a run found to be one customer, linked by scored pairs; reviewed as a unit."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not duplicates")

    run = models.ForeignKey(
        DedupRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="clusters"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    size = models.PositiveIntegerField(_("persons"), default=0)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    # The centre all members belong to; null when the cluster spans centres (only roles
    # that see every centre review those).
    centre = models.ForeignKey(
        Centre, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("found"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("duplicate cluster")
        verbose_name_plural = _("duplicate clusters")
        indexes = [
            # the review queue: open clusters, best first, per centre or all (keyset)
            models.Index(fields=["status", "-score", "id"], name="dedup_cluster_queue"),
            models.Index(fields=["centre", "status", "-score", "id"], name="dedup_cluster_centre"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.size})"


class DuplicatePair(models.Model):
    """Two persons of a cluster, the score that linked them and why; person_a < person_b."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MERGED = "merged", _("Merged")
        DISMISSED = "dismissed", _("Not duplicates")

    cluster = models.ForeignKey(DuplicateCluster, on_delete=models.CASCADE, related_name="pairs")
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    reasons = models.CharField(_("reasons"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("duplicate pair")
        verbose_name_plural = _("duplicate pairs")
        indexes = [
            # a person's open duplicate pairs (card hint, merge bookkeeping)
            models.Index(fields=["person_a", "status"], name="dedup_pair_a"),
            models.Index(fields=["person_b", "status"], name="dedup_pair_b"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "person_a", "person_b"], name="dedup_pair_unique"
            ),
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="dedup_pair_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.score})"


class DismissedPair(models.Model):
    """ "Not a duplicate", remembered so later runs never propose the pair again."""

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("dismissed duplicate pair")
        verbose_name_plural = _("dismissed duplicate pairs")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="dedup_dismissed_unique"),
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="dedup_dismissed_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} ≠ {self.person_b_id}"


class PersonNameKey(models.Model):
    """Transliteration-proof name keys of a person, for the duplicate check on entry.

    A few short keys per person (see dedup.keys.entry_keys) so that "Sergei Ivanof" finds
    "Иванов Сергей" through an index instead of scoring a million names.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["key"], name="person_name_key")]
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="person_name_key_unique")
        ]

    def __str__(self) -> str:
        return self.key
