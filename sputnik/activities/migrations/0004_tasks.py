# Tasks (issue 3/4): the Task model and the timeline's task entries.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_timeline_lean_indexes"),
        ("core", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="interaction",
            name="kind",
            field=models.CharField(
                choices=[
                    ("note", "Note"),
                    ("call", "Call"),
                    ("stage_change", "Stage change"),
                    ("email", "E-mail"),
                    ("sms", "SMS"),
                    ("meeting", "Meeting"),
                    ("document", "Document"),
                    ("system", "System"),
                    ("task", "Task"),
                    ("deal", "Deal"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.CreateModel(
            name="Task",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("person_id", models.BigIntegerField(blank=True, null=True)),
                ("company_id", models.BigIntegerField(blank=True, null=True)),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("follow_up", "Follow up"),
                            ("call", "Call"),
                            ("meeting", "Meeting"),
                            ("test_drive", "Test drive"),
                            ("escalation", "Escalated lead"),
                            ("other", "Other"),
                        ],
                        default="follow_up",
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("due_at", models.DateTimeField(blank=True, null=True, verbose_name="due")),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")],
                        default="open",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="created"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "completed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="completed"),
                ),
                (
                    "assignee",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tasks",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                (
                    "centre",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.centre",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
            ],
            options={
                "verbose_name": "task",
                "verbose_name_plural": "tasks",
                "indexes": [
                    models.Index(
                        fields=["assignee", "status", "due_at", "id"], name="task_assignee"
                    ),
                    models.Index(
                        condition=models.Q(("person_id__isnull", False)),
                        fields=["person_id", "-created_at"],
                        name="task_person",
                    ),
                    models.Index(
                        condition=models.Q(("company_id__isnull", False)),
                        fields=["company_id", "-created_at"],
                        name="task_company",
                    ),
                ],
            },
        ),
    ]
