# Imports of persons and companies (issue 3): batches, saved mappings, the per-row error
# report, the undo journal; external id and the creating batch on persons and companies.
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

STATUSES = [
    ("uploaded", "Uploaded, columns to map"),
    ("ready", "Mapped, ready to check"),
    ("validating", "Checking"),
    ("validated", "Checked"),
    ("queued", "Waiting to run"),
    ("running", "Importing"),
    ("done", "Imported"),
    ("failed", "Failed, nothing written"),
    ("undoing", "Undoing"),
    ("undone", "Undone"),
]
ENTITIES = [("person", "Persons"), ("company", "Companies")]


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0003_consent"),
        ("core", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportBatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "entity",
                    models.CharField(choices=ENTITIES, max_length=20, verbose_name="records"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=STATUSES, default="uploaded", max_length=20, verbose_name="status"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="uploaded"
                    ),
                ),
                ("file_name", models.CharField(max_length=255, verbose_name="file")),
                ("file_path", models.CharField(max_length=500)),
                ("file_size", models.BigIntegerField(default=0)),
                ("file_sha256", models.CharField(db_index=True, max_length=64)),
                ("file_format", models.CharField(max_length=10)),
                ("encoding", models.CharField(blank=True, max_length=30)),
                ("delimiter", models.CharField(blank=True, max_length=5)),
                ("sheet", models.CharField(blank=True, max_length=100)),
                ("headers", models.JSONField(default=list)),
                ("mapping", models.JSONField(default=dict)),
                (
                    "duplicates",
                    models.CharField(
                        choices=[
                            ("skip", "Skip the row, keep the existing record"),
                            ("update", "Update the existing record"),
                            ("create", "Create a new record anyway"),
                        ],
                        default="skip",
                        max_length=20,
                        verbose_name="duplicates",
                    ),
                ),
                (
                    "on_error",
                    models.CharField(
                        choices=[
                            ("skip_rows", "Import the good rows, skip the bad ones"),
                            ("write_nothing", "Write nothing if any row is bad"),
                        ],
                        default="skip_rows",
                        max_length=20,
                        verbose_name="bad rows",
                    ),
                ),
                ("total_rows", models.IntegerField(blank=True, null=True)),
                ("cursor", models.IntegerField(default=0)),
                ("validation", models.JSONField(default=dict)),
                ("counts", models.JSONField(default=dict)),
                ("failure", models.JSONField(blank=True, default=dict)),
                ("file_notes", models.JSONField(default=list)),
                ("claim_token", models.CharField(blank=True, max_length=36)),
                ("heartbeat_at", models.DateTimeField(blank=True, null=True)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("started_at", models.DateTimeField(blank=True, null=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("undone_at", models.DateTimeField(blank=True, null=True)),
                (
                    "centre",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.centre",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "undone_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name": "import", "verbose_name_plural": "imports"},
        ),
        migrations.AddIndex(
            model_name="importbatch",
            index=models.Index(
                fields=["created_by", "-created_at", "-id"], name="import_batch_user"
            ),
        ),
        migrations.AddIndex(
            model_name="importbatch",
            index=models.Index(fields=["status", "heartbeat_at"], name="import_batch_status"),
        ),
        migrations.CreateModel(
            name="ImportMapping",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "entity",
                    models.CharField(choices=ENTITIES, max_length=20, verbose_name="records"),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("columns", models.JSONField(default=dict, verbose_name="columns")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "import mapping",
                "verbose_name_plural": "import mappings",
                "ordering": ["name"],
            },
        ),
        migrations.AddConstraint(
            model_name="importmapping",
            constraint=models.UniqueConstraint(
                fields=("created_by", "entity", "name"), name="import_mapping_name"
            ),
        ),
        migrations.CreateModel(
            name="ImportRowError",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("row_number", models.IntegerField()),
                ("column", models.CharField(blank=True, max_length=200)),
                ("code", models.CharField(max_length=50)),
                ("params", models.JSONField(default=dict)),
                ("is_error", models.BooleanField(default=True)),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="row_errors",
                        to="parties.importbatch",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="importrowerror",
            index=models.Index(fields=["batch", "row_number", "id"], name="import_error_row"),
        ),
        migrations.CreateModel(
            name="ImportUpdate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("row_number", models.IntegerField()),
                ("person_id", models.BigIntegerField(blank=True, null=True)),
                ("company_id", models.BigIntegerField(blank=True, null=True)),
                ("before", models.JSONField(default=dict)),
                ("after", models.JSONField(default=dict)),
                ("added_contact_ids", models.JSONField(default=list)),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="updates",
                        to="parties.importbatch",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="importupdate",
            index=models.Index(fields=["batch", "id"], name="import_update_batch"),
        ),
        migrations.AddField(
            model_name="company",
            name="external_id",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=100, verbose_name="external id"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="external_id",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=100, verbose_name="external id"
            ),
        ),
        migrations.AddField(
            model_name="company",
            name="import_batch",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="parties.importbatch",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="import_batch",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="parties.importbatch",
            ),
        ),
        migrations.AddIndex(
            model_name="company",
            index=models.Index(
                condition=models.Q(("external_id", ""), _negated=True),
                fields=["external_id"],
                name="company_external_id",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("external_id", ""), _negated=True),
                fields=["external_id"],
                name="person_external_id",
            ),
        ),
    ]
