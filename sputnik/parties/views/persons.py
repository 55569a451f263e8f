"""Pages and HTMX fragments for persons and companies.

Thin by design: parse the request, call one selector or service, render. A record the
actor may not see is a 404 (full page and fragment alike); a missing right on a visible
record is a 403. Service ValidationErrors land on the form fields they name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from sputnik.core.custom_fields import definitions
from sputnik.core.models import User
from sputnik.core.roles import Right
from sputnik.parties import selectors, services
from sputnik.parties.forms import (
    PERSON_ERROR_MAP,
    AddressForm,
    AssetForm,
    CompanyFilterForm,
    CompanyForm,
    ImportantDateForm,
    PersonFilterForm,
    PersonForm,
    RelationForm,
    StageForm,
    TransferForm,
)
from sputnik.parties.models import Asset, Company, ContactPoint, Person, Relation
from sputnik.web.access import require_right, service_errors, visible_or_404
from sputnik.web.forms import apply_service_errors


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _is_fragment(request: HttpRequest) -> bool:
    """An HTMX swap wants the fragment; a history restore or a plain visit wants the page."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.history_restore_request and not htmx.boosted


def _cursor(request: HttpRequest) -> str | None:
    raw = str(request.GET.get("cursor") or "")
    return raw[:1000] or None


def _base(request: HttpRequest) -> str:
    return "web/fragment.html" if _is_fragment(request) else "base.html"


