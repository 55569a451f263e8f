"""Shared form helpers: Bootstrap classes and service errors mapped onto fields."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


class BootstrapFormMixin:
    """Give every widget its Bootstrap class; templates stay free of widget tweaking."""

    fields: dict[str, forms.Field]

    def choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(
                widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput
            ):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            existing = widget.attrs.get("class", "")
            widget.attrs["class"] = f"{existing} {css}".strip()


def apply_service_errors(
    form: forms.Form, error: ValidationError, key_map: Mapping[str, str] | None = None
) -> None:
    """Put a service's ValidationError (keyed by its field names) onto the form.

    Services key errors like "phones.0", "custom.<key>", "employer_id"; `key_map`
    translates prefixes/names to form field names. Unknown keys become form errors.
    """
    key_map = key_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        name = key_map.get(key)
        if name is None:
            prefix, _dot, rest = key.partition(".")
            mapped = key_map.get(prefix + ".*")
            name = f"{mapped}{rest}" if mapped and rest else key
        if name in form.fields:
            # add_error would drop the field from cleaned_data; that is what we want here.
            form.add_error(name, list(messages))
        else:
            form.add_error(None, list(messages))
