"""Sales models: quotes (commercial proposals) and orders, with their numbering, the
configurable order-status workflow, the customer's status link and the outbox of
order events that the messaging issue turns into SMS and e-mail.

Money is Decimal with two places (kopecks). Every priced line stores its own net, VAT
and gross amounts rounded to kopecks (ROUND_HALF_UP), and a document's totals are the
sums of its rounded lines, so the PDF, the page and the API add up to the same figures.
Quote and order lines are snapshots: a later price-list change never alters a quote
that was sent.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

__all__ = [
    "NumberPrefix",
    "NumberSequence",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderStatus",
    "OrderStatusChange",
    "OrderStatusLink",
    "Quote",
    "QuoteLine",
]


class NumberPrefix(models.Model):
    """The short code of a centre in document numbers ("МСК" in "МСК-2026-00042").

    Created on a centre's first document from its city and editable in the admin; unique,
    so two centres' numbers never read alike.
    """

    centre = models.OneToOneField(
        "core.Centre", verbose_name=_("centre"), on_delete=models.CASCADE, related_name="+"
    )
    prefix = models.CharField(_("prefix"), max_length=10, unique=True)

    class Meta:
        verbose_name = _("number prefix")
        verbose_name_plural = _("number prefixes")

    def __str__(self) -> str:
        return self.prefix


class NumberSequence(models.Model):
    """The last number given per centre, kind of document and year.

    The row is locked (SELECT … FOR UPDATE) by the transaction that creates the document,
    so numbers have no gaps and no duplicates: a rolled-back creation rolls the counter
    back with it.
    """

    class Kind(models.TextChoices):
        QUOTE = "quote", _("Quote")
        ORDER = "order", _("Order")

    centre = models.ForeignKey("core.Centre", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(fields=["centre", "kind", "year"], name="number_sequence_once")
        ]

    def __str__(self) -> str:
        return f"{self.centre_id}/{self.kind}/{self.year}: {self.last}"


class PricedLine(models.Model):
    """A product or configuration with quantity, unit price (net of VAT) and discount."""

    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        "sales.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sku = models.CharField(_("SKU"), max_length=64, blank=True)
    name = models.CharField(_("description"), max_length=300)
    is_vehicle = models.BooleanField(_("vehicle"), default=False)
    # The configurator's choice as it was priced: {"reference", "options": [{code, name, price}]}.
    configuration = models.JSONField(_("configuration"), default=dict, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    discount_percent = models.DecimalField(
        _("discount, %"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    net_amount = models.DecimalField(_("net"), max_digits=16, decimal_places=2)
    vat_amount = models.DecimalField(_("VAT"), max_digits=16, decimal_places=2)
    gross_amount = models.DecimalField(_("gross"), max_digits=16, decimal_places=2)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"

    @property
    def option_names(self) -> list[str]:
        return [str(o.get("name") or o.get("code")) for o in self.configuration.get("options", [])]


def _line_checks(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(condition=Q(quantity__gt=0), name=f"{prefix}_quantity_positive"),
        models.CheckConstraint(condition=Q(unit_price__gte=0), name=f"{prefix}_price_not_negative"),
        models.CheckConstraint(
            condition=Q(discount_percent__gte=0, discount_percent__lte=100),
            name=f"{prefix}_discount_0_100",
        ),
    ]


class Quote(models.Model):
    """One version of a commercial proposal for a deal.

    Revising a quote creates the next version under the same number and marks the old one
    superseded; a superseded, accepted, declined or expired version is read-only.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Superseded")

    # A deal's quotes and orders go with it: deleting or erasing a customer removes their
    # deals (parties → deals cascade), and nothing may keep their documents behind.
    deal = models.ForeignKey(
        "sales.Deal", verbose_name=_("deal"), on_delete=models.CASCADE, related_name="quotes"
    )
    centre = models.ForeignKey(
        "core.Centre", verbose_name=_("centre"), on_delete=models.PROTECT, related_name="+"
    )
    # Copied from the deal for the timeline and documents (ids: parties is another app).
    person_id = models.BigIntegerField(null=True, blank=True)
    company_id = models.BigIntegerField(null=True, blank=True)
    number = models.CharField(_("number"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("revises"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_version",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    vat_rate = models.DecimalField(_("VAT rate, %"), max_digits=5, decimal_places=2)
    valid_until = models.DateField(_("valid until"))
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="ru"
    )
    notes = models.TextField(_("terms and notes"), blank=True)
    net_total = models.DecimalField(_("net"), max_digits=16, decimal_places=2, default=0)
    vat_total = models.DecimalField(_("VAT"), max_digits=16, decimal_places=2, default=0)
    gross_total = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=0)
    # The latest PDF stored in the documents app (an id: documents is another app).
    document_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=300, blank=True)

    EDITABLE = frozenset({Status.DRAFT})
    OPEN = frozenset({Status.DRAFT, Status.SENT})

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints = [
            models.UniqueConstraint(fields=["number", "version"], name="quote_number_version"),
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0, vat_rate__lte=100), name="quote_vat_rate_0_100"
            ),
        ]
        indexes = [
            # a deal's quotes, newest first
            models.Index(fields=["deal", "-created_at", "-id"], name="quote_deal_created"),
            # the nightly expiry sweep over open quotes
            models.Index(
                fields=["valid_until"],
                name="quote_open_valid_until",
                condition=Q(status__in=["draft", "sent"]),
            ),
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return self.number if self.version == 1 else f"{self.number}/{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_expired_now(self) -> bool:
        return self.status in self.OPEN and self.valid_until < timezone.localdate()


class QuoteLine(PricedLine):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")

    class Meta(PricedLine.Meta):
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = _line_checks("quote_line")


class OrderStatus(models.Model):
    """One step of the order workflow, with the steps allowed after it.

    The workflow is data the company configures in the admin; what the code relies on is
    the meaning of a step: the one orders start in, "delivered" (hand-over: trade-in
    completes, the vehicle joins the customer's assets) and "cancelled".
    """

    class Meaning(models.TextChoices):
        NORMAL = "", _("ordinary step")
        DELIVERED = "delivered", _("delivered to the customer")
        CANCELLED = "cancelled", _("cancelled")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    # What the customer reads on the status page under the step's name.
    description_ru = models.CharField(_("description (Russian)"), max_length=300, blank=True)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_initial = models.BooleanField(_("orders start here"), default=False)
    meaning = models.CharField(
        _("meaning"), max_length=20, choices=Meaning.choices, blank=True, default=""
    )
    allowed_next = models.ManyToManyField(
        "self",
        verbose_name=_("allowed next steps"),
        symmetrical=False,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("order status")
        verbose_name_plural = _("order statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["is_initial"], condition=Q(is_initial=True), name="order_status_one_initial"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        return self.name_ru if language.startswith("ru") else self.name_en

    def description_in(self, language: str) -> str:
        return self.description_ru if language.startswith("ru") else self.description_en

    @property
    def name(self) -> str:
        return self.name_in(get_language() or "ru")

    @property
    def is_final(self) -> bool:
        return self.meaning in (self.Meaning.DELIVERED, self.Meaning.CANCELLED)


class Order(models.Model):
    """A customer's order: from an accepted quote or taken directly (e.g. during a call)."""

    class Source(models.TextChoices):
        QUOTE = "quote", _("Accepted quote")
        CALL = "call", _("Call")
        SHOWROOM = "showroom", _("Showroom")
        API = "api", _("API")

    deal = models.ForeignKey(
        "sales.Deal", verbose_name=_("deal"), on_delete=models.CASCADE, related_name="orders"
    )
    quote = models.OneToOneField(
        Quote,
        verbose_name=_("quote"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="order",
    )
    centre = models.ForeignKey(
        "core.Centre", verbose_name=_("centre"), on_delete=models.PROTECT, related_name="+"
    )
    person_id = models.BigIntegerField(null=True, blank=True)
    company_id = models.BigIntegerField(null=True, blank=True)
    number = models.CharField(_("number"), max_length=40, unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    status = models.ForeignKey(
        OrderStatus, verbose_name=_("status"), on_delete=models.PROTECT, related_name="+"
    )
    status_changed_at = models.DateTimeField(_("status since"), default=timezone.now)
    expected_date = models.DateField(_("expected hand-over"), null=True, blank=True)
    # The customer's language for the status page and the messages about this order.
    language = models.CharField(
        _("customer's language"), max_length=8, choices=settings.LANGUAGES, default="ru"
    )
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    vat_rate = models.DecimalField(_("VAT rate, %"), max_digits=5, decimal_places=2)
    net_total = models.DecimalField(_("net"), max_digits=16, decimal_places=2, default=0)
    vat_total = models.DecimalField(_("VAT"), max_digits=16, decimal_places=2, default=0)
    gross_total = models.DecimalField(_("total"), max_digits=16, decimal_places=2, default=0)
    notes = models.TextField(_("notes"), blank=True)
    vehicle_vin = models.CharField("VIN", max_length=17, blank=True)
    # The vehicle added to the customer's assets on delivery (parties app: an id).
    delivered_asset_id = models.BigIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0, vat_rate__lte=100), name="order_vat_rate_0_100"
            ),
        ]
        indexes = [
            # a deal's orders; the order list, newest first (keyset)
            models.Index(fields=["deal", "-created_at"], name="order_deal_created"),
            models.Index(fields=["-created_at", "-id"], name="order_created_keyset"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(PricedLine):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")

    class Meta(PricedLine.Meta):
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = _line_checks("order_line")


class OrderStatusChange(models.Model):
    """One step of an order's history: from, to, when, who, and an internal note."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.ForeignKey(
        OrderStatus, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_status = models.ForeignKey(OrderStatus, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Staff-only: never shown on the customer's page (it may name people or prices).
    note = models.CharField(_("note"), max_length=500, blank=True)
    expected_date = models.DateField(_("expected hand-over"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("order status change")
        verbose_name_plural = _("order status changes")
        indexes = [models.Index(fields=["order", "at"], name="order_status_change_order")]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status_id} → {self.to_status_id}"


class OrderStatusLink(models.Model):
    """The customer's link to the order-status page.

    The link carries a random nonce signed with the site's key (django.core.signing);
    the nonce is looked up, the signature proves the link came from us, so a leaked
    database alone yields no working link and staff can show the link again later.
    Revoking stamps the row; re-issuing adds a new row with a new nonce.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_links")
    nonce = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order status link")
        verbose_name_plural = _("order status links")
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(revoked_at__isnull=True), name="order_one_live_link"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} ({'revoked' if self.revoked_at else 'live'})"


class OrderEvent(models.Model):
    """Outbox of order domain events (`order.status_changed`), one row per event.

    Written in the transaction of the change, so an event exists exactly when its change
    does. The messaging channel claims rows with `select_for_update(skip_locked=True)`,
    checks consent at claim time, sends, and stamps `processed_at`; `key` makes each event
    unique (idempotency for the sender).
    """

    key = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=60)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    person_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        indexes = [
            # the sender's queue: unprocessed events, oldest first
            models.Index(
                fields=["created_at", "id"],
                name="order_event_pending",
                condition=Q(processed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.key
