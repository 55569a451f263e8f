"""Web forms for tasks: new or changed task; the assignee is chosen from the people the
actor works with (their centre; everyone for network-wide roles)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sputnik.activities.models import Task
from sputnik.core.models import User
from sputnik.core.roles import Scope
from sputnik.web.forms import BootstrapFormMixin


def assignee_choices(actor: User) -> list[tuple[int, str]]:
    users = User.objects.filter(is_active=True).exclude(centre__isnull=True)
    if actor.scope != Scope.ALL:
        users = users.filter(centre_id=actor.centre_id or 0)
    choices = [
        (u.pk, u.display_name) for u in users.order_by("last_name", "first_name", "pk")[:500]
    ]
    if actor.pk not in {pk for pk, _name in choices}:
        choices.insert(0, (actor.pk, actor.display_name))
    return choices


class TaskForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Task"), max_length=300)
    assignee = forms.TypedChoiceField(label=_("Assignee"), coerce=int, choices=())
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Task.Kind.choices, initial=Task.Kind.FOLLOW_UP
    )
    due_at = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d"],
    )
    description = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = assignee_choices(actor)
        if not self.is_bound and "assignee" not in self.initial:
            self.initial["assignee"] = actor.pk
        self.style_widgets()