def _done(request: HttpRequest, url: str) -> HttpResponse:
    if _is_fragment(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _primary(contacts: list[ContactPoint], kind: str) -> ContactPoint | None:
    return next((c for c in contacts if c.kind == kind), None)


# --- persons: list, search, autocomplete -------------------------------------


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
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
    actor = _actor(request)
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
    actor = _actor(request)
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
    actor = _actor(request)
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
    actor = _actor(request)
    require_right(actor, Right.PARTY_CREATE)
    if request.method == "POST":
        form = PersonForm(request.POST, actor=actor)
        if form.is_valid():
            try:
                with service_errors():
                    person = services.person_create(actor=actor, data=form.service_data())
            except ValidationError as exc:
                apply_service_errors(form, exc, PERSON_ERROR_MAP)
            else:
                messages.success(request, _("The person has been created."))
                return redirect("parties:person_detail", person_id=person.pk)
    else:
        form = PersonForm(actor=actor)
    return _person_form_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = _actor(request)
    person = visible_or_404(selectors.person_card, actor=actor, person_id=person_id)
    require_right(actor, Right.PARTY_EDIT)
    if request.method == "POST":
        form = PersonForm(request.POST, actor=actor, instance=person)
        if form.is_valid():
            try:
                with service_errors():
                    services.person_update(actor=actor, person=person, data=form.service_data())
            except ValidationError as exc:
                apply_service_errors(form, exc, PERSON_ERROR_MAP)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("parties:person_detail", person_id=person.pk)
    else:
        form = PersonForm(actor=actor, instance=person)
    return _person_form_page(request, form, person)


@login_required
@require_POST
def person_stage(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = _actor(request)
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
    actor = _actor(request)
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
    actor = _actor(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    require_right(actor, Right.PARTY_DELETE)
    if request.method == "POST":
        with service_errors():
            services.person_delete(actor=actor, person=person)
        messages.success(request, _("The person has been deleted."))
        return redirect("parties:person_list")
    return render(request, "parties/person_delete.html", {"nav": "persons", "person": person})


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
    actor = _actor(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    require_right(actor, Right.PARTY_EDIT)
    card_url = reverse("parties:person_detail", args=[person.pk])
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                with service_errors():
                    save(actor, person, form)
            except ValidationError as exc:
                apply_service_errors(form, exc, error_map)
            else:
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
    actor = _actor(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    relation = (
        Relation.objects.filter(Q(person=person) | Q(other=person), pk=relation_id)
        .select_related("person")
        .first()
    )
    if relation is None:
        raise Http404
    require_right(actor, Right.PARTY_EDIT)
    with service_errors():
        services.relation_delete(actor=actor, relation=relation)
    messages.success(request, _("Relation removed."))
    return _done(request, reverse("parties:person_detail", args=[person.pk]))


@login_required
@require_POST
def person_asset_delete(request: HttpRequest, person_id: int, asset_id: int) -> HttpResponse:
    actor = _actor(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    asset = Asset.objects.filter(pk=asset_id, person=person).select_related("person").first()
    if asset is None:
        raise Http404
    require_right(actor, Right.PARTY_EDIT)
    with service_errors():
        services.asset_delete(actor=actor, asset=asset)
    messages.success(request, _("Vehicle removed."))
    return _done(request, reverse("parties:person_detail", args=[person.pk]))


# --- companies -----------------------------------------------------------------

COMPANY_ERROR_MAP = {
    "phones.*": "phone_",
    "emails.*": "email_",
    "custom.*": "cf_",
    "centre_id": "centre",
    "owner_id": "owner",
}


@login_required
@require_GET
def company_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    sort = str(request.GET.get("sort") or "name")
    if sort not in selectors.COMPANY_SORTS:
        sort = "name"
    centre = str(request.GET.get("centre") or "")
    page = selectors.company_list(
        actor=actor,
        q=str(request.GET.get("q") or ""),
        centre_id=int(centre) if centre.isdigit() and len(centre) < 19 else None,
        sort=sort,
        cursor=_cursor(request),
    )
    rows = []
    for company in page.items:
        contacts = list(company.contacts.all())
        rows.append(
            (
                company,
                _primary(contacts, ContactPoint.Kind.PHONE),
                _primary(contacts, ContactPoint.Kind.EMAIL),
            )
        )
    context: dict[str, Any] = {
        "nav": "companies",
        "page": page,
        "rows": rows,
        "paged": bool(_cursor(request)),
        "can_create": actor.has_right(Right.PARTY_CREATE),
    }
    if _is_fragment(request):
        response = render(request, "parties/_company_results.html", context)
    else:
        context["filter_form"] = CompanyFilterForm(request.GET, actor=actor)
        response = render(request, "parties/company_list.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def company_autocomplete(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    q = str(request.GET.get("q") or request.GET.get("employer_name") or "").strip()[:200]
    items: list[Company] = []
    if len(q) >= 2:
        items = selectors.company_list(actor=actor, q=q, size=10).items
    return render(request, "parties/_company_suggestions.html", {"items": items, "q": q})


@login_required
@require_GET
def company_detail(request: HttpRequest, company_id: int) -> HttpResponse:
    actor = _actor(request)
    company = visible_or_404(selectors.company_card, actor=actor, company_id=company_id)
    roles = list(company.person_roles.all())
    visible_ids = set(
        selectors.visible_persons(actor)
        .filter(pk__in={r.person_id for r in roles})
        .values_list("pk", flat=True)
    )
    employees = list(
        selectors.visible_persons(actor).filter(employer=company).order_by("search_name", "id")[:50]
    )
    contacts = list(company.contacts.all())
    return render(
        request,
        "parties/company_detail.html",
        {
            "nav": "companies",
            "company": company,
            "phones": [c for c in contacts if c.kind == ContactPoint.Kind.PHONE],
            "emails": [c for c in contacts if c.kind == ContactPoint.Kind.EMAIL],
            "roles": [r for r in roles if r.person_id in visible_ids],
            "employees": employees,
            "custom_defs": definitions("company"),
            "can_edit": actor.has_right(Right.PARTY_EDIT),
            "can_delete": actor.has_right(Right.PARTY_DELETE),
        },
    )


@login_required
@require_GET
def company_history(request: HttpRequest, company_id: int) -> HttpResponse:
    actor = _actor(request)
    company = visible_or_404(selectors.company_get, actor=actor, company_id=company_id)
    page = selectors.company_history(actor=actor, company=company, cursor=_cursor(request))
    more_url = reverse("parties:company_history", args=[company.pk])
    return render(
        request,
        "parties/_history.html",
        {"page": page, "more_url": more_url, "base_template": _base(request)},
    )


def _company_form_page(
    request: HttpRequest, form: CompanyForm, company: Company | None
) -> HttpResponse:
    return render(
        request,
        "parties/company_form.html",
        {"nav": "companies", "form": form, "company": company},
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require_right(actor, Right.PARTY_CREATE)
    if request.method == "POST":
        form = CompanyForm(request.POST, actor=actor)
        if form.is_valid():
            try:
                with service_errors():
                    company = services.company_create(actor=actor, data=form.service_data())
            except ValidationError as exc:
                apply_service_errors(form, exc, COMPANY_ERROR_MAP)
            else:
                messages.success(request, _("The company has been created."))
                return redirect("parties:company_detail", company_id=company.pk)
    else:
        form = CompanyForm(actor=actor)
    return _company_form_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def company_edit(request: HttpRequest, company_id: int) -> HttpResponse:
    actor = _actor(request)
    company = visible_or_404(selectors.company_card, actor=actor, company_id=company_id)
    require_right(actor, Right.PARTY_EDIT)
    if request.method == "POST":
        form = CompanyForm(request.POST, actor=actor, instance=company)
        if form.is_valid():
            try:
                with service_errors():
                    services.company_update(actor=actor, company=company, data=form.service_data())
            except ValidationError as exc:
                apply_service_errors(form, exc, COMPANY_ERROR_MAP)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("parties:company_detail", company_id=company.pk)
    else:
        form = CompanyForm(actor=actor, instance=company)
    return _company_form_page(request, form, company)


@login_required
@require_http_methods(["GET", "POST"])
def company_delete(request: HttpRequest, company_id: int) -> HttpResponse:
    actor = _actor(request)
    company = visible_or_404(selectors.company_get, actor=actor, company_id=company_id)
    require_right(actor, Right.PARTY_DELETE)
    if request.method == "POST":
        with service_errors():
            services.company_delete(actor=actor, company=company)
        messages.success(request, _("The company has been deleted."))
        return redirect("parties:company_list")
    return render(request, "parties/company_delete.html", {"nav": "companies", "company": company})
