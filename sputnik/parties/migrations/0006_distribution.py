# Distribution of prospects (issue 3, V3): rules, working hours, assignments, escalations,
# transfer requests and ownership conflicts.

import django.db.models.deletion
import django.utils.timezone
import sputnik.parties.models.distribution
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("parties", "0005_dedup"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CentreDistributionSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "time_zone",
                    models.CharField(
                        default="Europe/Moscow", max_length=64, verbose_name="time zone"
                    ),
                ),
                (
                    "unassigned_after_minutes",
                    models.PositiveIntegerField(
                        blank=True,
                        null=True,
                        verbose_name="escalate unassigned leads after, minutes",
                    ),
                ),
                (
                    "uncontacted_after_minutes",
                    models.PositiveIntegerField(
                        blank=True,
                        null=True,
                        verbose_name="escalate uncontacted leads after, minutes",
                    ),
                ),
                (
                    "centre",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.centre",
                        verbose_name="centre",
                    ),
                ),
            ],
            options={
                "verbose_name": "centre distribution settings",
                "verbose_name_plural": "centre distribution settings",
            },
        ),
        migrations.CreateModel(
            name="DistributionRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "priority",
                    models.PositiveIntegerField(
                        default=100,
                        help_text="Rules are tried from the lowest number up.",
                        verbose_name="priority",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "regions",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="The prospect's region is one of these (empty: any region).",
                        validators=[sputnik.parties.models.distribution._validate_string_list],
                        verbose_name="regions",
                    ),
                ),
                (
                    "cities",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="The prospect's city is one of these (empty: any city).",
                        validators=[sputnik.parties.models.distribution._validate_string_list],
                        verbose_name="cities",
                    ),
                ),
                (
                    "interests",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Interest codes; the prospect has one of them (empty: any).",
                        validators=[sputnik.parties.models.distribution._validate_string_list],
                        verbose_name="interests",
                    ),
                ),
                (
                    "products",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Words such as a model name; one appears in the product asked about.",
                        validators=[sputnik.parties.models.distribution._validate_string_list],
                        verbose_name="products",
                    ),
                ),
                (
                    "strategy",
                    models.CharField(
                        choices=[
                            ("round_robin", "Round-robin among the centre's managers"),
                            (
                                "least_loaded",
                                "The manager with the fewest open prospects and tasks",
                            ),
                            ("centre_queue", "The centre's queue (the head assigns a manager)"),
                        ],
                        default="round_robin",
                        max_length=20,
                        verbose_name="manager choice",
                    ),
                ),
                (
                    "on_duty_only",
                    models.BooleanField(
                        default=False,
                        help_text="Skip centres and managers off duty now; the next rule is tried instead.",
                        verbose_name="only during working hours",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "centre",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: the least-loaded active showroom located in the prospect's region or city.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.centre",
                        verbose_name="centre",
                    ),
                ),
            ],
            options={
                "verbose_name": "distribution rule",
                "verbose_name_plural": "distribution rules",
                "ordering": ["priority", "id"],
            },
        ),
        migrations.CreateModel(
            name="DistributionSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "unassigned_after_minutes",
                    models.PositiveIntegerField(
                        default=120, verbose_name="escalate unassigned leads after, minutes"
                    ),
                ),
                (
                    "uncontacted_after_minutes",
                    models.PositiveIntegerField(
                        default=1440, verbose_name="escalate uncontacted leads after, minutes"
                    ),
                ),
                (
                    "escalation_enabled",
                    models.BooleanField(default=True, verbose_name="escalation on"),
                ),
                (
                    "fallback_centre",
                    models.ForeignKey(
                        blank=True,
                        help_text="Where a prospect goes when no rule matches (empty: the call centre).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.centre",
                        verbose_name="queue for unmatched prospects",
                    ),
                ),
            ],
            options={
                "verbose_name": "distribution settings",
                "verbose_name_plural": "distribution settings",
            },
        ),
        migrations.CreateModel(
            name="OwnershipConflict",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("take", "Take"),
                            ("invite", "Invite"),
                            ("create", "Enter as new"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="action",
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="when"),
                ),
                (
                    "attempted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "attempted_centre",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.centre",
                        verbose_name="attempting centre",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "owner_centre",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.centre",
                        verbose_name="owning centre",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="parties.person",
                    ),
                ),
            ],
            options={
                "verbose_name": "ownership conflict",
                "verbose_name_plural": "ownership conflicts",
            },
        ),
        migrations.CreateModel(
            name="ProspectAssignment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("rule", "Distribution rule"),
                            ("fallback", "No rule matched: queue"),
                            ("take", "Taken from the queue"),
                            ("transfer", "Transfer request approved"),
                            ("manual", "Assigned by the centre head"),
                        ],
                        max_length=20,
                        verbose_name="how",
                    ),
                ),
                (
                    "assigned_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="assigned"
                    ),
                ),
                ("is_current", models.BooleanField(default=True)),
                (
                    "contacted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="first contact"),
                ),
                (
                    "assigned_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "centre",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.centre",
                        verbose_name="centre",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="manager",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assignments",
                        to="parties.person",
                    ),
                ),
                (
                    "rule",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assignments",
                        to="parties.distributionrule",
                        verbose_name="rule",
                    ),
                ),
            ],
            options={
                "verbose_name": "prospect assignment",
                "verbose_name_plural": "prospect assignments",
            },
        ),
        migrations.CreateModel(
            name="Escalation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("unassigned", "No manager assigned in time"),
                            ("uncontacted", "Not contacted in time"),
                        ],
                        max_length=20,
                        verbose_name="reason",
                    ),
                ),
                ("task_id", models.BigIntegerField(blank=True, null=True)),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="escalated"
                    ),
                ),
                (
                    "resolved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="resolved"),
                ),
                (
                    "centre",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.centre",
                    ),
                ),
                (
                    "head",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="escalations",
                        to="parties.person",
                    ),
                ),
                (
                    "assignment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="escalations",
                        to="parties.prospectassignment",
                    ),
                ),
            ],
            options={
                "verbose_name": "escalation",
                "verbose_name_plural": "escalations",
            },
        ),
        migrations.CreateModel(
            name="RoundRobinPointer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("turns", models.PositiveBigIntegerField(default=0)),
                (
                    "centre",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.centre",
                    ),
                ),
                (
                    "last_user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "rule",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="parties.distributionrule",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="TransferRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reason", models.TextField(max_length=2000, verbose_name="reason")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("approved", "Approved"),
                            ("rejected", "Rejected"),
                            ("cancelled", "Withdrawn"),
                        ],
                        default="pending",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="requested"
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided")),
                (
                    "decision_note",
                    models.CharField(blank=True, max_length=500, verbose_name="decision note"),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "from_centre",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.centre",
                        verbose_name="owning centre",
                    ),
                ),
                (
                    "from_owner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owning manager",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="transfer_requests",
                        to="parties.person",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
                (
                    "to_centre",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.centre",
                        verbose_name="requesting centre",
                    ),
                ),
            ],
            options={
                "verbose_name": "transfer request",
                "verbose_name_plural": "transfer requests",
            },
        ),
        migrations.CreateModel(
            name="WorkingHours",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "weekday",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "Monday"),
                            (1, "Tuesday"),
                            (2, "Wednesday"),
                            (3, "Thursday"),
                            (4, "Friday"),
                            (5, "Saturday"),
                            (6, "Sunday"),
                        ],
                        verbose_name="weekday",
                    ),
                ),
                ("starts", models.TimeField(verbose_name="from")),
                ("ends", models.TimeField(verbose_name="until")),
                (
                    "centre",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.centre",
                        verbose_name="centre",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: the centre's own opening hours.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="manager",
                    ),
                ),
            ],
            options={
                "verbose_name": "working hours",
                "verbose_name_plural": "working hours",
                "ordering": ["centre", "user", "weekday", "starts"],
            },
        ),
        migrations.AddIndex(
            model_name="distributionrule",
            index=models.Index(
                fields=["is_active", "priority", "id"], name="distribution_rule_order"
            ),
        ),
        migrations.AddIndex(
            model_name="ownershipconflict",
            index=models.Index(fields=["at"], name="conflict_at"),
        ),
        migrations.AddIndex(
            model_name="ownershipconflict",
            index=models.Index(fields=["owner_centre", "at"], name="conflict_owner_centre_at"),
        ),
        migrations.AddIndex(
            model_name="ownershipconflict",
            index=models.Index(
                fields=["attempted_centre", "at"], name="conflict_attempt_centre_at"
            ),
        ),
        migrations.AddIndex(
            model_name="prospectassignment",
            index=models.Index(
                condition=models.Q(("contacted_at__isnull", True), ("is_current", True)),
                fields=["assigned_at", "id"],
                name="assignment_open",
            ),
        ),
        migrations.AddIndex(
            model_name="prospectassignment",
            index=models.Index(
                condition=models.Q(("is_current", True)),
                fields=["centre", "-assigned_at", "-id"],
                name="assignment_centre_at",
            ),
        ),
        migrations.AddConstraint(
            model_name="prospectassignment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_current", True)),
                fields=("person",),
                name="assignment_one_current",
            ),
        ),
        migrations.AddIndex(
            model_name="escalation",
            index=models.Index(
                condition=models.Q(("resolved_at", None)),
                fields=["person"],
                name="escalation_open_person",
            ),
        ),
        migrations.AddIndex(
            model_name="escalation",
            index=models.Index(fields=["centre", "-created_at"], name="escalation_centre_at"),
        ),
        migrations.AddConstraint(
            model_name="escalation",
            constraint=models.UniqueConstraint(
                fields=("assignment", "reason"), name="escalation_once"
            ),
        ),
        migrations.AddConstraint(
            model_name="roundrobinpointer",
            constraint=models.UniqueConstraint(
                fields=("rule", "centre"), name="round_robin_rule_centre"
            ),
        ),
        migrations.AddIndex(
            model_name="transferrequest",
            index=models.Index(
                fields=["from_centre", "status", "-created_at"], name="transfer_inbox"
            ),
        ),
        migrations.AddIndex(
            model_name="transferrequest",
            index=models.Index(fields=["to_centre", "-created_at"], name="transfer_outbox"),
        ),
        migrations.AddIndex(
            model_name="transferrequest",
            index=models.Index(fields=["requested_by", "-created_at"], name="transfer_mine"),
        ),
        migrations.AddIndex(
            model_name="transferrequest",
            index=models.Index(fields=["created_at"], name="transfer_created"),
        ),
        migrations.AddConstraint(
            model_name="transferrequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")),
                fields=("person", "to_centre"),
                name="transfer_one_pending",
            ),
        ),
        migrations.AddIndex(
            model_name="workinghours",
            index=models.Index(fields=["centre", "weekday"], name="working_hours_centre_day"),
        ),
        migrations.AddConstraint(
            model_name="workinghours",
            constraint=models.CheckConstraint(
                condition=models.Q(("starts__lt", models.F("ends"))), name="hours_in_order"
            ),
        ),
    ]
