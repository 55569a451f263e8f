"""Web forms for the timeline: a quick note, a logged call, and correcting either."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sputnik.activities.models import Interaction
from sputnik.web.forms import BootstrapFormMixin

_DURATION = re.compile(r"^\s*(\d{1,4})(?:\s*[:.]\s*(\d{1,2}))?\s*$")


class NoteForm(BootstrapFormMixin, forms.Form):
    body = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Write a note…")}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()


class CallForm(BootstrapFormMixin, forms.Form):
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[
            (Interaction.Direction.OUTBOUND, Interaction.Direction.OUTBOUND.label),
            (Interaction.Direction.INBOUND, Interaction.Direction.INBOUND.label),
        ],
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(v, label) for v, label in Interaction.CallOutcome.choices if v],
    )
    duration = forms.CharField(
        label=_("Duration, min:sec"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "5:30"}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def clean_duration(self) -> int | None:
        raw = self.cleaned_data.get("duration") or ""
        if not raw.strip():
            return None
        match = _DURATION.match(raw)
        if not match or int(match.group(2) or 0) >= 60:
            raise forms.ValidationError(_("Enter minutes, or minutes:seconds (5:30)."))
        return int(match.group(1)) * 60 + int(match.group(2) or 0)


class CallEditForm(CallForm):
    """A logged call being corrected: the quick form's fields plus when it happened."""

    occurred_at = forms.DateTimeField(
        label=_("When"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    @classmethod
    def initial_for(cls, entry: Interaction) -> dict[str, Any]:
        seconds = entry.duration_seconds
        return {
            "direction": entry.direction,
            "outcome": entry.outcome,
            "duration": "" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}",
            "notes": entry.body,
            "occurred_at": timezone.localtime(entry.occurred_at),
        }

    def service_data(self) -> dict[str, Any]:
        return {
            "direction": self.cleaned_data["direction"],
            "outcome": self.cleaned_data["outcome"],
            "duration_seconds": self.cleaned_data["duration"],
            "notes": self.cleaned_data["notes"],
            "occurred_at": self.cleaned_data["occurred_at"],
        }
