"""Sales models: the catalogue (categories, products, images, price lists) and the
configurator's data (option groups, options, option rules, saved configurations).

The catalogue is organisation data, not customer data: any signed-in user reads it,
editing needs the CONFIGURE right. Prices are Decimal with two places in the list's
currency; nothing here is customer-scoped except a saved configuration's person/deal ids.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Category",
    "Option",
    "OptionGroup",
    "OptionPrice",
    "OptionRule",
    "PriceList",
    "PriceListItem",
    "Product",
    "ProductImage",
    "SavedConfiguration",
]

NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class Category(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    class Kind(models.TextChoices):
        VEHICLE = "vehicle", _("Vehicle")
        ACCESSORY = "accessory", _("Accessory")
        SERVICE = "service", _("Service")
        PART = "part", _("Part")

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.VEHICLE)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
    )
    base_price = models.DecimalField(
        _("base price"), max_digits=14, decimal_places=2, validators=NON_NEGATIVE
    )
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    is_active = models.BooleanField(_("active"), default=True)
    # Shown on the public configurator only when set (a service or part is not configured online).
    is_public = models.BooleanField(_("on the public configurator"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            # catalogue browser: active products of a category / kind, in display order
            models.Index(fields=["category", "is_active", "position"], name="product_category"),
            models.Index(fields=["kind", "is_active", "position"], name="product_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class ProductImage(models.Model):
    """A picture of a product: an uploaded file (served by a view, not public media) or
    a path to a static file shipped with the app (demo catalogue)."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="images"
    )
    file = models.ImageField(_("file"), upload_to="catalogue/%Y/%m/", blank=True)
    static_path = models.CharField(_("static path"), max_length=300, blank=True)
    alt = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(static_path=""), name="product_image_has_source"
            )
        ]

    def __str__(self) -> str:
        return self.alt or f"{self.product_id}#{self.position}"


class PriceList(models.Model):
    """Prices for a period. A centre's list beats the network's (centre empty); among
    lists that apply on a date the highest priority wins, then the latest start."""

    name = models.CharField(_("name"), max_length=200)
    centre = models.ForeignKey(
        "core.Centre",
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="price_lists",
        help_text=_("Empty: the whole network."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    priority = models.IntegerField(_("priority"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-priority", "-valid_from", "name"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="price_list_period_ordered",
            )
        ]
        indexes = [
            # price resolution: the lists of a centre (or network) valid on a date
            models.Index(fields=["centre", "valid_from"], name="price_list_centre_from"),
        ]

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="list_prices"
    )
    price = models.DecimalField(
        _("price"), max_digits=14, decimal_places=2, validators=NON_NEGATIVE
    )

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        constraints = [
            models.UniqueConstraint(fields=["product", "price_list"], name="price_item_once"),
            models.CheckConstraint(condition=Q(price__gte=0), name="price_item_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} @ {self.price_list_id}: {self.price}"


class OptionGroup(models.Model):
    """One step of a product's configuration (trim, engine, colour, packages)."""

    class Selection(models.TextChoices):
        EXACTLY_ONE = "exactly_one", _("exactly one")
        AT_MOST_ONE = "at_most_one", _("at most one")
        ANY = "any", _("any number")

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="option_groups"
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    selection = models.CharField(
        _("selection rule"),
        max_length=20,
        choices=Selection.choices,
        default=Selection.EXACTLY_ONE,
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("option group")
        verbose_name_plural = _("option groups")
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="option_group_code_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Option(models.Model):
    group = models.ForeignKey(
        OptionGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="options"
    )
    # Denormalised from the group so a code is unique per product and a configuration
    # (product + codes) resolves in one indexed query.
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="options"
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    price_delta = models.DecimalField(
        _("price"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    image = models.ImageField(_("image"), upload_to="catalogue/options/%Y/%m/", blank=True)
    static_path = models.CharField(_("static image path"), max_length=300, blank=True)
    # A colour swatch for the configurator (#rrggbb), empty for anything else.
    swatch = models.CharField(_("swatch colour"), max_length=7, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="option_code_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class OptionPrice(models.Model):
    """An option's price in one price list; without one the option's own price applies."""

    price_list = models.ForeignKey(
        PriceList,
        verbose_name=_("price list"),
        on_delete=models.CASCADE,
        related_name="option_prices",
    )
    option = models.ForeignKey(
        Option, verbose_name=_("option"), on_delete=models.CASCADE, related_name="list_prices"
    )
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("option price")
        verbose_name_plural = _("option prices")
        constraints = [
            models.UniqueConstraint(fields=["option", "price_list"], name="option_price_once"),
        ]

    def __str__(self) -> str:
        return f"{self.option_id} @ {self.price_list_id}: {self.price}"


class OptionRule(models.Model):
    """`option` requires / excludes `target` (both of the same product).

    An exclusion works both ways; a requirement is satisfied by the target being chosen.
    """

    class Kind(models.TextChoices):
        REQUIRES = "requires", _("requires")
        EXCLUDES = "excludes", _("excludes")

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="option_rules"
    )
    option = models.ForeignKey(
        Option, verbose_name=_("option"), on_delete=models.CASCADE, related_name="rules"
    )
    kind = models.CharField(_("rule"), max_length=20, choices=Kind.choices)
    target = models.ForeignKey(
        Option, verbose_name=_("target option"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("option rule")
        verbose_name_plural = _("option rules")
        constraints = [
            models.UniqueConstraint(fields=["option", "kind", "target"], name="option_rule_once"),
            models.CheckConstraint(condition=~Q(option=models.F("target")), name="rule_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.option_id} {self.kind} {self.target_id}"


class SavedConfiguration(models.Model):
    """A priced, valid configuration kept as it was priced: for a deal line, or a
    visitor's request from the public page (the reference shown on the thank-you page)."""

    class Source(models.TextChoices):
        CRM = "crm", _("CRM")
        PUBLIC = "public", _("public configurator")
        API = "api", _("API")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    option_codes = models.JSONField(_("options"), default=list)
    centre = models.ForeignKey(
        "core.Centre", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    price_list = models.ForeignKey(
        PriceList, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    breakdown = models.JSONField(_("price breakdown"), default=dict)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # Ids, not foreign keys: the person lives in parties and the deal in a later slot;
    # this app reaches them through their services.
    person_id = models.BigIntegerField(null=True, blank=True)
    deal_id = models.BigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("saved configuration")
        verbose_name_plural = _("saved configurations")
        indexes = [models.Index(fields=["deal_id"], name="saved_config_deal")]

    def __str__(self) -> str:
        return self.reference
