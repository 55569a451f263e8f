from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import Centre, User
from sputnik.core.roles import Scope

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class Stage(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    REPEAT = "repeat", _("Repeat customer")
    LOST = "lost", _("Lost")


class Source(models.TextChoices):
    SHOWROOM = "showroom", _("Showroom visit")
    CALL = "call", _("Call")
    WEB_FORM = "web_form", _("Web form")
    EVENT = "event", _("Event")
    REFERRAL = "referral", _("Referral")
    IMPORT = "import", _("Import")
    OTHER = "other", _("Other")


class FamilyStatus(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    SINGLE = "single", _("Single")
    MARRIED = "married", _("Married")
    PARTNER = "partner", _("In a relationship")
    DIVORCED = "divorced", _("Divorced")
    WIDOWED = "widowed", _("Widowed")


def scope_filter(actor: User | None) -> dict[str, Any] | None:
    """The record-level visibility ladder (own → centre → all) as column equalities.

    None: the actor sees nothing; {}: everything; otherwise the columns a visible record
    must match. The one statement of the rule: querysets and the raw lookup use it.
    """
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return None
    scope = actor.scope
    if scope == Scope.ALL:
        return {}
    if scope == Scope.CENTRE:
        return {"centre_id": actor.centre_id} if actor.centre_id else None
    return {"owner_id": actor.pk}


class VisibleQuerySet(models.QuerySet):
    """Record-level visibility: the ladder own → centre → all, by the actor's role."""

    def visible_to(self, actor: User):  # type: ignore[no-untyped-def]
        rule = scope_filter(actor)
        return self.none() if rule is None else self.filter(**rule)


class Interest(models.Model):
    """A managed vocabulary of interests and hobbies (fishing, hunting, off-road…)."""

    slug = models.SlugField(unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("interest")
        verbose_name_plural = _("interests")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_ru if (get_language() or "ru").startswith("ru") else self.name_en


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Party(models.Model):
    """What persons and companies share: ownership, centre, source, custom fields."""

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
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.OTHER
    )
    source_campaign = models.CharField(_("campaign"), max_length=200, blank=True)
    utm_source = models.CharField("utm_source", max_length=200, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=200, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=200, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    # The record's id in the system it came from (1C, a dealer DMS…): imports match on it.
    # db_default too, so bulk COPY paths that do not name the column stay valid.
    external_id = models.CharField(
        _("external id"), max_length=100, blank=True, default="", db_default=""
    )
    # The import that created the record (undo removes exactly these); no index: only undo reads it.
    import_batch = models.ForeignKey(
        "parties.ImportBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,
    )
    search_name = models.CharField(max_length=400, editable=False, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        abstract = True


class Company(Party):
    name = models.CharField(_("name"), max_length=300)
    inn = models.CharField(_("INN"), max_length=12, blank=True)
    industry = models.CharField(_("industry"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)

    if TYPE_CHECKING:
        contacts: RelatedManager[ContactPoint]

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [
            models.Index(fields=["search_name", "id"], name="company_name_keyset"),
            models.Index(fields=["centre", "search_name", "id"], name="company_centre_name"),
            models.Index(fields=["owner", "search_name", "id"], name="company_owner_name"),
            models.Index(fields=["inn"], name="company_inn"),
            models.Index(
                fields=["external_id"], name="company_external_id", condition=~Q(external_id="")
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.name


class Person(Party):
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.PROSPECT
    )
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    family_status = models.CharField(
        _("family status"), max_length=20, choices=FamilyStatus.choices, blank=True, default=""
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    employer = models.ForeignKey(
        Company,
        verbose_name=_("employer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employees",
    )
    wishes = models.TextField(_("wishes and plans"), blank=True)
    is_vip = models.BooleanField(_("VIP"), default=False)
    interests = models.ManyToManyField(
        Interest, verbose_name=_("interests"), blank=True, related_name="persons"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="persons")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            # list sorted by name, all / per centre / per owner (keyset)
            models.Index(fields=["search_name", "id"], name="person_name_keyset"),
            models.Index(fields=["centre", "search_name", "id"], name="person_centre_name"),
            models.Index(fields=["owner", "search_name", "id"], name="person_owner_name"),
            # list sorted by newest
            models.Index(fields=["created_at", "id"], name="person_created_keyset"),
            models.Index(fields=["stage", "search_name", "id"], name="person_stage_name"),
            # import matching by the source system's id
            models.Index(
                fields=["external_id"], name="person_external_id", condition=~Q(external_id="")
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


class ContactPoint(models.Model):
    """A phone (E.164), e-mail (folded) or messenger/social handle of a person or company."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        MESSENGER = "messenger", _("Messenger")
        SOCIAL = "social", _("Social network")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=254)
    label = models.CharField(_("label"), max_length=50, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            # lookup by phone / e-mail (exact, normalised)
            models.Index(fields=["value", "kind"], name="contact_lookup"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False, company__isnull=True)
                | Q(person__isnull=True, company__isnull=False),
                name="contact_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.value

    @property
    def display(self) -> str:
        if self.kind == self.Kind.PHONE:
            from sputnik.core.normalize import format_phone

            return format_phone(self.value)
        return self.value


class Address(models.Model):
    class Kind(models.TextChoices):
        HOME = "home", _("Home")
        WORK = "work", _("Work")
        LEGAL = "legal", _("Legal")
        OTHER = "other", _("Other")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="addresses"
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, null=True, blank=True, related_name="addresses"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.HOME)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    street = models.CharField(_("street, house, flat"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return ", ".join(p for p in (self.postcode, self.region, self.city, self.street) if p)


class ImportantDate(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="important_dates")
    label = models.CharField(_("label"), max_length=100)
    date = models.DateField(_("date"))
    yearly = models.BooleanField(_("every year"), default=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("important date")
        verbose_name_plural = _("important dates")

    def __str__(self) -> str:
        return f"{self.label}: {self.date}"


class CompanyRole(models.Model):
    """A person's role at a company (director, fleet manager, accountant…)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="company_roles")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="person_roles")
    title = models.CharField(_("role"), max_length=200)

    class Meta:
        verbose_name = _("role at company")
        verbose_name_plural = _("roles at companies")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "company", "title"], name="company_role_unique"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Relation(models.Model):
    """Person ↔ person. Symmetric kinds read the same both ways; referred_by does not."""

    class Kind(models.TextChoices):
        SPOUSE = "spouse", _("Spouse")
        FAMILY = "family", _("Family")
        FRIEND = "friend", _("Friend")
        COLLEAGUE = "colleague", _("Colleague")
        REFERRED_BY = "referred_by", _("Referred by")

    SYMMETRIC = {Kind.SPOUSE, Kind.FAMILY, Kind.FRIEND, Kind.COLLEAGUE}

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relations_from")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relations_to")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        constraints = [
            models.UniqueConstraint(fields=["person", "other", "kind"], name="relation_unique"),
            models.CheckConstraint(
                condition=~Q(person=models.F("other")), name="relation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Asset(models.Model):
    """Something a customer owns and uses; for the dealer, a vehicle."""

    class Kind(models.TextChoices):
        VEHICLE = "vehicle", _("Vehicle")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assets")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.VEHICLE)
    make = models.CharField(_("make"), max_length=100)
    model = models.CharField(_("model"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    vin = models.CharField("VIN", max_length=17, blank=True)
    plate = models.CharField(_("registration plate"), max_length=20, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    mileage_km = models.PositiveIntegerField(_("mileage, km"), null=True, blank=True)
    last_service_date = models.DateField(_("last service"), null=True, blank=True)
    disposed_at = models.DateField(_("disposed"), null=True, blank=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        indexes = [models.Index(fields=["vin"], name="asset_vin")]
        constraints = [
            # One current owner per vehicle; sold-on vehicles keep their history.
            models.UniqueConstraint(
                fields=["vin"],
                condition=Q(disposed_at__isnull=True) & ~Q(vin=""),
                name="asset_vin_current_unique",
            ),
        ]

    def __str__(self) -> str:
        return " ".join(str(p) for p in (self.make, self.model, self.year) if p)


class StageChange(models.Model):
    """The lifecycle stage history of a person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="stage_change_person")]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"


class Consent(models.Model):
    """One grant of permission to use a person's data for a purpose through a channel.

    A grant is never edited: withdrawal stamps it, and consenting again adds a new row,
    so the record proves what was allowed at any moment (152-FZ, GDPR). Advertising is a
    purpose of its own.
    """

    class Purpose(models.TextChoices):
        PERSONAL_DATA = "personal_data", _("Processing of personal data")
        MARKETING = "marketing", _("Marketing")
        ADVERTISING = "advertising", _("Advertising")
        SERVICE = "service", _("Service messages")
        ANALYTICS = "analytics", _("Analytics")

    class Channel(models.TextChoices):
        ANY = "any", _("Any channel")
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        PHONE = "phone", _("Phone")
        POST = "post", _("Post")
        MESSENGER = "messenger", _("Messenger")

    class Source(models.TextChoices):
        SIGNED_FORM = "signed_form", _("Signed form")
        WEB_FORM = "web_form", _("Web form")
        CALL = "call", _("Call recording")
        IMPORT = "import", _("Import")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    wording_version = models.CharField(_("wording version"), max_length=50)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_source = models.CharField(_("withdrawal source"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [
            # "may we contact this person on this channel for this purpose now"
            models.Index(fields=["person", "purpose", "channel"], name="consent_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.get_channel_display()}"


# Areas that grew their own modules; imported last because they refer to the models above.
from sputnik.parties.models.dedup import *  # noqa: E402, F403
from sputnik.parties.models.distribution import *  # noqa: E402, F403
from sputnik.parties.models.imports import *  # noqa: E402, F403
