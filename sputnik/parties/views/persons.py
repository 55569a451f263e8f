"""Person pages: list, autocomplete, card, history, create, edit, stage, transfer, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sputnik.core.custom_fields import definitions
from sputnik.core.roles import Right
from sputnik.parties import selectors, services
from sputnik.parties.forms import (
    PERSON_ERROR_MAP,
    PersonFilterForm,
    PersonForm,
    StageForm,
    TransferForm,
)
from sputnik.parties.models import ContactPoint, Person
from sputnik.parties.views._common import (
    _base,
    _cursor,
    _done,
    _is_fragment,
    _primary,
    _submit,
)
from sputnik.parties.views.dedup import duplicates_step
from sputnik.web.access import acting_user, require_right, service_errors, visible_or_404
from sputnik.web.forms import apply_service_errors

# --- persons: list, search, autocomplete -------------------------------------


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    filters = selectors.PersonFilters.from_params(request.GET, actor)
    sort = str(request.GET.get("sort") or "name")
    if sort not in selectors.PERSON_SORTS:
        sort = "name"
    page = selectors.person_list(actor=actor, filters=filters, sort=sort, cursor=_cursor(request))
    rows = []
    for person in page.items:
        contacts = list(person.contacts.all())
        rows.append(
            (
                person,
                _primary(contacts, ContactPoint.Kind.PHONE),
                _primary(contacts, ContactPoint.Kind.EMAIL),
            )
        )
    context: dict[str, Any] = {
        "nav": "persons",
        "page": page,
        "rows": rows,
        "count": selectors.person_count_estimate(actor=actor, filters=filters),
        "paged": bool(_cursor(request)),
        "can_create": actor.has_right(Right.PARTY_CREATE),
    }
    if _is_fragment(request):
        response = render(request, "parties/_person_results.html", context)
    else:
        context["filter_form"] = PersonFilterForm(request.GET, actor=actor)
        response = render(request, "parties/person_list.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def person_autocomplete(request: HttpRequest) -> HttpResponse:
    """Suggestions for picking a person: only persons the actor may see."""
    actor = acting_user(request)
    q = str(request.GET.get("q") or request.GET.get("other_name") or "").strip()[:200]
    exclude = str(request.GET.get("exclude") or "")
    items: list[Person] = []
    if len(q) >= 2:
        page = selectors.person_list(actor=actor, filters=selectors.PersonFilters(q=q), size=10)
        items = [p for p in page.items if str(p.pk) != exclude]
    rows = [(p, _primary(list(p.contacts.all()), ContactPoint.Kind.PHONE)) for p in items]
    return render(request, "parties/_person_suggestions.html", {"rows": rows, "q": q})


# --- persons: card and its fragments -------------------------------------------


@login_required
@require_GET
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = acting_user(request)
    person = visible_or_404(selectors.person_card, actor=actor, person_id=person_id)
    relations = selectors.relations_of(person)
    roles = list(person.company_roles.all())
    company_ids = {r.company_id for r in roles}
    if person.employer_id is not None:
        company_ids.add(person.employer_id)
    visible_company_ids = set(
        selectors.visible_companies(actor).filter(pk__in=company_ids).values_list("pk", flat=True)
    )
    person_ids = {other.pk for _label, _rel, other in relations}
    visible_person_ids = set(
        selectors.visible_persons(actor).filter(pk__in=person_ids).values_list("pk", flat=True)
    )
    contacts = list(person.contacts.all())
    context = {
        "nav": "persons",
        "person": person,
        "phones": [c for c in contacts if c.kind == ContactPoint.Kind.PHONE],
        "emails": [c for c in contacts if c.kind == ContactPoint.Kind.EMAIL],
        "handles": [
            c for c in contacts if c.kind in (ContactPoint.Kind.MESSENGER, ContactPoint.Kind.SOCIAL)
        ],
        # A related record outside the actor's scope is left out: its name is customer data.
        "relations": [row for row in relations if row[2].pk in visible_person_ids],
        "roles": [r for r in roles if r.company_id in visible_company_ids],
        "employer_visible": person.employer_id in visible_company_ids,
        "custom_defs": definitions("person"),
        "stage_form": StageForm(initial={"stage": person.stage}),
        "can_edit": actor.has_right(Right.PARTY_EDIT),
        "can_transfer": actor.has_right(Right.PARTY_TRANSFER),
        "can_delete": actor.has_right(Right.PARTY_DELETE),
    }
    return render(request, "parties/person_detail.html", context)


@login_required
@require_GET
def person_history(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = acting_user(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    page = selectors.person_history(actor=actor, person=person, cursor=_cursor(request))
    more_url = reverse("parties:person_history", args=[person.pk])
    return render(
        request,
        "parties/_history.html",
        {"page": page, "more_url": more_url, "base_template": _base(request)},
    )


# --- persons: create, edit, stage, transfer, delete ----------------------------


def _person_form_page(
    request: HttpRequest, form: PersonForm, person: Person | None
) -> HttpResponse:
    return render(
        request, "parties/person_form.html", {"nav": "persons", "form": form, "person": person}
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    require_right(actor, Right.PARTY_CREATE)
    if request.method == "POST":
        form = PersonForm(request.POST, actor=actor)
        # Probable duplicates are shown before saving (views/dedup.py).
        if (step := duplicates_step(request, form)) is not None:
            return step
        saved, created = _submit(
            form,
            lambda: services.person_create(actor=actor, data=form.service_data()),
            PERSON_ERROR_MAP,
        )
        if saved and created is not None:
            messages.success(request, _("The person has been created."))
            return redirect("parties:person_detail", person_id=created.pk)
    else:
        form = PersonForm(actor=actor)
    return _person_form_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = acting_user(request)
    person = visible_or_404(selectors.person_card, actor=actor, person_id=person_id)
    require_right(actor, Right.PARTY_EDIT)
    if request.method == "POST":
        form = PersonForm(request.POST, actor=actor, instance=person)
        saved, _updated = _submit(
            form,
            lambda: services.person_update(actor=actor, person=person, data=form.service_data()),
            PERSON_ERROR_MAP,
        )
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect("parties:person_detail", person_id=person.pk)
    else:
        form = PersonForm(actor=actor, instance=person)
    return _person_form_page(request, form, person)


@login_required
@require_POST
def person_stage(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = acting_user(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    require_right(actor, Right.PARTY_EDIT)
    form = StageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid stage."))
    else:
        try:
            with service_errors():
                services.person_change_stage(
                    actor=actor,
                    person=person,
                    stage=form.cleaned_data["stage"],
                    reason=form.cleaned_data["reason"],
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Stage changed."))
    return _done(request, reverse("parties:person_detail", args=[person.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def person_transfer(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = acting_user(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    require_right(actor, Right.PARTY_TRANSFER)
    if request.method == "POST":
        form = TransferForm(request.POST)
        if form.is_valid():
            owner = form.cleaned_data.get("owner")
            try:
                with service_errors():
                    services.person_transfer(
                        actor=actor,
                        person=person,
                        centre_id=int(form.cleaned_data["centre"]),
                        owner_id=int(owner) if owner else None,
                    )
            except ValidationError as exc:
                apply_service_errors(form, exc, {"centre_id": "centre", "owner_id": "owner"})
            else:
                messages.success(request, _("The person has been transferred."))
                return redirect("parties:person_detail", person_id=person.pk)
    else:
        form = TransferForm(
            initial={"centre": str(person.centre_id), "owner": str(person.owner_id or "")}
        )
    return render(
        request,
        "parties/person_transfer.html",
        {"nav": "persons", "form": form, "person": person},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_delete(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = acting_user(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    require_right(actor, Right.PARTY_DELETE)
    if request.method == "POST":
        with service_errors():
            services.person_delete(actor=actor, person=person)
        messages.success(request, _("The person has been deleted."))
        return redirect("parties:person_list")
    return render(request, "parties/person_delete.html", {"nav": "persons", "person": person})
