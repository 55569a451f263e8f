"""What hangs off a person's card: relations, company roles, assets, important dates,
addresses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sputnik.core.models import User
from sputnik.core.roles import Right
from sputnik.parties import selectors, services
from sputnik.parties.forms import (
    AddressForm,
    AssetForm,
    CompanyRoleForm,
    ImportantDateForm,
    RelationForm,
)
from sputnik.parties.models import Asset, Person, Relation
from sputnik.parties.views._common import (
    _base,
    _done,
    _submit,
)
from sputnik.web.access import acting_user, require_right, service_errors, visible_or_404

# --- persons: what hangs off the card -----------------------------------------


def _child_form(
    request: HttpRequest,
    person_id: int,
    *,
    form_class: type[Any],
    title: str,
    save: Callable[[User, Person, Any], Any],
    success: str,
    error_map: dict[str, str] | None = None,
    form_template: str,
) -> HttpResponse:
    """GET shows the form (a fragment for HTMX), POST saves through a service."""
    actor = acting_user(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    require_right(actor, Right.PARTY_EDIT)
    card_url = reverse("parties:person_detail", args=[person.pk])
    if request.method == "POST":
        form = form_class(request.POST)
        if _submit(form, lambda: save(actor, person, form), error_map)[0]:
            messages.success(request, success)
            return _done(request, card_url)
    else:
        form = form_class()
    return render(
        request,
        "parties/child_form.html",
        {
            "nav": "persons",
            "base_template": _base(request),
            "form": form,
            "person": person,
            "title": title,
            "form_template": form_template,
            "action": request.path,
            "card_url": card_url,
        },
    )


def _save_relation(actor: User, person: Person, form: RelationForm) -> None:
    other_id = form.cleaned_data.get("other")
    # Same answer for a missing id and one outside the actor's scope.
    other = selectors.visible_persons(actor).filter(pk=other_id).first() if other_id else None
    if other is None:
        raise ValidationError({"other_id": [_("Choose a person from the suggestions.")]})
    services.relation_create(
        actor=actor,
        person=person,
        other=other,
        kind=form.cleaned_data["kind"],
        note=form.cleaned_data.get("note") or "",
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_relation_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _child_form(
        request,
        person_id,
        form_class=RelationForm,
        title=_("Add a relation"),
        save=_save_relation,
        success=_("Relation added."),
        error_map={"other_id": "other_name"},
        form_template="parties/_relation_fields.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_company_role_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _child_form(
        request,
        person_id,
        form_class=CompanyRoleForm,
        title=_("Add a role at a company"),
        # The service refuses a hidden company exactly like a missing one (a field error).
        save=lambda actor, person, form: services.company_role_create(
            actor=actor,
            person=person,
            company=form.cleaned_data.get("company"),
            title=form.cleaned_data.get("title") or "",
        ),
        success=_("Role added."),
        error_map={"company_id": "company_name"},
        form_template="parties/_company_role_fields.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_asset_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _child_form(
        request,
        person_id,
        form_class=AssetForm,
        title=_("Add a vehicle"),
        save=lambda actor, person, form: services.asset_create(
            actor=actor, person=person, data=form.service_data()
        ),
        success=_("Vehicle added."),
        form_template="parties/_asset_fields.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_date_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _child_form(
        request,
        person_id,
        form_class=ImportantDateForm,
        title=_("Add an important date"),
        save=lambda actor, person, form: services.important_date_create(
            actor=actor,
            person=person,
            label=form.cleaned_data.get("label") or "",
            date=form.cleaned_data.get("date") or "",
            yearly=bool(form.cleaned_data.get("yearly")),
        ),
        success=_("Date added."),
        form_template="parties/_simple_fields.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_address_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _child_form(
        request,
        person_id,
        form_class=AddressForm,
        title=_("Add an address"),
        save=lambda actor, person, form: services.address_create(
            actor=actor, person=person, data=form.service_data()
        ),
        success=_("Address added."),
        form_template="parties/_simple_fields.html",
    )


@login_required
@require_POST
def person_relation_delete(request: HttpRequest, person_id: int, relation_id: int) -> HttpResponse:
    actor = acting_user(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    try:
        relation = selectors.relation_get(actor=actor, relation_id=relation_id)
    except Relation.DoesNotExist as exc:
        raise Http404 from exc
    if person.pk not in (relation.person_id, relation.other_id):
        raise Http404
    require_right(actor, Right.PARTY_EDIT)
    with service_errors():
        services.relation_delete(actor=actor, relation=relation)
    messages.success(request, _("Relation removed."))
    return _done(request, reverse("parties:person_detail", args=[person.pk]))


@login_required
@require_POST
def person_asset_delete(request: HttpRequest, person_id: int, asset_id: int) -> HttpResponse:
    actor = acting_user(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    try:
        asset = selectors.asset_get(actor=actor, asset_id=asset_id)
    except Asset.DoesNotExist as exc:
        raise Http404 from exc
    if asset.person_id != person.pk:
        raise Http404
    require_right(actor, Right.PARTY_EDIT)
    with service_errors():
        services.asset_delete(actor=actor, asset=asset)
    messages.success(request, _("Vehicle removed."))
    return _done(request, reverse("parties:person_detail", args=[person.pk]))


@login_required
@require_POST
def person_company_role_delete(
    request: HttpRequest, person_id: int, company_role_id: int
) -> HttpResponse:
    actor = acting_user(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    role = visible_or_404(selectors.company_role_get, actor=actor, company_role_id=company_role_id)
    if role.person_id != person.pk:
        raise Http404
    require_right(actor, Right.PARTY_EDIT)
    with service_errors():
        services.company_role_delete(actor=actor, role=role)
    messages.success(request, _("Role removed."))
    return _done(request, reverse("parties:person_detail", args=[person.pk]))
