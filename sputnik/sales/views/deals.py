"""Deal pages: list with filters, new deal, the deal page and its parts (lines, win,
trade-in, hand-over, audit history), and the deals panel of a person's card."""

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

from sputnik.activities.selectors import timeline_page
from sputnik.core.models import Centre, User
from sputnik.core.roles import Right, Scope
from sputnik.parties.models import Company, Person
from sputnik.parties.selectors import company_get, person_assets, person_get
from sputnik.parties.views._common import _submit
from sputnik.sales.models import Deal, DealSource, StageKind
from sputnik.sales.selectors import deals as selectors
from sputnik.sales.selectors.catalogue import configurable_products
from sputnik.sales.services import deals as services
from sputnik.sales.services import tradein as tradein_services
from sputnik.sales.views.deal_forms import DealForm, LineForm, TradeInForm
from sputnik.web.access import acting_user, require_right, service_errors, visible_or_404
from sputnik.web.forms import apply_service_errors


def _is_fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and not htmx.boosted  # type: ignore[union-attr]


def _cursor(request: HttpRequest) -> str | None:
    return str(request.GET.get("cursor") or "")[:1000] or None


# --- list -------------------------------------------------------------------------------


@login_required
@require_GET
def deal_list(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    filters = selectors.DealFilters.from_params(request.GET, actor)
    page = selectors.deal_list(actor=actor, filters=filters, cursor=_cursor(request))
    pipelines = selectors.pipeline_list()
    context: dict[str, Any] = {
        "nav": "deals",
        "page": page,
        "count": selectors.deal_count_estimate(actor=actor, filters=filters),
        "paged": bool(_cursor(request)),
        "filters": filters,
        "pipelines": pipelines,
        "stages": [s for p in pipelines for s in p.stages.all() if p.pk == filters.pipeline_id],
        "statuses": StageKind.choices,
        "can_create": actor.has_right(Right.PARTY_EDIT),
    }
    if _is_fragment(request):
        response = render(request, "sales/deals/_results.html", context)
    else:
        if actor.scope == Scope.ALL:
            context["centres"] = list(Centre.objects.filter(is_active=True))
        if actor.scope != Scope.OWN:
            owners = User.objects.filter(is_active=True).order_by("last_name", "username")
            if actor.scope == Scope.CENTRE and actor.centre_id is not None:
                owners = owners.filter(centre_id=actor.centre_id)
            context["owners"] = list(owners[:300])
        response = render(request, "sales/deals/list.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- create / edit ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def deal_create(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    require_right(actor, Right.PARTY_EDIT)
    initial: dict[str, Any] = {"source": DealSource.SHOWROOM}
    person_param = str(request.GET.get("person") or "")
    if person_param.isascii() and person_param.isdigit() and len(person_param) < 19:
        try:
            person = person_get(actor=actor, person_id=int(person_param))
        except Person.DoesNotExist:
            person = None
        if person is not None:
            initial.update(person=person.pk, other_name=person.display_name)
    pipeline_param = str(request.GET.get("pipeline") or "")
    if pipeline_param.isdigit():
        initial["pipeline"] = pipeline_param
    # From a company's card: the company is fixed (a hidden field the service checks
    # again); one the user may not see is simply not offered.
    company = _visible_company_param(actor, request.POST.get("company", request.GET.get("company")))
    if company is not None:
        initial["company"] = company.pk
    form = DealForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved, deal = _submit(
            form,
            lambda: services.deal_create(actor=actor, data=form.service_data()),
            {"person_id": "other_name", "pipeline_id": "pipeline", "stage_id": "pipeline"},
        )
        if saved and deal is not None:
            messages.success(request, _("Deal created."))
            return redirect("sales:deal_detail", deal_id=deal.pk)
    return render(
        request, "sales/deals/form.html", {"form": form, "company": company, "nav": "deals"}
    )


def _visible_company_param(actor: User, raw: Any) -> Company | None:
    text = str(raw or "")
    if not (text.isascii() and text.isdigit() and len(text) < 19):
        return None
    try:
        return company_get(actor=actor, company_id=int(text))
    except Company.DoesNotExist:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def deal_edit(request: HttpRequest, deal_id: int) -> HttpResponse:
    actor = acting_user(request)
    deal = visible_or_404(selectors.deal_get, actor=actor, deal_id=deal_id)
    require_right(actor, Right.PARTY_EDIT)
    initial = {
        "title": deal.title,
        "amount": deal.amount,
        "probability": deal.probability,
        "expected_close": deal.expected_close,
        "source": deal.source,
    }
    form = DealForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST":
        saved, _deal = _submit(
            form, lambda: services.deal_update(actor=actor, deal=deal, data=form.service_data())
        )
        if saved:
            messages.success(request, _("Deal saved."))
            return redirect("sales:deal_detail", deal_id=deal.pk)
    return render(request, "sales/deals/form.html", {"form": form, "deal": deal, "nav": "deals"})


# --- the deal page ----------------------------------------------------------------------


def _deal_timeline(actor: User, deal: Deal) -> list[Any]:
    """The deal's entries on its customer's timeline (when the actor sees the customer)."""
    if deal.person_id is None:
        return []
    try:
        page = timeline_page(actor=actor, person=deal.person, size=100, kinds=["deal"])
    except Person.DoesNotExist:
        return []
    return [e for e in page.items if (e.data or {}).get("deal_id") == deal.pk]


@login_required
@require_GET
def deal_detail(request: HttpRequest, deal_id: int) -> HttpResponse:
    actor = acting_user(request)
    deal = visible_or_404(selectors.deal_card, actor=actor, deal_id=deal_id)
    changes = list(deal.stage_changes.all())
    stages = list(deal.pipeline.stages.all())
    can_edit = actor.has_right(Right.PARTY_EDIT)
    trade_in = getattr(deal, "trade_in", None) if _has_trade_in(deal) else None
    assets: list[Any] = []
    if can_edit and deal.person is not None and not deal.is_closed:
        assets = [
            a for a in person_assets(actor=actor, person=deal.person) if a.disposed_at is None
        ]
    context: dict[str, Any] = {
        "nav": "deals",
        "deal": deal,
        "lines": list(deal.lines.all()),
        "stages": stages,
        "changes": changes,
        "stage_times": selectors.time_in_stages(changes),
        "timeline": _deal_timeline(actor, deal),
        "trade_in": trade_in,
        "can_edit": can_edit,
        "line_form": LineForm(),
        "trade_in_form": TradeInForm(
            assets=assets,
            initial={
                "asset": trade_in.asset_id if trade_in else "",
                "appraised_value": trade_in.appraised_value if trade_in else "",
                "appraised_on": trade_in.appraised_on if trade_in else None,
                "notes": trade_in.notes if trade_in else "",
            },
        ),
        "open_stages": [s for s in stages if s.kind == StageKind.OPEN],
        # "Configure": only for who may change the deal's lines
        "configurable": (
            configurable_products(actor=actor) if can_edit and not deal.is_closed else []
        ),
    }
    return render(request, "sales/deals/detail.html", context)


def _has_trade_in(deal: Deal) -> bool:
    try:
        return deal.trade_in is not None
    except Deal.trade_in.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return False


@login_required
@require_GET
def deal_history(request: HttpRequest, deal_id: int) -> HttpResponse:
    actor = acting_user(request)
    deal = visible_or_404(selectors.deal_get, actor=actor, deal_id=deal_id)
    page = selectors.deal_history(actor=actor, deal=deal, cursor=_cursor(request))
    return render(request, "sales/deals/_history.html", {"deal": deal, "page": page})


@login_required
@require_POST
def deal_win(request: HttpRequest, deal_id: int) -> HttpResponse:
    actor = acting_user(request)
    deal = visible_or_404(selectors.deal_get, actor=actor, deal_id=deal_id)
    try:
        with service_errors():
            services.deal_win(actor=actor, deal=deal)
    except ValidationError as exc:
        messages.error(request, " ".join(m for msgs in exc.message_dict.values() for m in msgs))
    else:
        messages.success(request, _("The deal is won."))
    return redirect("sales:deal_detail", deal_id=deal.pk)


# --- lines ------------------------------------------------------------------------------


def _line_data(form: LineForm) -> dict[str, Any]:
    data = {k: v for k, v in form.cleaned_data.items() if k != "vin"}
    if form.cleaned_data.get("vin"):
        data["vin"] = form.cleaned_data["vin"]
    if not data.get("discount_pct"):
        data["discount_pct"] = "0"
    return data


@login_required
@require_POST
def deal_line_add(request: HttpRequest, deal_id: int) -> HttpResponse:
    actor = acting_user(request)
    deal = visible_or_404(selectors.deal_get, actor=actor, deal_id=deal_id)
    form = LineForm(request.POST)
    saved, _line = _submit(
        form, lambda: services.deal_line_add(actor=actor, deal=deal, data=_line_data(form))
    )
    if saved:
        messages.success(request, _("Line added."))
        return redirect(reverse("sales:deal_detail", kwargs={"deal_id": deal.pk}) + "#lines")
    return render(
        request, "sales/deals/line_form.html", {"deal": deal, "form": form, "nav": "deals"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def deal_line_edit(request: HttpRequest, deal_id: int, line_id: int) -> HttpResponse:
    actor = acting_user(request)
    deal = visible_or_404(selectors.deal_get, actor=actor, deal_id=deal_id)
    line = visible_or_404(selectors.line_get, actor=actor, deal=deal, line_id=line_id)
    initial = {
        "description": line.description,
        "quantity": line.quantity.normalize(),
        "unit_price": line.unit_price,
        "discount_pct": line.discount_pct.normalize(),
        "vin": line.vin,
    }
    form = LineForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved, _saved_line = _submit(
            form, lambda: services.deal_line_update(actor=actor, line=line, data=_line_data(form))
        )
        if saved:
            messages.success(request, _("Line saved."))
            return redirect(reverse("sales:deal_detail", kwargs={"deal_id": deal.pk}) + "#lines")
    return render(
        request,
        "sales/deals/line_form.html",
        {"deal": deal, "line": line, "form": form, "nav": "deals"},
    )


@login_required
@require_POST
def deal_line_delete(request: HttpRequest, deal_id: int, line_id: int) -> HttpResponse:
    actor = acting_user(request)
    deal = visible_or_404(selectors.deal_get, actor=actor, deal_id=deal_id)
    line = visible_or_404(selectors.line_get, actor=actor, deal=deal, line_id=line_id)
    try:
        with service_errors():
            services.deal_line_delete(actor=actor, line=line)
    except ValidationError as exc:
        messages.error(request, " ".join(m for msgs in exc.message_dict.values() for m in msgs))
    else:
        messages.success(request, _("Line removed."))
    return redirect(reverse("sales:deal_detail", kwargs={"deal_id": deal.pk}) + "#lines")


# --- trade-in and hand-over -------------------------------------------------------------


@login_required
@require_POST
def deal_trade_in(request: HttpRequest, deal_id: int) -> HttpResponse:
    actor = acting_user(request)
    deal = visible_or_404(selectors.deal_get, actor=actor, deal_id=deal_id)
    assets: list[Any] = []
    if deal.person is not None:
        assets = [
            a for a in person_assets(actor=actor, person=deal.person) if a.disposed_at is None
        ]
    form = TradeInForm(request.POST, assets=assets)
    if form.is_valid():
        data = {
            "asset_id": form.cleaned_data["asset"],
            "appraised_value": form.cleaned_data.get("appraised_value") or None,
            "appraised_on": form.cleaned_data.get("appraised_on"),
            "notes": form.cleaned_data.get("notes") or "",
        }
        try:
            with service_errors():
                tradein_services.tradein_set(actor=actor, deal=deal, data=data)
        except ValidationError as exc:
            apply_service_errors(form, exc, {"asset_id": "asset"})
        else:
            messages.success(request, _("Trade-in saved."))
            return redirect(reverse("sales:deal_detail", kwargs={"deal_id": deal.pk}) + "#trade-in")
    return render(
        request, "sales/deals/trade_in_form.html", {"deal": deal, "form": form, "nav": "deals"}
    )


@login_required
@require_POST
def deal_trade_in_remove(request: HttpRequest, deal_id: int) -> HttpResponse:
    actor = acting_user(request)
    deal = visible_or_404(selectors.deal_get, actor=actor, deal_id=deal_id)
    try:
        with service_errors():
            tradein_services.tradein_remove(actor=actor, deal=deal)
    except ValidationError as exc:
        messages.error(request, " ".join(m for msgs in exc.message_dict.values() for m in msgs))
    return redirect(reverse("sales:deal_detail", kwargs={"deal_id": deal.pk}) + "#trade-in")


@login_required
@require_POST
def deal_handover(request: HttpRequest, deal_id: int) -> HttpResponse:
    actor = acting_user(request)
    deal = visible_or_404(selectors.deal_get, actor=actor, deal_id=deal_id)
    try:
        with service_errors():
            tradein_services.tradein_complete(actor=actor, deal=deal)
    except ValidationError as exc:
        messages.error(request, " ".join(m for msgs in exc.message_dict.values() for m in msgs))
    else:
        messages.success(request, _("Handed over: the customer's vehicles are updated."))
    return redirect("sales:deal_detail", deal_id=deal.pk)


# --- the person's card ------------------------------------------------------------------


@login_required
@require_GET
def person_deals(request: HttpRequest, person_id: int) -> HttpResponse:
    """The deals panel of a person's card (lazy-loaded by htmx)."""
    actor = acting_user(request)
    person = visible_or_404(person_get, actor=actor, person_id=person_id)
    deals = selectors.person_deals(actor=actor, person=person)
    return _deals_panel(request, actor, "person", person.pk, deals)


# --- the company's card -----------------------------------------------------------------


@login_required
@require_GET
def company_deals(request: HttpRequest, company_id: int) -> HttpResponse:
    """The deals panel of a company's card (lazy-loaded by htmx)."""
    actor = acting_user(request)
    company = visible_or_404(company_get, actor=actor, company_id=company_id)
    deals = visible_or_404(selectors.company_deals, actor=actor, company=company)
    return _deals_panel(request, actor, "company", company.pk, deals)


def _deals_panel(
    request: HttpRequest, actor: User, holder: str, holder_id: int, deals: list[Deal]
) -> HttpResponse:
    return render(
        request,
        "sales/deals/_deals_panel.html",
        {
            "holder": holder,
            "holder_id": holder_id,
            "deals": deals,
            "can_create": actor.has_right(Right.PARTY_EDIT),
        },
    )
