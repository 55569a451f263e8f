"""Models for the parties app's distribution area (issue 3, V3).

Administrators define rules that place each new prospect with a centre and a manager;
a prospect belongs to one centre at a time (`ProspectAssignment.is_current`, one row per
person), another centre asks for it through a `TransferRequest`, refused takes are kept
as `OwnershipConflict` rows for the report, and leads left unassigned or uncontacted too
long are escalated once per reason (`Escalation`, unique per assignment and reason).
Imported at the end of models/__init__.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import Centre, User

__all__ = [
    "CentreDistributionSettings",
    "DistributionRule",
    "DistributionSettings",
    "Escalation",
    "OwnershipConflict",
    "ProspectAssignment",
    "RoundRobinPointer",
    "TransferRequest",
    "WorkingHours",
]


def _string_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_('Enter a list of texts, e.g. ["Москва", "Химки"].'))
    return value


def _validate_string_list(value: Any) -> None:
    _string_list(value)


class DistributionRule(models.Model):
    """One rule: conditions on the prospect, a target centre and how a manager is chosen.

    Conditions left empty match anything, so a rule with none is a catch-all. The kinds the
    business speaks of are combinations: territory (regions/cities), interest or product
    (interests/products), round-robin or least-loaded (the strategy), working hours
    (`on_duty_only`). Rules are tried by priority, lowest number first.
    """

    class Strategy(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round-robin among the centre's managers")
        LEAST_LOADED = "least_loaded", _("The manager with the fewest open prospects and tasks")
        CENTRE_QUEUE = "centre_queue", _("The centre's queue (the head assigns a manager)")

    name = models.CharField(_("name"), max_length=200)
    priority = models.PositiveIntegerField(
        _("priority"), default=100, help_text=_("Rules are tried from the lowest number up.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    regions = models.JSONField(
        _("regions"),
        default=list,
        blank=True,
        validators=[_validate_string_list],
        help_text=_("The prospect's region is one of these (empty: any region)."),
    )
    cities = models.JSONField(
        _("cities"),
        default=list,
        blank=True,
        validators=[_validate_string_list],
        help_text=_("The prospect's city is one of these (empty: any city)."),
    )
    interests = models.JSONField(
        _("interests"),
        default=list,
        blank=True,
        validators=[_validate_string_list],
        help_text=_("Interest codes; the prospect has one of them (empty: any)."),
    )
    products = models.JSONField(
        _("products"),
        default=list,
        blank=True,
        validators=[_validate_string_list],
        help_text=_("Words such as a model name; one appears in the product asked about."),
    )
    centre = models.ForeignKey(
        Centre,
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Empty: the least-loaded active showroom located in the prospect's region or city."
        ),
    )
    strategy = models.CharField(
        _("manager choice"), max_length=20, choices=Strategy.choices, default=Strategy.ROUND_ROBIN
    )
    on_duty_only = models.BooleanField(
        _("only during working hours"),
        default=False,
        help_text=_("Skip centres and managers off duty now; the next rule is tried instead."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("distribution rule")
        verbose_name_plural = _("distribution rules")
        indexes = [
            # the engine reads the active rules in priority order on every new prospect
            models.Index(fields=["is_active", "priority", "id"], name="distribution_rule_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        for name in ("regions", "cities", "interests", "products"):
            value = getattr(self, name)
            cleaned = [str(v).strip() for v in _string_list(value) if str(v).strip()]
            setattr(self, name, cleaned)
        if self.centre_id is None and not (self.regions or self.cities):
            raise ValidationError(
                {"centre": _("Choose a centre, or give regions or cities to find one by.")}
            )

    @property
    def kinds(self) -> list[str]:
        """What the rule does, in the business's words (for the summary page)."""
        kinds: list[str] = []
        if self.regions or self.cities:
            kinds.append(str(_("territory")))
        if self.interests:
            kinds.append(str(_("interest")))
        if self.products:
            kinds.append(str(_("product")))
        kinds.append(str(self.get_strategy_display()))
        if self.on_duty_only:
            kinds.append(str(_("working hours")))
        return kinds


