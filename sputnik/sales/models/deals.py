"""Sales models: pipelines, stages, lost reasons, deals, their lines, stage history and
trade-in.

A deal lives in one pipeline and one of its stages; the stage's kind (open, won, lost)
is copied onto the deal as `status`, so lists and totals filter one column of the deal
instead of joining the stage. Visibility follows the parties ladder on the deal's own
`centre` and `owner` (see sputnik/sales/selectors/deals.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import Centre, User

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

__all__ = [
    "Deal",
    "DealLine",
    "DealSource",
    "DealStageChange",
    "LostReason",
    "Pipeline",
    "PipelineStage",
    "StageKind",
    "TradeIn",
]


def _localised(name_ru: str, name_en: str) -> str:
    return name_ru if (get_language() or "ru").startswith("ru") else (name_en or name_ru)


class Pipeline(models.Model):
    """A sales process: new cars, used cars, service, accessories… (configured in the admin)."""

    class Kind(models.TextChoices):
        NEW_CARS = "new_cars", _("New cars")
        USED_CARS = "used_cars", _("Used cars")
        SERVICE = "service", _("Service")
        ACCESSORIES = "accessories", _("Accessories")
        OTHER = "other", _("Other")

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    position = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    if TYPE_CHECKING:
        stages: RelatedManager[PipelineStage]

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self.name_ru, self.name_en)


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class PipelineStage(models.Model):
    """An ordered step of a pipeline with its default probability and the rules for
    entering it (checked by `deal_move`)."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    position = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=StageKind.choices)
    probability = models.PositiveSmallIntegerField(
        _("default probability, %"), default=10, validators=[MaxValueValidator(100)]
    )
    requires_lines = models.BooleanField(
        _("requires product lines"), default=False, help_text=_("A deal enters only with lines.")
    )
    requires_amount = models.BooleanField(
        _("requires an amount"), default=False, help_text=_("A deal enters only with an amount.")
    )
    requires_expected_close = models.BooleanField(
        _("requires an expected close date"), default=False
    )
    requires_trade_in_appraisal = models.BooleanField(
        _("requires the trade-in appraisal"),
        default=False,
        help_text=_("A deal carrying a trade-in vehicle enters only once it is appraised."),
    )

    class Meta:
        ordering = ["pipeline", "position", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__lte=100), name="pipeline_stage_probability_range"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self.name_ru, self.name_en)

    @property
    def is_closed(self) -> bool:
        return self.kind != StageKind.OPEN


class LostReason(models.Model):
    """The managed list of why deals are lost."""

    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    position = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self.name_ru, self.name_en)


class DealSource(models.TextChoices):
    SHOWROOM = "showroom", _("Showroom visit")
    CALL = "call", _("Call")
    WEB_FORM = "web_form", _("Web form")
    CONFIGURATOR = "configurator", _("Online configurator")
    EVENT = "event", _("Event")
    REFERRAL = "referral", _("Referral")
    REPEAT = "repeat", _("Repeat customer")
    OTHER = "other", _("Other")


