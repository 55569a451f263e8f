"""Pipelines, stages, lost reasons, deals, deal lines, stage history and trade-in.

Also seeds the four standard pipelines and the lost-reason list (editable in the admin
afterwards), and records the timeline's new "deal" entry kind on the activities app's
Interaction (a choices change: no schema change, but the migration state must know it).
"""

from decimal import Decimal

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class AlterFieldOfApp(migrations.AlterField):
    """AlterField on a model of another app (the migration's own app is "sales").

    The timeline's Interaction belongs to activities, whose next migration slot is
    another engineer's; the new choice is recorded here instead, after that slot.
    """

    def __init__(self, app_label: str, **kwargs):  # type: ignore[no-untyped-def]
        self.target_app = app_label
        super().__init__(**kwargs)

    def deconstruct(self):  # type: ignore[no-untyped-def]
        name, args, kwargs = super().deconstruct()
        return name, args, {"app_label": self.target_app, **kwargs}

    def state_forwards(self, app_label, state):  # type: ignore[no-untyped-def]
        super().state_forwards(self.target_app, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        super().database_forwards(self.target_app, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        super().database_backwards(self.target_app, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return f"Alter field {self.name} on {self.target_app}.{self.model_name}"


# (slug, kind, name_ru, name_en, stages); a stage: (name_ru, name_en, kind, probability, rules)
PIPELINES = [
    (
        "new-cars",
        "new_cars",
        "Новые автомобили",
        "New cars",
        [
            ("Заявка", "Lead", "open", 10, {}),
            ("Консультация", "Consultation", "open", 20, {}),
            ("Тест-драйв", "Test drive", "open", 40, {}),
            ("Предложение", "Proposal", "open", 60, {"requires_amount": True}),
            ("Договор", "Contract", "open", 80, {"requires_lines": True}),
            ("Выиграна", "Won", "won", 100, {"requires_lines": True}),
            ("Проиграна", "Lost", "lost", 0, {}),
        ],
    ),
    (
        "used-cars",
        "used_cars",
        "Автомобили с пробегом",
        "Used cars",
        [
            ("Заявка", "Lead", "open", 10, {}),
            ("Осмотр и оценка", "Inspection and appraisal", "open", 30, {}),
            ("Предложение", "Proposal", "open", 60, {"requires_amount": True}),
            (
                "Договор",
                "Contract",
                "open",
                80,
                {"requires_lines": True, "requires_trade_in_appraisal": True},
            ),
            ("Выиграна", "Won", "won", 100, {"requires_lines": True}),
            ("Проиграна", "Lost", "lost", 0, {}),
        ],
    ),
    (
        "service",
        "service",
        "Сервис",
        "Service",
        [
            ("Запрос", "Request", "open", 20, {}),
            ("Диагностика", "Diagnostics", "open", 40, {}),
            ("Согласование", "Approval", "open", 70, {"requires_amount": True}),
            ("Выполнено", "Done", "won", 100, {"requires_lines": True}),
            ("Отказ", "Lost", "lost", 0, {}),
        ],
    ),
    (
        "accessories",
        "accessories",
        "Аксессуары",
        "Accessories",
        [
            ("Интерес", "Interest", "open", 20, {}),
            ("Предложение", "Proposal", "open", 50, {}),
            ("Заказ", "Order", "open", 80, {"requires_lines": True}),
            ("Продано", "Sold", "won", 100, {"requires_lines": True}),
            ("Отказ", "Lost", "lost", 0, {}),
        ],
    ),
]

LOST_REASONS = [
    ("Цена", "Price"),
    ("Выбрал конкурента", "Chose a competitor"),
    ("Нет в наличии", "Not in stock"),
    ("Отказ в кредите", "Credit refused"),
    ("Передумал", "Changed their mind"),
    ("Не удалось связаться", "Could not be reached"),
    ("Дубликат", "Duplicate"),
    ("Другое", "Other"),
]


# The timeline's entry kinds once "deal" is added after "task" of activities 0004_tasks
# (choices only: no schema change).
INTERACTION_KINDS = [
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
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Pipeline = apps.get_model("sales", "Pipeline")
    PipelineStage = apps.get_model("sales", "PipelineStage")
    LostReason = apps.get_model("sales", "LostReason")
    for position, (slug, kind, name_ru, name_en, stages) in enumerate(PIPELINES):
        pipeline, created = Pipeline.objects.get_or_create(
            slug=slug,
            defaults={"kind": kind, "name_ru": name_ru, "name_en": name_en, "position": position},
        )
        if not created:
            continue
        for order, (s_ru, s_en, s_kind, probability, rules) in enumerate(stages):
            PipelineStage.objects.create(
                pipeline=pipeline,
                name_ru=s_ru,
                name_en=s_en,
                kind=s_kind,
                position=order,
                probability=probability,
                **rules,
            )
    if not LostReason.objects.exists():
        LostReason.objects.bulk_create(
            LostReason(name_ru=ru, name_en=en, position=i)
            for i, (ru, en) in enumerate(LOST_REASONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_catalogue"),
        ("core", "0001_initial"),
        ("parties", "0003_consent"),
        ("activities", "0004_tasks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LostReason",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name_ru", models.CharField(max_length=100, verbose_name="name (Russian)")),
                ("name_en", models.CharField(max_length=100, verbose_name="name (English)")),
                ("position", models.PositiveIntegerField(default=0, verbose_name="order")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
            ],
            options={
                "verbose_name": "lost reason",
                "verbose_name_plural": "lost reasons",
                "ordering": ["position", "id"],
            },
        ),
        migrations.CreateModel(
            name="Pipeline",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(unique=True, verbose_name="code")),
                ("name_ru", models.CharField(max_length=100, verbose_name="name (Russian)")),
                ("name_en", models.CharField(max_length=100, verbose_name="name (English)")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("new_cars", "New cars"),
                            ("used_cars", "Used cars"),
                            ("service", "Service"),
                            ("accessories", "Accessories"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0, verbose_name="order")),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
            ],
            options={
                "verbose_name": "pipeline",
                "verbose_name_plural": "pipelines",
                "ordering": ["position", "id"],
            },
        ),
        migrations.CreateModel(
            name="Deal",
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
                        choices=[("open", "Open"), ("won", "Won"), ("lost", "Lost")],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="amount"
                    ),
                ),
                (
                    "currency",
                    models.CharField(default="RUB", max_length=3, verbose_name="currency"),
                ),
                (
                    "probability",
                    models.PositiveSmallIntegerField(
                        default=0,
                        validators=[django.core.validators.MaxValueValidator(100)],
                        verbose_name="probability, %",
                    ),
                ),
                (
                    "expected_close",
                    models.DateField(blank=True, null=True, verbose_name="expected close"),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("showroom", "Showroom visit"),
                            ("call", "Call"),
                            ("web_form", "Web form"),
                            ("configurator", "Online configurator"),
                            ("event", "Event"),
                            ("referral", "Referral"),
                            ("repeat", "Repeat customer"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=20,
                        verbose_name="source",
                    ),
                ),
                (
                    "lost_note",
                    models.CharField(blank=True, max_length=500, verbose_name="lost note"),
                ),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed")),
                (
                    "delivered_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="delivered"),
                ),
                ("rank", models.FloatField(default=0.0)),
                (
                    "stage_entered_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="in stage since"
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
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="updated"
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
                    "company",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deals",
                        to="parties.company",
                        verbose_name="company",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
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
                        verbose_name="owner",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deals",
                        to="parties.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "lost_reason",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="sales.lostreason",
                        verbose_name="lost reason",
                    ),
                ),
                (
                    "pipeline",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deals",
                        to="sales.pipeline",
                        verbose_name="pipeline",
                    ),
                ),
            ],
            options={
                "verbose_name": "deal",
                "verbose_name_plural": "deals",
            },
        ),
        migrations.CreateModel(
            name="PipelineStage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name_ru", models.CharField(max_length=100, verbose_name="name (Russian)")),
                ("name_en", models.CharField(max_length=100, verbose_name="name (English)")),
                ("position", models.PositiveIntegerField(default=0, verbose_name="order")),
                (
                    "kind",
                    models.CharField(
                        choices=[("open", "Open"), ("won", "Won"), ("lost", "Lost")],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "probability",
                    models.PositiveSmallIntegerField(
                        default=10,
                        validators=[django.core.validators.MaxValueValidator(100)],
                        verbose_name="default probability, %",
                    ),
                ),
                (
                    "requires_lines",
                    models.BooleanField(
                        default=False,
                        help_text="A deal enters only with lines.",
                        verbose_name="requires product lines",
                    ),
                ),
                (
                    "requires_amount",
                    models.BooleanField(
                        default=False,
                        help_text="A deal enters only with an amount.",
                        verbose_name="requires an amount",
                    ),
                ),
                (
                    "requires_expected_close",
                    models.BooleanField(
                        default=False, verbose_name="requires an expected close date"
                    ),
                ),
                (
                    "requires_trade_in_appraisal",
                    models.BooleanField(
                        default=False,
                        help_text="A deal carrying a trade-in vehicle enters only once it is appraised.",
                        verbose_name="requires the trade-in appraisal",
                    ),
                ),
                (
                    "pipeline",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stages",
                        to="sales.pipeline",
                    ),
                ),
            ],
            options={
                "verbose_name": "stage",
                "verbose_name_plural": "stages",
                "ordering": ["pipeline", "position", "id"],
            },
        ),
        migrations.CreateModel(
            name="DealStageChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("entered_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("left_at", models.DateTimeField(blank=True, null=True)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "deal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="stage_changes",
                        to="sales.deal",
                    ),
                ),
                (
                    "from_stage",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="sales.pipelinestage",
                    ),
                ),
                (
                    "stage",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="sales.pipelinestage",
                    ),
                ),
            ],
            options={
                "verbose_name": "stage change",
                "verbose_name_plural": "stage changes",
                "ordering": ["entered_at", "id"],
            },
        ),
        migrations.AddField(
            model_name="deal",
            name="stage",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="deals",
                to="sales.pipelinestage",
                verbose_name="stage",
            ),
        ),
        migrations.CreateModel(
            name="TradeIn",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "vehicle_label",
                    models.CharField(blank=True, max_length=200, verbose_name="vehicle"),
                ),
                (
                    "appraised_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=14,
                        null=True,
                        verbose_name="appraised value",
                    ),
                ),
                (
                    "appraised_on",
                    models.DateField(blank=True, null=True, verbose_name="appraised on"),
                ),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                (
                    "completed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="completed"),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                (
                    "appraiser",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="appraiser",
                    ),
                ),
                (
                    "asset",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="parties.asset",
                        verbose_name="vehicle",
                    ),
                ),
                (
                    "deal",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="trade_in",
                        to="sales.deal",
                    ),
                ),
                (
                    "new_asset",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="parties.asset",
                        verbose_name="new vehicle",
                    ),
                ),
            ],
            options={
                "verbose_name": "trade-in",
                "verbose_name_plural": "trade-ins",
            },
        ),
        migrations.CreateModel(
            name="DealLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("description", models.CharField(max_length=300, verbose_name="description")),
                (
                    "quantity",
                    models.DecimalField(
                        decimal_places=3,
                        default=Decimal("1"),
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.001"))],
                        verbose_name="quantity",
                    ),
                ),
                (
                    "unit_price",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="unit price"),
                ),
                (
                    "discount_pct",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0"),
                        max_digits=5,
                        verbose_name="discount, %",
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="amount"),
                ),
                ("position", models.PositiveIntegerField(default=0, verbose_name="order")),
                ("vin", models.CharField(blank=True, max_length=17, verbose_name="VIN")),
                (
                    "configuration",
                    models.JSONField(blank=True, default=dict, verbose_name="configuration"),
                ),
                (
                    "deal",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="sales.deal",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="sales.product",
                        verbose_name="product",
                    ),
                ),
            ],
            options={
                "verbose_name": "deal line",
                "verbose_name_plural": "deal lines",
                "ordering": ["position", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("quantity__gt", 0)), name="deal_line_quantity"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("unit_price__gte", 0)), name="deal_line_price"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("discount_pct__gte", 0), ("discount_pct__lte", 100)),
                        name="deal_line_discount",
                    ),
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="pipelinestage",
            constraint=models.CheckConstraint(
                condition=models.Q(("probability__lte", 100)),
                name="pipeline_stage_probability_range",
            ),
        ),
        migrations.AddIndex(
            model_name="dealstagechange",
            index=models.Index(fields=["deal", "entered_at"], name="deal_stage_history"),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(fields=["centre", "stage", "rank", "id"], name="deal_board_centre"),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(fields=["owner", "stage", "rank", "id"], name="deal_board_owner"),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(fields=["stage", "rank", "id"], name="deal_board_all"),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(fields=["centre", "-created_at", "-id"], name="deal_list_centre"),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(fields=["owner", "-created_at", "-id"], name="deal_list_owner"),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(fields=["-created_at", "-id"], name="deal_list_all"),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(fields=["person", "-created_at"], name="deal_person"),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                condition=models.Q(("company__isnull", False)),
                fields=["company", "-created_at"],
                name="deal_company",
            ),
        ),
        migrations.AddConstraint(
            model_name="deal",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("person__isnull", False), ("company__isnull", False), _connector="OR"
                ),
                name="deal_has_customer",
            ),
        ),
        migrations.AddConstraint(
            model_name="deal",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gte", 0)), name="deal_amount_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="deal",
            constraint=models.CheckConstraint(
                condition=models.Q(("probability__lte", 100)), name="deal_probability"
            ),
        ),
        migrations.AddConstraint(
            model_name="tradein",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("appraised_value__isnull", True), ("appraised_value__gte", 0), _connector="OR"
                ),
                name="trade_in_value_not_negative",
            ),
        ),
        AlterFieldOfApp(
            app_label="activities",
            model_name="interaction",
            name="kind",
            field=models.CharField(choices=INTERACTION_KINDS, max_length=20, verbose_name="kind"),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
