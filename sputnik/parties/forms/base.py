"""Web forms for persons and companies.

The forms collect input and shape it for the services; the services validate it
(phones, e-mails, VINs, custom fields) and their per-field errors are mapped back
onto these fields, so one set of messages serves the web UI and the API.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sputnik.core.custom_fields import definitions
from sputnik.core.models import Centre, CustomFieldDefinition, User
from sputnik.parties.models import (
    Address,
    Asset,
    Company,
    ContactPoint,
    FamilyStatus,
    Interest,
    Person,
    Relation,
    Source,
    Stage,
)
from sputnik.web.forms import BootstrapFormMixin

MAX_ROWS = 20
DEFAULT_ROWS = 3

# Service error keys → form field names ("phones.0" → "phone_0").
PERSON_ERROR_MAP = {
    "phones.*": "phone_",
    "emails.*": "email_",
    "handles.*": "handle_",
    "custom.*": "cf_",
    "employer_id": "employer",
    "centre_id": "centre",
    "owner_id": "owner",
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _rows_in(data: Any, prefix: str, existing: int) -> int:
    """How many numbered rows (`phone_0`, `phone_1`…) to show: enough for the data, capped."""
    count = max(DEFAULT_ROWS, existing + 1)
    if data is not None:
        pattern = re.compile(rf"^{re.escape(prefix)}(\d{{1,2}})$")
        for key in data:
            match = pattern.match(key)
            if match:
                count = max(count, int(match.group(1)) + 1)
    return min(count, MAX_ROWS)


def custom_form_field(defn: CustomFieldDefinition, *, for_filter: bool = False) -> forms.Field:
    """A form field for a custom field definition; values are validated by the service."""
    Type = CustomFieldDefinition.Type
    label = defn.label
    if defn.type in (Type.BOOLEAN, Type.CHOICE):
        choices: list[tuple[str, Any]]
        if defn.type == Type.BOOLEAN:
            choices = [("", "—"), ("true", _("Yes")), ("false", _("No"))]
        else:
            choices = [("", "—")] + [(str(c), str(c)) for c in defn.choices or []]
        return forms.CharField(label=label, required=False, widget=forms.Select(choices=choices))
    if defn.type == Type.DATE:
        return forms.CharField(label=label, required=False, widget=DateInput())
    if defn.type in (Type.INTEGER, Type.DECIMAL):
        return forms.CharField(
            label=label,
            required=False,
            widget=forms.TextInput(
                attrs={"inputmode": "numeric" if defn.type == Type.INTEGER else "decimal"}
            ),
        )
    widget = forms.TextInput() if for_filter else forms.TextInput(attrs={"maxlength": 1000})
    return forms.CharField(label=label, required=False, widget=widget)


def custom_initial(defn: CustomFieldDefinition, value: Any) -> Any:
    if value is None:
        return ""
    if defn.type == CustomFieldDefinition.Type.BOOLEAN:
        return "true" if value else "false"
    return str(value)


class PartyFormBase(BootstrapFormMixin, forms.Form):
    """Contact rows and custom fields shared by person and company forms."""

    entity = "person"
    with_handles = True

    def __init__(
        self,
        *args: Any,
        actor: User,
        instance: Person | Company | None = None,
        **kwargs: Any,
    ) -> None:
        self.actor = actor
        self.instance = instance
        contacts = list(instance.contacts.all()) if instance is not None else []
        initial = kwargs.setdefault("initial", {})
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else None

        phones = [c for c in contacts if c.kind == ContactPoint.Kind.PHONE]
        emails = [c for c in contacts if c.kind == ContactPoint.Kind.EMAIL]
        handles = [
            c for c in contacts if c.kind in (ContactPoint.Kind.MESSENGER, ContactPoint.Kind.SOCIAL)
        ]
        phones.sort(key=lambda c: (not c.is_primary, c.pk or 0))
        emails.sort(key=lambda c: (not c.is_primary, c.pk or 0))

        self.phone_rows = _rows_in(data, "phone_", len(phones))
        for i in range(self.phone_rows):
            self.fields[f"phone_{i}"] = forms.CharField(
                label=_("Phone"),
                required=False,
                max_length=40,
                widget=forms.TextInput(
                    attrs={"type": "tel", "autocomplete": "off", "placeholder": "+7 912 345-67-89"}
                ),
            )
            if i < len(phones):
                initial[f"phone_{i}"] = phones[i].display
        self.email_rows = _rows_in(data, "email_", len(emails))
        for i in range(self.email_rows):
            self.fields[f"email_{i}"] = forms.CharField(
                label=_("E-mail"),
                required=False,
                max_length=254,
                widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
            )
            if i < len(emails):
                initial[f"email_{i}"] = emails[i].value
        self.handle_rows = 0
        if self.with_handles:
            self.handle_rows = _rows_in(data, "handle_", len(handles))
            kind_choices = [
                (ContactPoint.Kind.MESSENGER, ContactPoint.Kind.MESSENGER.label),
                (ContactPoint.Kind.SOCIAL, ContactPoint.Kind.SOCIAL.label),
            ]
            for i in range(self.handle_rows):
                self.fields[f"handle_kind_{i}"] = forms.ChoiceField(
                    label=_("Kind"), choices=kind_choices, required=False
                )
                self.fields[f"handle_label_{i}"] = forms.CharField(
                    label=_("Service"),
                    required=False,
                    max_length=50,
                    widget=forms.TextInput(attrs={"placeholder": "Telegram"}),
                )
                self.fields[f"handle_{i}"] = forms.CharField(
                    label=_("Handle"), required=False, max_length=254
                )
                if i < len(handles):
                    initial[f"handle_kind_{i}"] = handles[i].kind
                    initial[f"handle_label_{i}"] = handles[i].label
                    initial[f"handle_{i}"] = handles[i].value

        self.custom_defs = definitions(self.entity)
        current = instance.custom if instance is not None else {}
        for defn in self.custom_defs:
            name = f"cf_{defn.key}"
            self.fields[name] = custom_form_field(defn)
            if defn.key in current:
                initial[name] = custom_initial(defn, current[defn.key])

        if instance is None and self._may_place():
            self.fields["centre"] = forms.ChoiceField(
                label=_("Centre"),
                required=False,
                choices=[("", _("My centre"))]
                + [(str(c.pk), c.name) for c in Centre.objects.filter(is_active=True)],
            )
            self.fields["owner"] = forms.ChoiceField(
                label=_("Owner"),
                required=False,
                choices=[("", "—")]
                + [
                    (str(u.pk), f"{u.display_name} · {u.centre.name if u.centre else '—'}")
                    for u in User.objects.filter(is_active=True)
                    .select_related("centre")
                    .order_by("centre__name", "last_name", "first_name", "username")
                ],
            )
        self.style_widgets()

    def _may_place(self) -> bool:
        from sputnik.core.roles import Right, Scope

        return self.actor.has_right(Right.PARTY_TRANSFER) or self.actor.scope == Scope.ALL

    # --- bound-field groups for the template -----------------------------------
    def phone_fields(self) -> list[forms.BoundField]:
        return [self[f"phone_{i}"] for i in range(self.phone_rows)]

    def email_fields(self) -> list[forms.BoundField]:
        return [self[f"email_{i}"] for i in range(self.email_rows)]

    def handle_fields(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"handle_kind_{i}"], self[f"handle_label_{i}"], self[f"handle_{i}"])
            for i in range(self.handle_rows)
        ]

    def custom_fields(self) -> list[forms.BoundField]:
        return [self[f"cf_{d.key}"] for d in self.custom_defs]

    # --- the payload for the services ------------------------------------------
    def contact_data(self) -> dict[str, Any]:
        cd = self.cleaned_data
        data: dict[str, Any] = {
            "phones": [cd.get(f"phone_{i}") or "" for i in range(self.phone_rows)],
            "emails": [cd.get(f"email_{i}") or "" for i in range(self.email_rows)],
        }
        if self.with_handles:
            data["handles"] = [
                {
                    "kind": cd.get(f"handle_kind_{i}") or ContactPoint.Kind.MESSENGER,
                    "label": cd.get(f"handle_label_{i}") or "",
                    "value": cd.get(f"handle_{i}") or "",
                }
                for i in range(self.handle_rows)
            ]
        data["custom"] = {d.key: cd.get(f"cf_{d.key}") or "" for d in self.custom_defs}
        if "centre" in self.fields:
            data["centre_id"] = cd.get("centre") or None
            data["owner_id"] = cd.get("owner") or None
        return data


class PersonForm(PartyFormBase):
    entity = "person"

    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    middle_name = forms.CharField(label=_("Middle name"), max_length=100, required=False)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.PROSPECT)
    is_vip = forms.BooleanField(label=_("VIP"), required=False)
    birthday = forms.DateField(
        label=_("Birthday"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )
    family_status = forms.ChoiceField(
        label=_("Family status"), choices=FamilyStatus.choices, required=False
    )
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    employer = forms.IntegerField(
        required=False, widget=forms.HiddenInput(attrs={"data-autocomplete-value": ""})
    )
    employer_name = forms.CharField(label=_("Employer"), required=False, max_length=300)
    wishes = forms.CharField(
        label=_("Wishes and plans"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    interests = forms.MultipleChoiceField(
        label=_("Interests"), required=False, widget=forms.CheckboxSelectMultiple
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate tags with commas."),
    )
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.OTHER)
    source_campaign = forms.CharField(label=_("Campaign"), max_length=200, required=False)
    utm_source = forms.CharField(label="utm_source", max_length=200, required=False)
    utm_medium = forms.CharField(label="utm_medium", max_length=200, required=False)
    utm_campaign = forms.CharField(label="utm_campaign", max_length=200, required=False)

    SIMPLE_FIELDS = (
        "last_name",
        "first_name",
        "middle_name",
        "stage",
        "is_vip",
        "birthday",
        "family_status",
        "job_title",
        "wishes",
        "source",
        "source_campaign",
        "utm_source",
        "utm_medium",
        "utm_campaign",
    )

    def __init__(self, *args: Any, instance: Person | None = None, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        if instance is not None:
            for name in self.SIMPLE_FIELDS:
                initial[name] = getattr(instance, name)
            initial["interests"] = [i.slug for i in instance.interests.all()]
            initial["tags"] = ", ".join(t.name for t in instance.tags.all())
            if instance.employer_id:
                initial["employer"] = instance.employer_id
                initial["employer_name"] = instance.employer.name if instance.employer else ""
        super().__init__(*args, instance=instance, **kwargs)
        active = Interest.objects.filter(is_active=True)
        chosen = set(initial.get("interests") or [])
        extra = instance.interests.exclude(is_active=True) if instance is not None else []
        self.choice_field("interests").choices = [
            (i.slug, str(i)) for i in [*active, *[i for i in extra if i.slug in chosen]]
        ]

    def service_data(self) -> dict[str, Any]:
        cd = self.cleaned_data
        data = {name: cd.get(name) for name in self.SIMPLE_FIELDS}
        data["family_status"] = data["family_status"] or ""
        data["employer_id"] = cd.get("employer") or None
        data["interests"] = list(cd.get("interests") or [])
        data["tags"] = [t.strip() for t in (cd.get("tags") or "").split(",") if t.strip()]
        data.update(self.contact_data())
        return data


class CompanyForm(PartyFormBase):
    entity = "company"
    with_handles = False

    name = forms.CharField(label=_("Name"), max_length=300, required=False)
    inn = forms.CharField(
        label=_("INN"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    industry = forms.CharField(label=_("Industry"), max_length=200, required=False)
    website = forms.CharField(
        label=_("Website"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "url", "placeholder": "https://"}),
    )
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.OTHER)
    source_campaign = forms.CharField(label=_("Campaign"), max_length=200, required=False)

    SIMPLE_FIELDS = ("name", "inn", "industry", "website", "source", "source_campaign")

    def __init__(self, *args: Any, instance: Company | None = None, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        if instance is not None:
            for name in self.SIMPLE_FIELDS:
                initial[name] = getattr(instance, name)
        super().__init__(*args, instance=instance, **kwargs)

    def service_data(self) -> dict[str, Any]:
        cd = self.cleaned_data
        data = {name: cd.get(name) or "" for name in self.SIMPLE_FIELDS}
        data.update(self.contact_data())
        return data


class StageForm(BootstrapFormMixin, forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class TransferForm(BootstrapFormMixin, forms.Form):
    centre = forms.ChoiceField(label=_("Centre"))
    owner = forms.ChoiceField(label=_("Owner"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("centre").choices = [("", "—")] + [
            (str(c.pk), c.name) for c in Centre.objects.filter(is_active=True)
        ]
        self.choice_field("owner").choices = [("", _("Nobody (the centre's queue)"))] + [
            (str(u.pk), f"{u.display_name} · {u.centre.name if u.centre else '—'}")
            for u in User.objects.filter(is_active=True, centre__isnull=False)
            .select_related("centre")
            .order_by("centre__name", "last_name", "first_name", "username")
        ]
        self.style_widgets()


class RelationForm(BootstrapFormMixin, forms.Form):
    other = forms.IntegerField(
        required=False, widget=forms.HiddenInput(attrs={"data-autocomplete-value": ""})
    )
    other_name = forms.CharField(label=_("Person"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Relation"), choices=Relation.Kind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class AssetForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Asset.Kind.choices)
    make = forms.CharField(label=_("Make"), max_length=100, required=False)
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    year = forms.CharField(
        label=_("Year"),
        required=False,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    vin = forms.CharField(
        label="VIN",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocapitalize": "characters"}),
    )
    plate = forms.CharField(label=_("Registration plate"), max_length=20, required=False)
    purchase_date = forms.CharField(label=_("Purchase date"), required=False, widget=DateInput())
    warranty_end = forms.CharField(label=_("Warranty end"), required=False, widget=DateInput())
    mileage_km = forms.CharField(
        label=_("Mileage, km"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    last_service_date = forms.CharField(label=_("Last service"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.fields}


class ImportantDateForm(BootstrapFormMixin, forms.Form):
    label = forms.CharField(label=_("What"), max_length=100, required=False)
    date = forms.CharField(label=_("Date"), required=False, widget=DateInput())
    yearly = forms.BooleanField(label=_("Every year"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class AddressForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Address.Kind.choices)
    postcode = forms.CharField(label=_("Postcode"), max_length=12, required=False)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    street = forms.CharField(label=_("Street, house, flat"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


class PersonFilterForm(BootstrapFormMixin, forms.Form):
    """Renders the list's search and filters; the selector parses the same parameters."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    centre = forms.ChoiceField(label=_("Centre"), required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    interest = forms.ChoiceField(label=_("Interest"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        from sputnik.core.roles import Scope

        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        self.choice_field("stage").choices = anything + list(Stage.choices)
        self.choice_field("source").choices = anything + list(Source.choices)
        self.choice_field("interest").choices = anything + [
            (i.slug, str(i)) for i in Interest.objects.filter(is_active=True)
        ]
        self.choice_field("sort").choices = [
            ("name", _("Name A–Z")),
            ("-name", _("Name Z–A")),
            ("-created", _("Newest first")),
            ("created", _("Oldest first")),
        ]
        owners = [("", _("Anyone")), ("me", _("Me"))]
        if actor.scope == Scope.ALL:
            self.choice_field("centre").choices = anything + [
                (str(c.pk), c.name) for c in Centre.objects.all()
            ]
            users = User.objects.filter(is_active=True, centre__isnull=False)
        elif actor.scope == Scope.CENTRE:
            del self.fields["centre"]
            users = User.objects.filter(is_active=True, centre_id=actor.centre_id or 0)
        else:
            del self.fields["centre"]
            users = User.objects.none()
        self.choice_field("owner").choices = owners + [
            (str(u.pk), u.display_name)
            for u in users.exclude(pk=actor.pk).order_by("last_name", "first_name", "username")
        ]
        self.fields["q"].widget.attrs.update(
            {
                "type": "search",
                "placeholder": _("Name, phone or e-mail"),
                "autocomplete": "off",
                "aria-label": _("Search"),
            }
        )
        self.custom_defs = [d for d in definitions("person") if d.filterable]
        for defn in self.custom_defs:
            self.fields[f"cf_{defn.key}"] = custom_form_field(defn, for_filter=True)
        self.style_widgets()
        for name in ("stage", "centre", "owner", "interest", "source", "sort"):
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " form-select-sm"
        self.fields["tag"].widget.attrs["class"] += " form-control-sm"

    def custom_fields(self) -> list[forms.BoundField]:
        return [self[f"cf_{d.key}"] for d in self.custom_defs]


class CompanyFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    centre = forms.ChoiceField(label=_("Centre"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        from sputnik.core.roles import Scope

        super().__init__(*args, **kwargs)
        if actor.scope == Scope.ALL:
            self.choice_field("centre").choices = [("", _("Any"))] + [
                (str(c.pk), c.name) for c in Centre.objects.all()
            ]
        else:
            del self.fields["centre"]
        self.choice_field("sort").choices = [
            ("name", _("Name A–Z")),
            ("-name", _("Name Z–A")),
            ("-created", _("Newest first")),
            ("created", _("Oldest first")),
        ]
        self.fields["q"].widget.attrs.update(
            {
                "type": "search",
                "placeholder": _("Name, INN, phone or e-mail"),
                "autocomplete": "off",
                "aria-label": _("Search"),
            }
        )
        self.style_widgets()
