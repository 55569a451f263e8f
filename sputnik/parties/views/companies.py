"""Company pages: list, autocomplete, card, history, create, edit, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sputnik.core.custom_fields import definitions
from sputnik.core.roles import Right
from sputnik.parties import selectors, services
from sputnik.parties.forms import (
    CompanyFilterForm,
    CompanyForm,
)
from sputnik.parties.models import Company, ContactPoint
from sputnik.parties.views._common import (
    _base,
    _cursor,
    _is_fragment,
    _primary,
    _submit,
)
from sputnik.web.access import acting_user, require_right, service_errors, visible_or_404

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
    actor = acting_user(request)
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
    actor = acting_user(request)
    raw = (
        request.GET.get("q")
        or request.GET.get("employer_name")
        or request.GET.get("company_name")  # the card's "add a role at a company" form
        or ""
    )
    q = str(raw).strip()[:200]
    items: list[Company] = []
    if len(q) >= 2:
        items = selectors.company_list(actor=actor, q=q, size=10).items
    return render(request, "parties/_company_suggestions.html", {"items": items, "q": q})


@login_required
@require_GET
def company_detail(request: HttpRequest, company_id: int) -> HttpResponse:
    actor = acting_user(request)
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
    actor = acting_user(request)
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
    actor = acting_user(request)
    require_right(actor, Right.PARTY_CREATE)
    if request.method == "POST":
        form = CompanyForm(request.POST, actor=actor)
        saved, created = _submit(
            form,
            lambda: services.company_create(actor=actor, data=form.service_data()),
            COMPANY_ERROR_MAP,
        )
        if saved and created is not None:
            messages.success(request, _("The company has been created."))
            return redirect("parties:company_detail", company_id=created.pk)
    else:
        form = CompanyForm(actor=actor)
    return _company_form_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def company_edit(request: HttpRequest, company_id: int) -> HttpResponse:
    actor = acting_user(request)
    company = visible_or_404(selectors.company_card, actor=actor, company_id=company_id)
    require_right(actor, Right.PARTY_EDIT)
    if request.method == "POST":
        form = CompanyForm(request.POST, actor=actor, instance=company)
        saved, _updated = _submit(
            form,
            lambda: services.company_update(actor=actor, company=company, data=form.service_data()),
            COMPANY_ERROR_MAP,
        )
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect("parties:company_detail", company_id=company.pk)
    else:
        form = CompanyForm(actor=actor, instance=company)
    return _company_form_page(request, form, company)


@login_required
@require_http_methods(["GET", "POST"])
def company_delete(request: HttpRequest, company_id: int) -> HttpResponse:
    actor = acting_user(request)
    company = visible_or_404(selectors.company_get, actor=actor, company_id=company_id)
    require_right(actor, Right.PARTY_DELETE)
    if request.method == "POST":
        with service_errors():
            services.company_delete(actor=actor, company=company)
        messages.success(request, _("The company has been deleted."))
        return redirect("parties:company_list")
    return render(request, "parties/company_delete.html", {"nav": "companies", "company": company})
