"""Forms of the quote and order pages. They parse and display; the services validate."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sputnik.sales.models import Product
from sputnik.web.forms import BootstrapFormMixin


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


LANGUAGE_CHOICES = [("ru", _("Russian")), ("en", _("English"))]


def product_choices() -> list[tuple[str, Any]]:
    products = Product.objects.filter(is_active=True).order_by("kind", "position", "name")
    return [("", _("— free text —"))] + [(str(p.pk), f"{p.name} ({p.sku})") for p in products[:500]]


def _configuration(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class LineForm(BootstrapFormMixin, forms.Form):
    """One line: a product (its name and price unless typed) or free text; numbers as typed."""

    product_id = forms.ChoiceField(label=_("Product"), required=False, choices=())
    name = forms.CharField(label=_("Description"), required=False, max_length=300)
    quantity = forms.CharField(
        label=_("Quantity"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    unit_price = forms.CharField(
        label=_("Unit price excl. VAT"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    # A configured line keeps its configuration (options chosen in the configurator) across
    # edits; it is descriptive snapshot data shown on the quote, never priced from here.
    configuration = forms.CharField(required=False, max_length=10000, widget=forms.HiddenInput())
    discount_percent = forms.CharField(
        label=_("Discount, %"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(
        self, *args: Any, products: list[tuple[str, Any]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("product_id").choices = (
            products if products is not None else product_choices()
        )
        self.style_widgets()

    def line(self) -> dict[str, Any] | None:
        """The line for the service, or None for an untouched empty row."""
        data = self.cleaned_data
        if not (data.get("product_id") or data.get("name") or data.get("unit_price")):
            return None
        return {
            "product_id": data.get("product_id") or None,
            "name": data.get("name") or "",
            "quantity": data.get("quantity") or "1",
            "unit_price": data.get("unit_price") or None,
            "discount_percent": data.get("discount_percent") or "0",
            "configuration": _configuration(data.get("configuration") or ""),
        }


class BaseLineFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if not hasattr(self, "_products"):
            self._products = product_choices()
        kwargs["products"] = self._products
        return kwargs

    def lines(self) -> list[dict[str, Any]]:
        return [line for form in self.forms if (line := form.line()) is not None]  # type: ignore[attr-defined]


LineFormSet: type[BaseLineFormSet] = forms.formset_factory(  # type: ignore[assignment]
    LineForm, formset=BaseLineFormSet, extra=2, max_num=200, validate_max=True
)


class QuoteForm(BootstrapFormMixin, forms.Form):
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput())
    vat_rate = forms.CharField(label=_("VAT rate, %"), max_length=10)
    language = forms.ChoiceField(label=_("Language of the document"), choices=LANGUAGE_CHOICES)
    notes = forms.CharField(
        label=_("Terms and notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class DeclineForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class OrderStatusForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Next status"), choices=())
    expected_date = forms.DateField(
        label=_("Expected hand-over"), required=False, widget=DateInput()
    )
    vin = forms.CharField(label="VIN", required=False, max_length=17)
    note = forms.CharField(label=_("Note (staff only)"), required=False, max_length=500)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("status").choices = choices
        self.style_widgets()


class OrderTakeForm(BootstrapFormMixin, forms.Form):
    """The operator's order during a call: an open deal of the person, or a new one."""

    deal = forms.ChoiceField(label=_("Deal"), choices=(), required=False)
    expected_date = forms.DateField(
        label=_("Expected hand-over"), required=False, widget=DateInput()
    )
    language = forms.ChoiceField(label=_("Customer's language"), choices=LANGUAGE_CHOICES)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, deals: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("deal").choices = [("", _("— a new deal —")), *deals]
        self.style_widgets()
