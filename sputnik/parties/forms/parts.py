"""Forms for what hangs off a person: relations, company roles, assets, dates, addresses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sputnik.parties.forms.base import (
    DateInput,
)
from sputnik.parties.models import (
    Address,
    Asset,
    Relation,
)
from sputnik.web.forms import BootstrapFormMixin


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


class CompanyRoleForm(BootstrapFormMixin, forms.Form):
    company = forms.IntegerField(
        required=False, widget=forms.HiddenInput(attrs={"data-autocomplete-value": ""})
    )
    company_name = forms.CharField(label=_("Company"), required=False, max_length=200)
    title = forms.CharField(
        label=_("Role"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Director, fleet manager…")}),
    )

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
