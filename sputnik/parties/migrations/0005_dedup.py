# Duplicates and merge (issue 3, P8): runs, clusters, scored pairs, dismissals, name keys.
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("parties", "0004_imports")]

    operations: list[migrations.operations.base.Operation] = [
        migrations.CreateModel(
            name="DedupRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="started")),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished"),
                ),
                (
                    "progress",
                    models.PositiveSmallIntegerField(default=0, verbose_name="progress, %"),
                ),
                ("step", models.CharField(blank=True, max_length=100, verbose_name="step")),
                ("stats", models.JSONField(blank=True, default=dict, verbose_name="figures")),
                ("error", models.TextField(blank=True, verbose_name="error")),
                (
                    "started_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "duplicate search run",
                "verbose_name_plural": "duplicate search runs",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="DuplicateCluster",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("merged", "Merged"),
                            ("dismissed", "Not duplicates"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("size", models.PositiveIntegerField(default=0, verbose_name="persons")),
                ("score", models.PositiveSmallIntegerField(default=0, verbose_name="score")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="found"),
                ),
                (
                    "updated_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="updated"),
                ),
                (
                    "centre",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.centre",
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="clusters",
                        to="parties.deduprun",
                    ),
                ),
            ],
            options={
                "verbose_name": "duplicate cluster",
                "verbose_name_plural": "duplicate clusters",
                "ordering": ["-score", "id"],
                "indexes": [
                    models.Index(fields=["status", "-score", "id"], name="dedup_cluster_queue"),
                    models.Index(
                        fields=["centre", "status", "-score", "id"], name="dedup_cluster_centre"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="DuplicatePair",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("score", models.PositiveSmallIntegerField(verbose_name="score")),
                ("reasons", models.CharField(blank=True, max_length=200, verbose_name="reasons")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("merged", "Merged"),
                            ("dismissed", "Not duplicates"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "cluster",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pairs",
                        to="parties.duplicatecluster",
                    ),
                ),
                (
                    "person_a",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="parties.person",
                    ),
                ),
                (
                    "person_b",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="parties.person",
                    ),
                ),
            ],
            options={
                "verbose_name": "duplicate pair",
                "verbose_name_plural": "duplicate pairs",
                "ordering": ["-score", "id"],
                "indexes": [
                    models.Index(fields=["person_a", "status"], name="dedup_pair_a"),
                    models.Index(fields=["person_b", "status"], name="dedup_pair_b"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("cluster", "person_a", "person_b"), name="dedup_pair_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("person_a__lt", models.F("person_b"))),
                        name="dedup_pair_ordered",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="DismissedPair",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("dismissed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "dismissed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "person_a",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="parties.person",
                    ),
                ),
                (
                    "person_b",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="parties.person",
                    ),
                ),
            ],
            options={
                "verbose_name": "dismissed duplicate pair",
                "verbose_name_plural": "dismissed duplicate pairs",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("person_a", "person_b"), name="dedup_dismissed_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("person_a__lt", models.F("person_b"))),
                        name="dedup_dismissed_ordered",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="PersonNameKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=64)),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="parties.person",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["key"], name="person_name_key")],
                "constraints": [
                    models.UniqueConstraint(fields=("person", "key"), name="person_name_key_unique")
                ],
            },
        ),
    ]
