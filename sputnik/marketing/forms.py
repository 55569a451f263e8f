"""Forms: the builder administrators use, and the public form a lead form renders as."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from sputnik.core.models import Centre
from sputnik.core.normalize import normalize_email, normalize_phone
from sputnik.marketing.models import FieldKey, LeadForm
from sputnik.parties.models import Consent, Interest
from sputnik.parties.services.intake import UTM_KEYS
from sputnik.web.forms import BootstrapFormMixin

# --- the builder ----------------------------------------------------------------------

CONSENT_NOT_ASKED, CONSENT_OPTIONAL, CONSENT_REQUIRED = "", "optional", "required"
CONSENT_MODES = [
    (CONSENT_NOT_ASKED, "—"),
    (CONSENT_OPTIONAL, _("optional")),
    (CONSENT_REQUIRED, _("required")),
]


def consent_key(purpose: str, channel: str) -> str:
    return f"consent__{purpose}__{channel}"


class LeadFormBuilder(BootstrapFormMixin, forms.Form):
    """The form's settings, a row per catalogue field, and a purpose × channel grid.

    It produces the `data` mapping `leadform_create/update` take; the service validates.
    """

    # Required by the service, not here, so one post reports every problem at once.
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Active: accepts submissions"), required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=LeadForm.Language.choices, required=False
    )
    target_centre = forms.ModelChoiceField(
        label=_("Target centre"),
        queryset=Centre.objects.filter(is_active=True).order_by("name"),
        required=False,
        help_text=_("New leads wait here until distribution places them."),
    )
    pipeline_hint = forms.CharField(label=_("Pipeline"), max_length=100, required=False)
    product_hint = forms.CharField(
        label=_("Product"),
        max_length=200,
        required=False,
        help_text=_("Passed to distribution, e.g. the model the landing page is about."),
    )
    interest_choices = forms.ModelMultipleChoiceField(
        label=_("Interests offered"),
        queryset=Interest.objects.filter(is_active=True).order_by("slug"),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For the “Interest” field; none chosen offers every interest."),
    )
    consent_text_ru = forms.CharField(
        label=_("Consent wording (Russian)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    consent_text_en = forms.CharField(
        label=_("Consent wording (English)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    thank_you_ru = forms.CharField(
        label=_("Thank-you text (Russian)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    thank_you_en = forms.CharField(
        label=_("Thank-you text (English)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    allowed_origins = forms.CharField(
        label=_("Allowed sites"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://dealer.ru"}),
        required=False,
        help_text=_(
            "One per line, e.g. https://dealer.ru. Only these may embed and post the form."
        ),
    )

    def __init__(self, *args: Any, instance: LeadForm | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(instance)
        super().__init__(*args, **kwargs)
        for key, label in FieldKey.choices:
            self.fields[f"field__{key}__include"] = forms.BooleanField(label=label, required=False)
            self.fields[f"field__{key}__required"] = forms.BooleanField(
                label=_("required"), required=False
            )
            self.fields[f"field__{key}__order"] = forms.IntegerField(
                label=_("order"), min_value=0, max_value=99, required=False
            )
            self.fields[f"field__{key}__label_ru"] = forms.CharField(
                label=_("label (Russian)"), max_length=200, required=False
            )
            self.fields[f"field__{key}__label_en"] = forms.CharField(
                label=_("label (English)"), max_length=200, required=False
            )
        for purpose, _p in Consent.Purpose.choices:
            for channel, _c in Consent.Channel.choices:
                self.fields[consent_key(purpose, channel)] = forms.ChoiceField(
                    choices=CONSENT_MODES, required=False
                )
        self.style_widgets()

    @staticmethod
    def initial_for(form: LeadForm) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(form, name)
            for name in (
                "name",
                "is_active",
                "language",
                "pipeline_hint",
                "product_hint",
                "consent_text_ru",
                "consent_text_en",
                "thank_you_ru",
                "thank_you_en",
            )
        }
        initial["target_centre"] = form.target_centre_id
        initial["interest_choices"] = list(form.interest_choices)
        initial["allowed_origins"] = "\n".join(form.allowed_origins)
        for i, f in enumerate(form.fields):
            key = f["key"]
            initial[f"field__{key}__include"] = True
            initial[f"field__{key}__required"] = f.get("required", False)
            initial[f"field__{key}__order"] = i + 1
            initial[f"field__{key}__label_ru"] = f.get("label_ru", "")
            initial[f"field__{key}__label_en"] = f.get("label_en", "")
        for c in form.consents:
            mode = CONSENT_REQUIRED if c.get("required") else CONSENT_OPTIONAL
            initial[consent_key(c["purpose"], c["channel"])] = mode
        return initial

    def field_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "key": key,
                "label": label,
                **{
                    part: self[f"field__{key}__{part}"]
                    for part in ("include", "required", "order", "label_ru", "label_en")
                },
            }
            for key, label in FieldKey.choices
        ]

    def consent_grid(self) -> dict[str, Any]:
        return {
            "channels": Consent.Channel.choices,
            "rows": [
                (label, [self[consent_key(purpose, ch)] for ch, _l in Consent.Channel.choices])
                for purpose, label in Consent.Purpose.choices
            ],
        }

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        fields: list[tuple[int, int, dict[str, Any]]] = []
        for i, key in enumerate(FieldKey.values):
            if not d.get(f"field__{key}__include"):
                continue
            order = d.get(f"field__{key}__order")
            fields.append(
                (
                    order if order is not None else 100 + i,
                    i,
                    {
                        "key": key,
                        "required": bool(d.get(f"field__{key}__required")),
                        "label_ru": d.get(f"field__{key}__label_ru") or "",
                        "label_en": d.get(f"field__{key}__label_en") or "",
                    },
                )
            )
        consents = []
        for purpose in Consent.Purpose.values:
            for channel in Consent.Channel.values:
                mode = d.get(consent_key(purpose, channel)) or ""
                if mode:
                    consents.append(
                        {
                            "purpose": purpose,
                            "channel": channel,
                            "required": mode == CONSENT_REQUIRED,
                        }
                    )
        centre = d.get("target_centre")
        return {
            "name": d.get("name", ""),
            "is_active": d.get("is_active", False),
            "language": d.get("language") or "",
            "target_centre_id": centre.pk if centre else None,
            "pipeline_hint": d.get("pipeline_hint", ""),
            "product_hint": d.get("product_hint", ""),
            "interest_choices": [i.slug for i in d.get("interest_choices") or []],
            "consent_text_ru": d.get("consent_text_ru", ""),
            "consent_text_en": d.get("consent_text_en", ""),
            "thank_you_ru": d.get("thank_you_ru", ""),
            "thank_you_en": d.get("thank_you_en", ""),
            "allowed_origins": d.get("allowed_origins", ""),
            "fields": [f for _o, _i, f in sorted(fields, key=lambda t: t[:2])],
            "consents": consents,
        }


# Builder errors keyed by service names that have no field of the same name.
BUILDER_ERROR_MAP = {"target_centre_id": "target_centre"}


# --- the public form -------------------------------------------------------------------

HONEYPOT = "website"  # a field people never see and bots fill in
FIELD_LIMITS = {
    FieldKey.FIRST_NAME: 100,
    FieldKey.LAST_NAME: 100,
    FieldKey.PHONE: 40,
    FieldKey.EMAIL: 254,
    FieldKey.CITY: 100,
    FieldKey.COMMENT: 2000,
    FieldKey.INTEREST: 50,
    FieldKey.CONTACT_TIME: 50,
}
CONTACT_TIMES = [
    ("", "—"),
    ("any", _("Any time")),
    ("morning", _("Morning (9–12)")),
    ("afternoon", _("Afternoon (12–17)")),
    ("evening", _("Evening (17–21)")),
]
AUTOCOMPLETE = {
    FieldKey.FIRST_NAME: "given-name",
    FieldKey.LAST_NAME: "family-name",
    FieldKey.PHONE: "tel",
    FieldKey.EMAIL: "email",
    FieldKey.CITY: "address-level2",
}


def consent_label(purpose: str, channel: str) -> str:
    p = Consent.Purpose(purpose).label
    if channel == Consent.Channel.ANY:
        return str(p)
    return f"{p} · {Consent.Channel(channel).label}"


class PublicLeadForm(forms.Form):
    """What a visitor fills in; built from a LeadForm's configuration in its language."""

    def __init__(self, *args: Any, lead_form: LeadForm, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lead_form = lead_form
        self.language = language
        with override(language):
            for spec in lead_form.fields:
                self.fields[spec["key"]] = self._field(spec)
            for c in lead_form.consents:
                name = consent_key(c["purpose"], c["channel"])
                self.fields[name] = forms.BooleanField(
                    label=consent_label(c["purpose"], c["channel"]),
                    required=bool(c.get("required")),
                    error_messages={"required": _("This consent is required to send the form.")},
                )
        for key in (*UTM_KEYS, "page", "return_url"):
            self.fields[key] = forms.CharField(
                required=False,
                max_length=1000 if key in ("page", "return_url") else 200,
                widget=forms.HiddenInput,
            )
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            css = (
                "form-check-input"
                if isinstance(widget, forms.CheckboxInput)
                else ("form-select" if isinstance(widget, forms.Select) else "form-control")
            )
            widget.attrs["class"] = css
            if name in AUTOCOMPLETE:
                widget.attrs["autocomplete"] = AUTOCOMPLETE[FieldKey(name)]

    def _field(self, spec: dict[str, Any]) -> forms.Field:
        key = spec["key"]
        # The builder's own label in the visitor's language, else the field's standard name.
        if self.language == "ru":
            label = spec.get("label_ru") or str(FieldKey(key).label)
        else:
            label = spec.get("label_en") or str(FieldKey(key).label)
        required = bool(spec.get("required"))
        limit = FIELD_LIMITS[FieldKey(key)]
        field: forms.Field
        if key == FieldKey.COMMENT:
            field = forms.CharField(
                label=label,
                required=required,
                max_length=limit,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        elif key == FieldKey.INTEREST:
            interests = Interest.objects.filter(is_active=True).order_by("slug")
            if self.lead_form.interest_choices:
                interests = interests.filter(slug__in=self.lead_form.interest_choices)
            choices = [("", "—")] + [
                (i.slug, i.name_ru if self.language == "ru" else i.name_en) for i in interests
            ]
            field = forms.ChoiceField(label=label, required=required, choices=choices)
        elif key == FieldKey.CONTACT_TIME:
            field = forms.ChoiceField(
                label=label, required=required, choices=[(k, str(v)) for k, v in CONTACT_TIMES]
            )
        elif key == FieldKey.PHONE:
            field = forms.CharField(
                label=label,
                required=required,
                max_length=limit,
                widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
            )
        elif key == FieldKey.EMAIL:
            field = forms.CharField(
                label=label,
                required=required,
                max_length=limit,
                widget=forms.TextInput(attrs={"inputmode": "email", "type": "email"}),
            )
        else:
            field = forms.CharField(label=label, required=required, max_length=limit)
        return field

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "")
        if raw:
            with override(self.language):
                normalize_phone(raw)  # raises a translated ValidationError
        return raw

    def clean_email(self) -> str:
        raw = self.cleaned_data.get("email", "")
        if raw:
            with override(self.language):
                normalize_email(raw)
        return raw

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        asked = {f["key"] for f in self.lead_form.fields}
        if (
            {"phone", "email"} <= asked
            and not data.get("phone")
            and not data.get("email")
            and not self.has_error("phone")
            and not self.has_error("email")
        ):
            with override(self.language):
                self.add_error(
                    "phone", ValidationError(_("Enter a phone number or an e-mail address."))
                )
        return data

    def answers(self) -> dict[str, str]:
        """The visitor's answers to the asked fields, as text (the contact time as its label)."""
        result: dict[str, str] = {}
        for spec in self.lead_form.fields:
            key = spec["key"]
            value = str(self.cleaned_data.get(key) or "").strip()
            if key == FieldKey.CONTACT_TIME and value:
                with override(self.language):
                    value = str(dict(CONTACT_TIMES).get(value, value))
            if value:
                result[key] = value
        return result

    def consents_given(self) -> list[tuple[str, str]]:
        return [
            (c["purpose"], c["channel"])
            for c in self.lead_form.consents
            if self.cleaned_data.get(consent_key(c["purpose"], c["channel"]))
        ]

    def tracking(self) -> dict[str, str]:
        return {
            k: str(self.cleaned_data.get(k) or "").strip()
            for k in (*UTM_KEYS, "page", "return_url")
        }

    def visible_fields_in_order(self) -> list[forms.BoundField]:
        return [self[f["key"]] for f in self.lead_form.fields]

    def consent_fields(self) -> list[forms.BoundField]:
        return [self[consent_key(c["purpose"], c["channel"])] for c in self.lead_form.consents]
