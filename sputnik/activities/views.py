"""The person's timeline as HTMX fragments: pages of entries, a quick note, a logged call,
and correcting or deleting a note or call in place."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from sputnik.activities import selectors, services
from sputnik.activities.forms import CallEditForm, CallForm, NoteForm
from sputnik.activities.models import Interaction
from sputnik.core.models import User
from sputnik.core.roles import Right
from sputnik.parties.selectors import person_get
from sputnik.web.access import acting_user, require_right, service_errors, visible_or_404
from sputnik.web.forms import apply_service_errors


def _changeable_ids(actor: User, person: Any, entries: Any) -> set[int]:
    """Entries the actor may change: decided in Python from loaded rows, no query each."""
    return {e.pk for e in entries if services.can_change_interaction(actor, e, person.centre_id)}


@login_required
@require_GET
def timeline(request: HttpRequest, person_id: int) -> HttpResponse:
    """The first page carries the forms and the entry list; later pages only entries."""
    actor = acting_user(request)
    person = visible_or_404(person_get, actor=actor, person_id=person_id)
    cursor = str(request.GET.get("cursor") or "")[:1000] or None
    page = selectors.timeline_page(actor=actor, person=person, cursor=cursor)
    context: dict[str, Any] = {
        "person": person,
        "page": page,
        "changeable_ids": _changeable_ids(actor, person, page.items),
    }
    if cursor:
        return render(request, "activities/_entries.html", context)
    context.update(
        can_log=actor.has_right(Right.INTERACTION_LOG),
        note_form=NoteForm(auto_id="note_%s"),
        call_form=CallForm(auto_id="call_%s"),
    )
    return render(request, "activities/_timeline.html", context)


def _entry(request: HttpRequest, person: Any, entry: Interaction) -> HttpResponse:
    changeable = _changeable_ids(acting_user(request), person, [entry])
    return render(
        request,
        "activities/_entry.html",
        {"entry": entry, "person": person, "changeable_ids": changeable},
    )


def _logged(request: HttpRequest, person: Any, entry: Any, message: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        # Prepended to #timeline-entries by the form's hx-target/hx-swap.
        return _entry(request, person, entry)
    messages.success(request, message)
    return redirect("parties:person_detail", person_id=person.pk)


def _invalid(request: HttpRequest, person: Any, template: str, form: Any) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        response = render(request, template, {"person": person, "form": form})
        return retarget(reswap(response, "outerHTML"), f"#{form.form_id}")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("parties:person_detail", person_id=person.pk)


@login_required
@require_POST
def note_create(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = acting_user(request)
    person = visible_or_404(person_get, actor=actor, person_id=person_id)
    require_right(actor, Right.INTERACTION_LOG)
    form = NoteForm(request.POST, auto_id="note_%s")
    form.form_id = "note-form"  # type: ignore[attr-defined]
    if form.is_valid():
        try:
            with service_errors():
                note = services.note_create(
                    actor=actor, person_id=person.pk, body=form.cleaned_data["body"]
                )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _logged(request, person, note, _("Note added."))
    return _invalid(request, person, "activities/_note_form.html", form)


@login_required
@require_POST
def call_log(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = acting_user(request)
    person = visible_or_404(person_get, actor=actor, person_id=person_id)
    require_right(actor, Right.INTERACTION_LOG)
    form = CallForm(request.POST, auto_id="call_%s")
    form.form_id = "call-form"  # type: ignore[attr-defined]
    if form.is_valid():
        try:
            with service_errors():
                call = services.call_log(
                    actor=actor,
                    person_id=person.pk,
                    direction=form.cleaned_data["direction"],
                    outcome=form.cleaned_data["outcome"],
                    duration_seconds=form.cleaned_data["duration"],
                    notes=form.cleaned_data["notes"],
                )
        except ValidationError as exc:
            apply_service_errors(form, exc, {"duration_seconds": "duration"})
        else:
            return _logged(request, person, call, _("Call logged."))
    return _invalid(request, person, "activities/_call_form.html", form)


def _person_and_entry(request: HttpRequest, person_id: int, interaction_id: int) -> tuple[Any, Any]:
    """The visible person and one of their entries; 404 for a hidden or missing either."""
    actor = acting_user(request)
    person = visible_or_404(person_get, actor=actor, person_id=person_id)
    entry = visible_or_404(
        selectors.interaction_get, actor=actor, interaction_id=interaction_id, person_id=person.pk
    )
    return person, entry


def _require_changeable(actor: User, person: Any, entry: Interaction) -> None:
    if not services.can_change_interaction(actor, entry, person.centre_id):
        raise PermissionDenied


@login_required
@require_GET
def interaction_entry(request: HttpRequest, person_id: int, interaction_id: int) -> HttpResponse:
    """One entry as shown on the timeline (what "Cancel" in the edit form swaps back)."""
    person, entry = _person_and_entry(request, person_id, interaction_id)
    return _entry(request, person, entry)


@login_required
@require_http_methods(["GET", "POST"])
def interaction_edit(request: HttpRequest, person_id: int, interaction_id: int) -> HttpResponse:
    """GET: the entry's edit form, swapped in place of it; POST: save, answer the entry."""
    actor = acting_user(request)
    person, entry = _person_and_entry(request, person_id, interaction_id)
    _require_changeable(actor, person, entry)
    is_note = entry.kind == Interaction.Kind.NOTE
    form_class = NoteForm if is_note else CallEditForm
    auto_id = f"entry{entry.pk}_%s"
    if request.method == "POST":
        form = form_class(request.POST, auto_id=auto_id)
        if form.is_valid():
            data = (
                form.service_data()
                if isinstance(form, CallEditForm)
                else {"body": form.cleaned_data["body"]}
            )
            try:
                with service_errors():
                    entry = services.interaction_update(
                        actor=actor, interaction_id=entry.pk, data=data
                    )
            except ValidationError as exc:
                apply_service_errors(form, exc, {"duration_seconds": "duration"})
            else:
                if request.htmx:  # type: ignore[attr-defined]
                    return _entry(request, person, entry)
                messages.success(request, _("Entry saved."))
                return redirect("parties:person_detail", person_id=person.pk)
    else:
        initial = {"body": entry.body} if is_note else CallEditForm.initial_for(entry)
        form = form_class(initial=initial, auto_id=auto_id)
    return render(
        request,
        "activities/_entry_form.html",
        {
            "person": person,
            "entry": entry,
            "form": form,
            "base_template": "web/fragment.html" if request.htmx else "base.html",  # type: ignore[attr-defined]
        },
    )


@login_required
@require_POST
def interaction_delete(request: HttpRequest, person_id: int, interaction_id: int) -> HttpResponse:
    actor = acting_user(request)
    person, entry = _person_and_entry(request, person_id, interaction_id)
    _require_changeable(actor, person, entry)
    with service_errors():
        services.interaction_delete(actor=actor, interaction_id=entry.pk)
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse("")  # the button's hx-target (the entry) is swapped for nothing
    messages.success(request, _("Entry deleted."))
    return redirect("parties:person_detail", person_id=person.pk)
