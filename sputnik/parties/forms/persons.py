"""Person forms: profile, stage, transfer, list filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sputnik.core.custom_fields import definitions
from sputnik.core.models import Centre, User
from sputnik.parties.forms.base import (
    DateInput,
    PartyFormBase,
    custom_form_field,
)
from sputnik.parties.models import (
    FamilyStatus,
    Interest,
    Person,
    Source,
    Stage,
)
from sputnik.web.forms import BootstrapFormMixin

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
    escalated = forms.BooleanField(
        label=_("Escalated leads only"),
        required=False,
        help_text=_("Leads raised to the centre head: left without a manager or a contact."),
    )

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
