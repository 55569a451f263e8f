"""What the person and company forms share: contact rows, custom fields, placement."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sputnik.core.custom_fields import definitions
from sputnik.core.models import Centre, CustomFieldDefinition, User
from sputnik.parties.models import (
    Company,
    ContactPoint,
    Person,
)
from sputnik.web.forms import BootstrapFormMixin

MAX_ROWS = 20
DEFAULT_ROWS = 3


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
