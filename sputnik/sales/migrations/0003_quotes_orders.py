"""Quotes and orders: numbering, quotes with versions and lines, the configurable order
workflow (seeded: placed → confirmed → in transit → arrived → ready for hand-over →
delivered, and cancelled from any open step), status history, the customer's status
links and the order-event outbox. Also seeds the company-editable "quote" document
template in Russian and English.
"""

from decimal import Decimal

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# code, ru, en, customer-facing description ru / en, meaning, initial
WORKFLOW = [
    (
        "placed",
        "Оформлен",
        "Placed",
        "Мы приняли ваш заказ.",
        "We have received your order.",
        "",
        True,
    ),
    (
        "confirmed",
        "Подтверждён",
        "Confirmed",
        "Заказ подтверждён и передан поставщику.",
        "Your order is confirmed and passed to the supplier.",
        "",
        False,
    ),
    (
        "in_transit",
        "В пути",
        "In transit",
        "Автомобиль едет в дилерский центр.",
        "Your vehicle is on its way to the dealership.",
        "",
        False,
    ),
    (
        "arrived",
        "Прибыл в центр",
        "Arrived",
        "Автомобиль прибыл, идёт предпродажная подготовка.",
        "Your vehicle has arrived and is being prepared.",
        "",
        False,
    ),
    (
        "ready",
        "Готов к выдаче",
        "Ready for hand-over",
        "Всё готово: ждём вас в дилерском центре.",
        "Everything is ready: we look forward to seeing you.",
        "",
        False,
    ),
    (
        "delivered",
        "Выдан",
        "Delivered",
        "Заказ выдан. Спасибо, что выбрали нас!",
        "Your order has been handed over. Thank you!",
        "delivered",
        False,
    ),
    (
        "cancelled",
        "Отменён",
        "Cancelled",
        "Заказ отменён.",
        "The order has been cancelled.",
        "cancelled",
        False,
    ),
]
NEXT = {
    "placed": ["confirmed", "cancelled"],
    "confirmed": ["in_transit", "cancelled"],
    "in_transit": ["arrived", "cancelled"],
    "arrived": ["ready", "cancelled"],
    "ready": ["delivered", "cancelled"],
}


def seed(apps, schema_editor):
    from sputnik.sales.services.quote_pdf import DEFAULT_QUOTE_TEMPLATES

    OrderStatus = apps.get_model("sales", "OrderStatus")
    statuses = {}
    for position, (code, ru, en, desc_ru, desc_en, meaning, initial) in enumerate(WORKFLOW):
        statuses[code], _created = OrderStatus.objects.get_or_create(
            code=code,
            defaults={
                "name_ru": ru,
                "name_en": en,
                "description_ru": desc_ru,
                "description_en": desc_en,
                "position": (position + 1) * 10,
                "meaning": meaning,
                "is_initial": initial,
            },
        )
    for code, targets in NEXT.items():
        statuses[code].allowed_next.add(*(statuses[t] for t in targets))
    DocumentTemplate = apps.get_model("documents", "DocumentTemplate")
    for template in DEFAULT_QUOTE_TEMPLATES:
        DocumentTemplate.objects.get_or_create(
            key=template["key"], language=template["language"], defaults=template
        )


