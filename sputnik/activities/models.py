from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import Centre, User


class Interaction(models.Model):
    """One entry on a customer's timeline.

    Every channel hangs off this spine: notes, calls and stage changes now; e-mail,
    SMS, meetings, documents, cases, campaign messages and survey answers later,
    each adding its own detail table that points here. The person and company are
    plain ids, not foreign keys into the parties app (apps reach each other through
    services), and `centre_id` is copied so timeline reads stay one index range.
    """

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        CALL = "call", _("Call")
        STAGE_CHANGE = "stage_change", _("Stage change")
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        MEETING = "meeting", _("Meeting")
        DOCUMENT = "document", _("Document")
        SYSTEM = "system", _("System")
        TASK = "task", _("Task")
        DEAL = "deal", _("Deal")

    class Direction(models.TextChoices):
        NONE = "", "—"
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")

    class CallOutcome(models.TextChoices):
        NONE = "", "—"
        ANSWERED = "answered", _("Answered")
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy")
        VOICEMAIL = "voicemail", _("Voicemail")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        CALLBACK = "callback", _("Call back later")

    person_id = models.BigIntegerField(null=True, blank=True)
    company_id = models.BigIntegerField(null=True, blank=True)
    # No index on centre or actor: no timeline read filters by them, and each costs
    # ~15-20 s per 10M rows on load and a write on every insert.
    centre = models.ForeignKey(
        Centre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, blank=True, default=""
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=CallOutcome.choices, blank=True, default=""
    )
    duration_seconds = models.PositiveIntegerField(_("duration, s"), null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            # a person's / company's timeline, newest first, paged by keyset
            models.Index(fields=["person_id", "-occurred_at", "-id"], name="timeline_person"),
            # partial: most entries belong to persons only
            models.Index(
                fields=["company_id", "-occurred_at", "-id"],
                name="timeline_company",
                condition=models.Q(company_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class Task(models.Model):
    """Something a user has to do, often about a person or a company (a follow-up call,
    an escalated lead). Person and company are plain ids, like the timeline's; `centre`
    is the person's centre when the task was made, copied for the centre head's lists.
    """

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", _("Follow up")
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        TEST_DRIVE = "test_drive", _("Test drive")
        ESCALATION = "escalation", _("Escalated lead")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    assignee = models.ForeignKey(
        User, verbose_name=_("assignee"), on_delete=models.PROTECT, related_name="tasks"
    )
    person_id = models.BigIntegerField(null=True, blank=True)
    company_id = models.BigIntegerField(null=True, blank=True)
    centre = models.ForeignKey(
        Centre, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FOLLOW_UP)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            # "My tasks" (open first by due date) and the nav badge's count
            models.Index(fields=["assignee", "status", "due_at", "id"], name="task_assignee"),
            # a person's tasks on the card and the projection's lookup
            models.Index(
                fields=["person_id", "-created_at"],
                name="task_person",
                condition=models.Q(person_id__isnull=False),
            ),
            models.Index(
                fields=["company_id", "-created_at"],
                name="task_company",
                condition=models.Q(company_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.due_at is not None
            and self.due_at < timezone.now()
        )
