"""Forms of the deal pages. They parse and display; the services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sputnik.sales.models import DealSource, LostReason, Pipeline, PipelineStage, StageKind
from sputnik.web.forms import BootstrapFormMixin


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _pipeline_choices() -> list[tuple[str, str]]:
    return [(str(p.pk), p.name) for p in Pipeline.objects.filter(is_active=True)]


class DealForm(BootstrapFormMixin, forms.Form):
    """New deal, and the details of an existing one (without customer and pipeline)."""

    person = forms.IntegerField(
        required=False, widget=forms.HiddenInput(attrs={"data-autocomplete-value": ""})
    )
    other_name = forms.CharField(label=_("Person"), required=False, max_length=200)
    # The company the deal is for, when it is started from the company's card.
    # Read by clean_company: a tampered value gets a message the page shows (a hidden
    # field's own error is never rendered).
    company = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput())
    pipeline = forms.ChoiceField(label=_("Pipeline"), choices=())
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    amount = forms.CharField(
        label=_("Amount, RUB"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    probability = forms.CharField(
        label=_("Probability, %"),
        required=False,
        max_length=3,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    expected_close = forms.DateField(label=_("Expected close"), required=False, widget=DateInput())
    source = forms.ChoiceField(label=_("Source"), choices=DealSource.choices, initial="showroom")

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("pipeline").choices = _pipeline_choices()
        if editing:
            for name in ("person", "other_name", "company", "pipeline"):
                del self.fields[name]
        self.style_widgets()

    def clean_company(self) -> int | None:
        raw = (self.cleaned_data.get("company") or "").strip()
        if not raw:
            return None
        if not raw.isdigit():
            self.add_error(None, _("Choose a valid company."))
            return None
        return int(raw)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        out: dict[str, Any] = {
            "title": data.get("title") or "",
            "amount": data.get("amount") or None,
            "probability": data.get("probability") or None,
            "expected_close": data.get("expected_close"),
            "source": data.get("source"),
        }
        if "pipeline" in data:
            out["pipeline_id"] = data.get("pipeline")
            out["person_id"] = data.get("person")
            if data.get("company"):
                out["company_id"] = data.get("company")
        return out


class LineForm(BootstrapFormMixin, forms.Form):
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    quantity = forms.CharField(
        label=_("Quantity"),
        max_length=20,
        initial="1",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    unit_price = forms.CharField(
        label=_("Unit price"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    discount_pct = forms.CharField(
        label=_("Discount, %"),
        max_length=10,
        required=False,
        initial="0",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    vin = forms.CharField(label="VIN", max_length=20, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class LoseForm(BootstrapFormMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Why was the deal lost?"), choices=())
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    position = forms.IntegerField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("reason").choices = [("", "—")] + [
            (str(r.pk), r.name) for r in LostReason.objects.filter(is_active=True)
        ]
        self.style_widgets()


class MoveForm(forms.Form):
    """A stage change from the board (drag and drop) or the deal page (a select)."""

    stage = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    position = forms.IntegerField(required=False, min_value=0, max_value=1_000_000)


class TradeInForm(BootstrapFormMixin, forms.Form):
    asset = forms.ChoiceField(label=_("Customer's vehicle"), choices=())
    appraised_value = forms.CharField(
        label=_("Appraised value, RUB"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    appraised_on = forms.DateField(label=_("Appraised on"), required=False, widget=DateInput())
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, assets: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("asset").choices = [("", "—")] + [
            (str(a.pk), " · ".join(x for x in (str(a), a.vin or a.plate) if x)) for a in assets
        ]
        self.style_widgets()


def stage_choices(stages: list[PipelineStage]) -> list[tuple[int, str]]:
    return [(s.pk, s.name) for s in stages if s.kind != StageKind.LOST]
