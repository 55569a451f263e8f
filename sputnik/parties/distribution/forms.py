"""Forms of the distribution pages: ask for a transfer, decide one, give a lead a manager."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import User
from sputnik.parties.distribution.engine import ASSIGNABLE_ROLES


class TransferRequestForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    reason = forms.CharField(
        label=_("Why should your centre serve this customer?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control", "maxlength": 2000}),
    )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "maxlength": 500}),
    )


class TakeForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)


class AssignForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("Manager"), coerce=int, choices=())

    def __init__(self, *args: Any, centre_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        managers = User.objects.filter(
            centre_id=centre_id or 0, is_active=True, role__in=ASSIGNABLE_ROLES
        ).order_by("last_name", "first_name", "username")
        field = self.fields["owner"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(u.pk, u.display_name) for u in managers]
        field.widget.attrs["class"] = "form-select form-select-sm"


class LookupForm(forms.Form):
    q = forms.CharField(
        label=_("Phone or e-mail"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end comes before the start."))
        if start and end and (end - start).days > 366 * 3:
            self.add_error("start", _("Choose at most three years."))
        return data
