"""Company forms: profile and list filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sputnik.core.models import Centre, User
from sputnik.parties.forms.base import (
    PartyFormBase,
)
from sputnik.parties.models import (
    Company,
    Source,
)
from sputnik.web.forms import BootstrapFormMixin


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