class Deal(models.Model):
    """An opportunity: who buys what, where it stands in its pipeline, how it ended."""

    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="deals"
    )
    stage = models.ForeignKey(
        PipelineStage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals"
    )
    # Copied from the stage's kind on every move: lists and totals filter the deal alone.
    status = models.CharField(
        _("status"), max_length=10, choices=StageKind.choices, default=StageKind.OPEN
    )
    person = models.ForeignKey(
        "parties.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deals",
    )
    company = models.ForeignKey(
        "parties.Company",
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deals",
    )
    centre = models.ForeignKey(
        Centre, verbose_name=_("centre"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        User,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal(0))
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    probability = models.PositiveSmallIntegerField(
        _("probability, %"), default=0, validators=[MaxValueValidator(100)]
    )
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=DealSource.choices, default=DealSource.OTHER
    )
    lost_reason = models.ForeignKey(
        LostReason,
        verbose_name=_("lost reason"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lost_note = models.CharField(_("lost note"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # When the customer received what the deal sold (see services.tradein.tradein_complete).
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    # Order of the card in its board column (ascending). A card entering a column gets
    # minus the epoch seconds of that moment, so the newest arrival is on top without
    # reading the column; a drop between two cards takes the midpoint of their ranks.
    rank = models.FloatField(default=0.0)
    stage_entered_at = models.DateTimeField(_("in stage since"), default=timezone.now)
    # The position of the furthest open or won stage the deal ever entered, kept by
    # deal_move: the sales funnel counts deals per furthest step from the deal row alone
    # instead of grouping millions of stage-history rows (6 s → well under 1 s at 1M deals).
    furthest_position = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    if TYPE_CHECKING:
        lines: RelatedManager[DealLine]
        stage_changes: RelatedManager[DealStageChange]
        trade_in: TradeIn

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [
            # board column cards (first N by rank) and per-column totals, by scope
            models.Index(fields=["centre", "stage", "rank", "id"], name="deal_board_centre"),
            models.Index(fields=["owner", "stage", "rank", "id"], name="deal_board_owner"),
            models.Index(fields=["stage", "rank", "id"], name="deal_board_all"),
            # deals list, newest first, by scope (keyset)
            models.Index(fields=["centre", "-created_at", "-id"], name="deal_list_centre"),
            models.Index(fields=["owner", "-created_at", "-id"], name="deal_list_owner"),
            models.Index(fields=["-created_at", "-id"], name="deal_list_all"),
            # sales analytics (sputnik/analytics/selectors.py): each report reads one of
            # these three without visiting the table (covering, by period)
            models.Index(
                fields=["pipeline", "created_at"],
                include=["furthest_position", "centre", "owner"],
                name="deal_funnel",
            ),
            models.Index(
                fields=["expected_close"],
                include=["amount", "probability", "pipeline", "centre", "owner"],
                condition=Q(status="open"),
                name="deal_forecast",
            ),
            models.Index(
                fields=["closed_at"],
                include=["status", "amount", "created_at", "pipeline", "centre", "owner"],
                condition=Q(status__in=["won", "lost"]),
                name="deal_closed",
            ),
            # the deals panel of a person's / company's card
            models.Index(fields=["person", "-created_at"], name="deal_person"),
            models.Index(
                fields=["company", "-created_at"],
                name="deal_company",
                condition=Q(company__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(company__isnull=False),
                name="deal_has_customer",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_not_negative"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="deal_probability"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status != StageKind.OPEN

    @property
    def weighted_amount(self) -> Decimal:
        return (self.amount * self.probability / 100).quantize(Decimal("0.01"))


class DealLine(models.Model):
    """A product line of a deal: from the catalogue or free text, with its configuration."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "sales.Product",
        verbose_name=_("product"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=3,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    discount_pct = models.DecimalField(
        _("discount, %"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    position = models.PositiveIntegerField(_("order"), default=0)
    # The vehicle delivered on this line, when known: on delivery it becomes the
    # customer's asset (trade-in flow).
    vin = models.CharField("VIN", max_length=17, blank=True)
    configuration = models.JSONField(_("configuration"), default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("deal line")
        verbose_name_plural = _("deal lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="deal_line_quantity"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="deal_line_price"),
            models.CheckConstraint(
                condition=Q(discount_pct__gte=0) & Q(discount_pct__lte=100),
                name="deal_line_discount",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class DealStageChange(models.Model):
    """One stay of a deal in a stage: when it entered and when it left (None: still there)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        PipelineStage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stage = models.ForeignKey(
        PipelineStage, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    entered_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["entered_at", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [
            models.Index(fields=["deal", "entered_at"], name="deal_stage_history"),
            # time in stage (analytics): the stays of a stage that ended in a period,
            # answered from the index alone; it also serves the stage's foreign key
            models.Index(
                fields=["stage", "left_at"], include=["entered_at", "deal"], name="deal_stay_ended"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage_id} → {self.stage_id}"

    @property
    def duration(self):  # type: ignore[no-untyped-def]
        return (self.left_at or timezone.now()) - self.entered_at


class TradeIn(models.Model):
    """The customer's current vehicle offered in part-exchange, with its appraisal.

    On completion (the deal's car is handed over) the traded vehicle leaves the
    customer's assets and the new one, when its VIN is known, is added.
    """

    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="trade_in")
    asset = models.ForeignKey(
        "parties.Asset",
        verbose_name=_("vehicle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The vehicle as it was when offered, so the deal still reads right after the asset
    # is disposed of or removed.
    vehicle_label = models.CharField(_("vehicle"), max_length=200, blank=True)
    appraised_value = models.DecimalField(
        _("appraised value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    appraised_on = models.DateField(_("appraised on"), null=True, blank=True)
    appraiser = models.ForeignKey(
        User,
        verbose_name=_("appraiser"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    new_asset = models.ForeignKey(
        "parties.Asset",
        verbose_name=_("new vehicle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("trade-in")
        verbose_name_plural = _("trade-ins")
        constraints = [
            models.CheckConstraint(
                condition=Q(appraised_value__isnull=True) | Q(appraised_value__gte=0),
                name="trade_in_value_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.vehicle_label

    @property
    def is_appraised(self) -> bool:
        return self.appraised_value is not None and self.appraised_on is not None