def unseed(apps, schema_editor):
    from sputnik.sales.services.quote_pdf import DEFAULT_QUOTE_TEMPLATES

    DocumentTemplate = apps.get_model("documents", "DocumentTemplate")
    for template in DEFAULT_QUOTE_TEMPLATES:
        DocumentTemplate.objects.filter(
            key=template["key"], language=template["language"], body=template["body"]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0002_deals"),
        ("core", "0001_initial"),
        ("documents", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="NumberPrefix",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("prefix", models.CharField(max_length=10, unique=True, verbose_name="prefix")),
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
                "verbose_name": "number prefix",
                "verbose_name_plural": "number prefixes",
            },
        ),
        migrations.CreateModel(
            name="OrderStatus",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                ("name_ru", models.CharField(max_length=100, verbose_name="name (Russian)")),
                ("name_en", models.CharField(max_length=100, verbose_name="name (English)")),
                (
                    "description_ru",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="description (Russian)"
                    ),
                ),
                (
                    "description_en",
                    models.CharField(
                        blank=True, max_length=300, verbose_name="description (English)"
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0, verbose_name="position")),
                (
                    "is_initial",
                    models.BooleanField(default=False, verbose_name="orders start here"),
                ),
                (
                    "meaning",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "ordinary step"),
                            ("delivered", "delivered to the customer"),
                            ("cancelled", "cancelled"),
                        ],
                        default="",
                        max_length=20,
                        verbose_name="meaning",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "allowed_next",
                    models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        to="sales.orderstatus",
                        verbose_name="allowed next steps",
                    ),
                ),
            ],
            options={
                "verbose_name": "order status",
                "verbose_name_plural": "order statuses",
                "ordering": ["position", "id"],
            },
        ),
        migrations.CreateModel(
            name="Order",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("person_id", models.BigIntegerField(blank=True, null=True)),
                ("company_id", models.BigIntegerField(blank=True, null=True)),
                ("number", models.CharField(max_length=40, unique=True, verbose_name="number")),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("quote", "Accepted quote"),
                            ("call", "Call"),
                            ("showroom", "Showroom"),
                            ("api", "API"),
                        ],
                        max_length=10,
                        verbose_name="source",
                    ),
                ),
                (
                    "status_changed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="status since"
                    ),
                ),
                (
                    "expected_date",
                    models.DateField(blank=True, null=True, verbose_name="expected hand-over"),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[("ru", "Russian"), ("en", "English")],
                        default="ru",
                        max_length=8,
                        verbose_name="customer's language",
                    ),
                ),
                (
                    "currency",
                    models.CharField(default="RUB", max_length=3, verbose_name="currency"),
                ),
                (
                    "vat_rate",
                    models.DecimalField(decimal_places=2, max_digits=5, verbose_name="VAT rate, %"),
                ),
                (
                    "net_total",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=16, verbose_name="net"
                    ),
                ),
                (
                    "vat_total",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=16, verbose_name="VAT"
                    ),
                ),
                (
                    "gross_total",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=16, verbose_name="total"
                    ),
                ),
                ("notes", models.TextField(blank=True, verbose_name="notes")),
                ("vehicle_vin", models.CharField(blank=True, max_length=17, verbose_name="VIN")),
                ("delivered_asset_id", models.BigIntegerField(blank=True, null=True)),
                (
                    "delivered_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="delivered"),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
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
                    "created_by",
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
                        related_name="orders",
                        to="sales.deal",
                        verbose_name="deal",
                    ),
                ),
                (
                    "status",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="sales.orderstatus",
                        verbose_name="status",
                    ),
                ),
            ],
            options={
                "verbose_name": "order",
                "verbose_name_plural": "orders",
            },
        ),
        migrations.CreateModel(
            name="OrderStatusChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("note", models.CharField(blank=True, max_length=500, verbose_name="note")),
                (
                    "expected_date",
                    models.DateField(blank=True, null=True, verbose_name="expected hand-over"),
                ),
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
                    "from_status",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="sales.orderstatus",
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_changes",
                        to="sales.order",
                    ),
                ),
                (
                    "to_status",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="sales.orderstatus",
                    ),
                ),
            ],
            options={
                "verbose_name": "order status change",
                "verbose_name_plural": "order status changes",
                "ordering": ["at", "id"],
            },
        ),
        migrations.CreateModel(
            name="OrderStatusLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("nonce", models.CharField(max_length=64, unique=True)),
                ("issued_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                ("last_viewed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "issued_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_links",
                        to="sales.order",
                    ),
                ),
                (
                    "revoked_by",
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
                "verbose_name": "order status link",
                "verbose_name_plural": "order status links",
            },
        ),
        migrations.CreateModel(
            name="Quote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("person_id", models.BigIntegerField(blank=True, null=True)),
                ("company_id", models.BigIntegerField(blank=True, null=True)),
                ("number", models.CharField(max_length=40, verbose_name="number")),
                ("version", models.PositiveSmallIntegerField(default=1, verbose_name="version")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("sent", "Sent"),
                            ("accepted", "Accepted"),
                            ("declined", "Declined"),
                            ("expired", "Expired"),
                            ("superseded", "Superseded"),
                        ],
                        default="draft",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                (
                    "currency",
                    models.CharField(default="RUB", max_length=3, verbose_name="currency"),
                ),
                (
                    "vat_rate",
                    models.DecimalField(decimal_places=2, max_digits=5, verbose_name="VAT rate, %"),
                ),
                ("valid_until", models.DateField(verbose_name="valid until")),
                (
                    "language",
                    models.CharField(
                        choices=[("ru", "Russian"), ("en", "English")],
                        default="ru",
                        max_length=8,
                        verbose_name="language",
                    ),
                ),
                ("notes", models.TextField(blank=True, verbose_name="terms and notes")),
                (
                    "net_total",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=16, verbose_name="net"
                    ),
                ),
                (
                    "vat_total",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=16, verbose_name="VAT"
                    ),
                ),
                (
                    "gross_total",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=16, verbose_name="total"
                    ),
                ),
                ("document_id", models.BigIntegerField(blank=True, null=True)),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided")),
                (
                    "decline_reason",
                    models.CharField(blank=True, max_length=300, verbose_name="reason"),
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
                    "created_by",
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
                        related_name="quotes",
                        to="sales.deal",
                        verbose_name="deal",
                    ),
                ),
                (
                    "previous",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="next_version",
                        to="sales.quote",
                        verbose_name="revises",
                    ),
                ),
            ],
            options={
                "verbose_name": "quote",
                "verbose_name_plural": "quotes",
            },
        ),
        migrations.AddField(
            model_name="order",
            name="quote",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="order",
                to="sales.quote",
                verbose_name="quote",
            ),
        ),
        migrations.CreateModel(
            name="QuoteLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0, verbose_name="position")),
                ("sku", models.CharField(blank=True, max_length=64, verbose_name="SKU")),
                ("name", models.CharField(max_length=300, verbose_name="description")),
                ("is_vehicle", models.BooleanField(default=False, verbose_name="vehicle")),
                (
                    "configuration",
                    models.JSONField(blank=True, default=dict, verbose_name="configuration"),
                ),
                (
                    "quantity",
                    models.DecimalField(decimal_places=3, max_digits=12, verbose_name="quantity"),
                ),
                (
                    "unit_price",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="unit price"),
                ),
                (
                    "discount_percent",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0"),
                        max_digits=5,
                        verbose_name="discount, %",
                    ),
                ),
                (
                    "net_amount",
                    models.DecimalField(decimal_places=2, max_digits=16, verbose_name="net"),
                ),
                (
                    "vat_amount",
                    models.DecimalField(decimal_places=2, max_digits=16, verbose_name="VAT"),
                ),
                (
                    "gross_amount",
                    models.DecimalField(decimal_places=2, max_digits=16, verbose_name="gross"),
                ),
                (
                    "product",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="sales.product",
                        verbose_name="product",
                    ),
                ),
                (
                    "quote",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="sales.quote",
                    ),
                ),
            ],
            options={
                "verbose_name": "quote line",
                "verbose_name_plural": "quote lines",
                "ordering": ["position", "id"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="NumberSequence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("quote", "Quote"), ("order", "Order")], max_length=10
                    ),
                ),
                ("year", models.PositiveSmallIntegerField()),
                ("last", models.PositiveIntegerField(default=0)),
                (
                    "centre",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.centre",
                    ),
                ),
            ],
            options={
                "verbose_name": "number sequence",
                "verbose_name_plural": "number sequences",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("centre", "kind", "year"), name="number_sequence_once"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="OrderEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=100, unique=True)),
                ("name", models.CharField(max_length=60)),
                ("person_id", models.BigIntegerField(blank=True, null=True)),
                ("payload", models.JSONField(default=dict)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("claimed_at", models.DateTimeField(blank=True, null=True)),
                ("processed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="sales.order",
                    ),
                ),
            ],
            options={
                "verbose_name": "order event",
                "verbose_name_plural": "order events",
                "indexes": [
                    models.Index(
                        condition=models.Q(("processed_at__isnull", True)),
                        fields=["created_at", "id"],
                        name="order_event_pending",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="OrderLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0, verbose_name="position")),
                ("sku", models.CharField(blank=True, max_length=64, verbose_name="SKU")),
                ("name", models.CharField(max_length=300, verbose_name="description")),
                ("is_vehicle", models.BooleanField(default=False, verbose_name="vehicle")),
                (
                    "configuration",
                    models.JSONField(blank=True, default=dict, verbose_name="configuration"),
                ),
                (
                    "quantity",
                    models.DecimalField(decimal_places=3, max_digits=12, verbose_name="quantity"),
                ),
                (
                    "unit_price",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="unit price"),
                ),
                (
                    "discount_percent",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0"),
                        max_digits=5,
                        verbose_name="discount, %",
                    ),
                ),
                (
                    "net_amount",
                    models.DecimalField(decimal_places=2, max_digits=16, verbose_name="net"),
                ),
                (
                    "vat_amount",
                    models.DecimalField(decimal_places=2, max_digits=16, verbose_name="VAT"),
                ),
                (
                    "gross_amount",
                    models.DecimalField(decimal_places=2, max_digits=16, verbose_name="gross"),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="sales.order",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="sales.product",
                        verbose_name="product",
                    ),
                ),
            ],
            options={
                "verbose_name": "order line",
                "verbose_name_plural": "order lines",
                "ordering": ["position", "id"],
                "abstract": False,
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("quantity__gt", 0)), name="order_line_quantity_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("unit_price__gte", 0)),
                        name="order_line_price_not_negative",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("discount_percent__gte", 0), ("discount_percent__lte", 100)
                        ),
                        name="order_line_discount_0_100",
                    ),
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="orderstatus",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_initial", True)),
                fields=("is_initial",),
                name="order_status_one_initial",
            ),
        ),
        migrations.AddIndex(
            model_name="orderstatuschange",
            index=models.Index(fields=["order", "at"], name="order_status_change_order"),
        ),
        migrations.AddConstraint(
            model_name="orderstatuslink",
            constraint=models.UniqueConstraint(
                condition=models.Q(("revoked_at__isnull", True)),
                fields=("order",),
                name="order_one_live_link",
            ),
        ),
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(fields=["deal", "-created_at", "-id"], name="quote_deal_created"),
        ),
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(
                condition=models.Q(("status__in", ["draft", "sent"])),
                fields=["valid_until"],
                name="quote_open_valid_until",
            ),
        ),
        migrations.AddConstraint(
            model_name="quote",
            constraint=models.UniqueConstraint(
                fields=("number", "version"), name="quote_number_version"
            ),
        ),
        migrations.AddConstraint(
            model_name="quote",
            constraint=models.CheckConstraint(
                condition=models.Q(("vat_rate__gte", 0), ("vat_rate__lte", 100)),
                name="quote_vat_rate_0_100",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["deal", "-created_at"], name="order_deal_created"),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["-created_at", "-id"], name="order_created_keyset"),
        ),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.CheckConstraint(
                condition=models.Q(("vat_rate__gte", 0), ("vat_rate__lte", 100)),
                name="order_vat_rate_0_100",
            ),
        ),
        migrations.AddConstraint(
            model_name="quoteline",
            constraint=models.CheckConstraint(
                condition=models.Q(("quantity__gt", 0)), name="quote_line_quantity_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="quoteline",
            constraint=models.CheckConstraint(
                condition=models.Q(("unit_price__gte", 0)), name="quote_line_price_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="quoteline",
            constraint=models.CheckConstraint(
                condition=models.Q(("discount_percent__gte", 0), ("discount_percent__lte", 100)),
                name="quote_line_discount_0_100",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