class WorkingHours(models.Model):
    """When a centre (user empty) or one of its managers is on duty, on one weekday.

    A centre or manager without any hours counts as always on duty, so the feature is
    opt-in. Times are in the centre's time zone (its distribution settings); a shift ends
    the same day (an overnight shift is two rows).
    """

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    centre = models.ForeignKey(
        Centre, verbose_name=_("centre"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("manager"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the centre's own opening hours."),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        ordering = ["centre", "user", "weekday", "starts"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        indexes = [models.Index(fields=["centre", "weekday"], name="working_hours_centre_day")]
        constraints = [
            models.CheckConstraint(condition=Q(starts__lt=models.F("ends")), name="hours_in_order")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"

    def clean(self) -> None:
        if self.starts is not None and self.ends is not None and self.starts >= self.ends:
            raise ValidationError({"ends": _("The shift must end after it starts.")})
        if self.user is not None and self.centre_id and self.user.centre_id != self.centre_id:
            raise ValidationError({"user": _("Choose a manager of this centre.")})


class DistributionSettings(models.Model):
    """The network-wide settings: one row (pk 1), made on first use."""

    fallback_centre = models.ForeignKey(
        Centre,
        verbose_name=_("queue for unmatched prospects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Where a prospect goes when no rule matches (empty: the call centre)."),
    )
    unassigned_after_minutes = models.PositiveIntegerField(
        _("escalate unassigned leads after, minutes"), default=120
    )
    uncontacted_after_minutes = models.PositiveIntegerField(
        _("escalate uncontacted leads after, minutes"), default=24 * 60
    )
    escalation_enabled = models.BooleanField(_("escalation on"), default=True)

    class Meta:
        verbose_name = _("distribution settings")
        verbose_name_plural = _("distribution settings")

    def __str__(self) -> str:
        return str(_("Distribution settings"))

    @classmethod
    def current(cls) -> DistributionSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class CentreDistributionSettings(models.Model):
    """A centre's own time zone and escalation times (empty: the network's)."""

    centre = models.OneToOneField(
        Centre, verbose_name=_("centre"), on_delete=models.CASCADE, related_name="+"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.TIME_ZONE)
    unassigned_after_minutes = models.PositiveIntegerField(
        _("escalate unassigned leads after, minutes"), null=True, blank=True
    )
    uncontacted_after_minutes = models.PositiveIntegerField(
        _("escalate uncontacted leads after, minutes"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("centre distribution settings")
        verbose_name_plural = _("centre distribution settings")

    def __str__(self) -> str:
        return str(self.centre)

    def clean(self) -> None:
        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(
                {"time_zone": _("Enter a time zone such as Asia/Yekaterinburg.")}
            ) from exc

    def zone(self) -> dt.tzinfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class RoundRobinPointer(models.Model):
    """Whose turn it is in a centre under a rule; locked while a turn is taken.

    Two prospects distributed at the same moment serialise on this row, so neither
    manager gets two turns in a row while another gets none.
    """

    rule = models.ForeignKey(DistributionRule, on_delete=models.CASCADE, related_name="+")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    last_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    turns = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "centre"], name="round_robin_rule_centre")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.centre_id}: {self.last_user_id}"


class ProspectAssignment(models.Model):
    """Which centre and manager a person was given to, when and by what.

    One current row per person: the centre that holds the prospect now. Earlier rows stay
    as history. `contacted_at` is filled by the escalation job once a call or note follows
    the assignment, so settled leads leave its working set.
    """

    class Method(models.TextChoices):
        RULE = "rule", _("Distribution rule")
        FALLBACK = "fallback", _("No rule matched: queue")
        TAKE = "take", _("Taken from the queue")
        TRANSFER = "transfer", _("Transfer request approved")
        MANUAL = "manual", _("Assigned by the centre head")

    person = models.ForeignKey(
        "parties.Person", on_delete=models.CASCADE, related_name="assignments"
    )
    centre = models.ForeignKey(
        Centre, verbose_name=_("centre"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        User,
        verbose_name=_("manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rule = models.ForeignKey(
        DistributionRule,
        verbose_name=_("rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
    )
    method = models.CharField(_("how"), max_length=20, choices=Method.choices)
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)
    assigned_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_current = models.BooleanField(default=True)
    contacted_at = models.DateTimeField(_("first contact"), null=True, blank=True)

    class Meta:
        verbose_name = _("prospect assignment")
        verbose_name_plural = _("prospect assignments")
        indexes = [
            # the escalation job's working set: current, not yet contacted, oldest first
            models.Index(
                fields=["assigned_at", "id"],
                name="assignment_open",
                condition=Q(is_current=True, contacted_at__isnull=True),
            ),
            # the leads page of a centre
            models.Index(
                fields=["centre", "-assigned_at", "-id"],
                name="assignment_centre_at",
                condition=Q(is_current=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(is_current=True), name="assignment_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.centre_id}/{self.owner_id}"


class Escalation(models.Model):
    """A lead that waited too long, raised to its centre's head once per reason."""

    class Reason(models.TextChoices):
        UNASSIGNED = "unassigned", _("No manager assigned in time")
        UNCONTACTED = "uncontacted", _("Not contacted in time")

    assignment = models.ForeignKey(
        ProspectAssignment, on_delete=models.CASCADE, related_name="escalations"
    )
    person = models.ForeignKey(
        "parties.Person", on_delete=models.CASCADE, related_name="escalations"
    )
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    head = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    task_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("escalated"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        indexes = [
            # the "escalated" filter of a centre's leads and the card's mark
            models.Index(
                fields=["person"], name="escalation_open_person", condition=Q(resolved_at=None)
            ),
            models.Index(fields=["centre", "-created_at"], name="escalation_centre_at"),
        ]
        constraints = [
            # The periodic job may run twice or concurrently: one escalation per lead and reason.
            models.UniqueConstraint(fields=["assignment", "reason"], name="escalation_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.reason}"


class TransferRequest(models.Model):
    """Another centre asks for a person; the owning centre's head decides."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Withdrawn")

    person = models.ForeignKey(
        "parties.Person", on_delete=models.CASCADE, related_name="transfer_requests"
    )
    from_centre = models.ForeignKey(
        Centre, verbose_name=_("owning centre"), on_delete=models.PROTECT, related_name="+"
    )
    from_owner = models.ForeignKey(
        User,
        verbose_name=_("owning manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to_centre = models.ForeignKey(
        Centre, verbose_name=_("requesting centre"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        indexes = [
            # a head's inbox: pending requests for their centre, newest first
            models.Index(fields=["from_centre", "status", "-created_at"], name="transfer_inbox"),
            models.Index(fields=["to_centre", "-created_at"], name="transfer_outbox"),
            models.Index(fields=["requested_by", "-created_at"], name="transfer_mine"),
            # the report over a period
            models.Index(fields=["created_at"], name="transfer_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "to_centre"],
                condition=Q(status="pending"),
                name="transfer_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.from_centre_id} → {self.to_centre_id} ({self.status})"


class OwnershipConflict(models.Model):
    """A refused attempt by another centre to take or invite a person it does not own."""

    class Action(models.TextChoices):
        TAKE = "take", _("Take")
        INVITE = "invite", _("Invite")
        CREATE = "create", _("Enter as new")
        OTHER = "other", _("Other")

    person = models.ForeignKey(
        "parties.Person", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    owner_centre = models.ForeignKey(
        Centre, verbose_name=_("owning centre"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attempted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attempted_centre = models.ForeignKey(
        Centre,
        verbose_name=_("attempting centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("ownership conflict")
        verbose_name_plural = _("ownership conflicts")
        indexes = [
            models.Index(fields=["at"], name="conflict_at"),
            models.Index(fields=["owner_centre", "at"], name="conflict_owner_centre_at"),
            models.Index(fields=["attempted_centre", "at"], name="conflict_attempt_centre_at"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.attempted_centre_id} ✗ {self.owner_centre_id}"
