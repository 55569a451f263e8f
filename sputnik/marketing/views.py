"""CRM pages for lead forms: the list with counts, the builder, and a form's page with its
embeddable snippets and its submissions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sputnik.core.roles import Right
from sputnik.marketing import selectors, services
from sputnik.marketing.forms import BUILDER_ERROR_MAP, LeadFormBuilder
from sputnik.marketing.models import FormSubmission, LeadForm
from sputnik.marketing.snippets import snippet_html, snippet_iframe
from sputnik.parties.selectors import person_get
from sputnik.parties.views._common import _submit
from sputnik.web.access import acting_user, require_right, visible_or_404


@login_required
@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    context = {
        "nav": "lead_forms",
        "rows": selectors.leadform_list(actor=actor),
        "can_manage": selectors.may_manage_forms(actor),
    }
    return render(request, "marketing/form_list.html", context)


def _builder_page(
    request: HttpRequest, builder: LeadFormBuilder, lead_form: LeadForm | None
) -> HttpResponse:
    context = {"nav": "lead_forms", "form": builder, "lead_form": lead_form}
    return render(request, "marketing/form_builder.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def form_create(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    require_right(actor, Right.FORM_MANAGE)
    if request.method == "POST":
        builder = LeadFormBuilder(request.POST)
        saved, lead_form = _submit(
            builder,
            lambda: services.leadform_create(actor=actor, data=builder.service_data()),
            BUILDER_ERROR_MAP,
        )
        if saved and lead_form is not None:
            return redirect("marketing:form_detail", form_id=lead_form.pk)
    else:
        initial = LeadFormBuilder.initial_for(
            LeadForm(
                fields=services.DEFAULT_FIELDS,
                consents=services.DEFAULT_CONSENTS,
                is_active=True,
            )
        )
        builder = LeadFormBuilder(initial=initial)
    return _builder_page(request, builder, None)


@login_required
@require_http_methods(["GET", "POST"])
def form_edit(request: HttpRequest, form_id: int) -> HttpResponse:
    actor = acting_user(request)
    # The right first: forms are configuration, so a missing one tells nobody anything.
    require_right(actor, Right.FORM_MANAGE)
    lead_form = visible_or_404(selectors.leadform_get, actor=actor, form_id=form_id)
    if request.method == "POST":
        builder = LeadFormBuilder(request.POST)
        saved, _saved_form = _submit(
            builder,
            lambda: services.leadform_update(
                actor=actor, form=lead_form, data=builder.service_data()
            ),
            BUILDER_ERROR_MAP,
        )
        if saved:
            return redirect("marketing:form_detail", form_id=lead_form.pk)
    else:
        builder = LeadFormBuilder(instance=lead_form)
    return _builder_page(request, builder, lead_form)


@login_required
@require_GET
def form_detail(request: HttpRequest, form_id: int) -> HttpResponse:
    actor = acting_user(request)
    lead_form = visible_or_404(selectors.leadform_get, actor=actor, form_id=form_id)
    status = str(request.GET.get("status") or "")
    if status not in FormSubmission.Status.values:
        status = ""
    cursor = str(request.GET.get("cursor") or "")[:1000] or None
    page = selectors.submission_list(actor=actor, form=lead_form, status=status, cursor=cursor)
    persons = selectors.persons_by_id(
        actor=actor, ids={s.person_id for s in page.items if s.person_id is not None}
    )
    can_manage = selectors.may_manage_forms(actor)
    context: dict[str, Any] = {
        "nav": "lead_forms",
        "lead_form": lead_form,
        "counts": selectors.submission_counts(actor=actor, form=lead_form),
        "page": page,
        "rows": [(s, persons.get(s.person_id or 0)) for s in page.items],
        "status": status,
        "statuses": FormSubmission.Status.choices,
        "can_manage": can_manage,
        "public_url": request.build_absolute_uri(
            reverse("marketing:public_form", kwargs={"public_key": lead_form.public_key})
        ),
    }
    if can_manage:
        context["snippet_html"] = snippet_html(request, lead_form)
        context["snippet_iframe"] = snippet_iframe(request, lead_form)
        context["wordings"] = list(lead_form.wordings.all()[:10])
    if not page.items and not cursor:
        context["empty_message"] = _("No submissions yet.")
    return render(request, "marketing/form_detail.html", context)


@login_required
@require_GET
def person_submissions(request: HttpRequest, person_id: int) -> HttpResponse:
    """The web-form panel of a person's card (lazy-loaded): where their requests came from."""
    actor = acting_user(request)
    person = visible_or_404(person_get, actor=actor, person_id=person_id)
    rows = selectors.person_submissions(actor=actor, person=person)
    return render(request, "marketing/_person_panel.html", {"person": person, "rows": rows})
