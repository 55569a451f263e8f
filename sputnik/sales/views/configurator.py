"""The configurator in the CRM: configure a product step by step (HTMX re-renders the
panel on each click, the price follows), then save the configuration as a line of a
deal the user may see.

The same panel serves the public page (views/public.py): `panel_context` turns a
product spec and the submitted selection into what `configurator/_panel.html` shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sputnik.core.models import User
from sputnik.parties.errors import AccessDenied
from sputnik.sales.models import Deal, Product
from sputnik.sales.selectors import catalogue as selectors
from sputnik.sales.services.configurator import (
    ProductSpec,
    configuration_choose,
    configuration_default,
    evaluate,
    option_states,
    product_spec,
)
from sputnik.web.access import visible_or_404

MAX_SUBMITTED = 200


def submitted_codes(data: Mapping[str, Any], spec: ProductSpec) -> tuple[str, ...]:
    """The selection a form carries (`codes`, several), or the default one when the form
    carries none; `pick` is the option just clicked. Unknown codes are kept so the check
    can name them (a tampered form), but no more than a sane number."""
    getlist = getattr(data, "getlist", None)
    raw = getlist("codes") if getlist else list(data.get("codes") or [])
    codes = [str(c).strip()[:50] for c in raw[:MAX_SUBMITTED] if str(c).strip()]
    if not codes and not data.get("started"):
        codes = list(configuration_default(spec))
    pick = str(data.get("pick") or "").strip()[:50]
    if pick:
        known = tuple(c for c in codes if c in spec.options)
        unknown = tuple(c for c in codes if c not in spec.options)
        state = option_states(spec, known).get(pick)
        if state is None or not (state.available or state.selected):
            # A disabled option (the button cannot be clicked; a forged post can): the
            # configuration stays as it was, and the panel shows why the option is off.
            return tuple(codes)
        return (*configuration_choose(spec, known, pick), *unknown)
    return tuple(codes)


def panel_context(spec: ProductSpec, codes: tuple[str, ...]) -> dict[str, Any]:
    result = evaluate(spec, codes)
    states = option_states(spec, result.option_codes)
    steps = []
    for index, group in enumerate(spec.groups, start=1):
        rows = [
            {"option": spec.options[code], "state": states[code]}
            for code in group.options
            if code in spec.options
        ]
        steps.append(
            {
                "number": index,
                "group": group,
                "rows": rows,
                "chosen": [spec.options[c].name for c in group.options if states[c].selected],
            }
        )
    return {"spec": spec, "result": result, "steps": steps, "codes": result.option_codes}


def _product(request: HttpRequest, product_id: int) -> Product:
    return visible_or_404(selectors.product_get, actor=request.user, product_id=product_id)


def _pricing_centre(user: User, deal: Deal | None) -> int | None:
    """Prices are the deal's centre's when configuring for a deal (what its line and
    quote will carry), else the user's own centre's."""
    return deal.centre_id if deal is not None else user.centre_id


OPEN_DEALS_SHOWN = 30


def _came_from(user: User, deal_id: Any) -> Deal | None:
    """The open deal the user is configuring for, if they see it (else none: the page
    still works, and the deal is checked again when the line is saved)."""
    from sputnik.sales.selectors.deals import visible_deals

    wanted = _deal_pk(deal_id)
    if not wanted:
        return None
    return (
        visible_deals(user)
        .filter(pk=wanted, status="open")
        .select_related("person", "centre")
        .first()
    )


def _crm_context(user: User, product: Product, came_from: Deal | None) -> dict[str, Any]:
    """What the CRM page adds to the panel: where it posts, and the user's open deals
    (visibility-scoped) to add the configuration to, the deal it came from first."""
    from django.urls import reverse

    from sputnik.sales.selectors.deals import visible_deals

    open_deals = list(
        visible_deals(user)
        .filter(status="open")
        .select_related("person")
        .order_by("-updated_at", "-id")[:OPEN_DEALS_SHOWN]
    )
    if came_from is not None:
        open_deals = [came_from, *(d for d in open_deals if d.pk != came_from.pk)]
    return {
        "product": product,
        "panel_url": reverse("sales:configurator", kwargs={"product_id": product.pk}),
        "save_url": reverse("sales:configurator_save", kwargs={"product_id": product.pk}),
        "open_deals": open_deals,
        "came_from": came_from,
        "deal_id": str(came_from.pk) if came_from is not None else "",
        "nav": "catalogue",
    }


def _deal_pk(value: Any) -> int | None:
    text = str(value or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= 18 and int(text) > 0:
        return int(text)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def configurator(request: HttpRequest, product_id: int) -> HttpResponse:
    product = _product(request, product_id)
    user: User = request.user  # type: ignore[assignment]
    data = request.POST if request.method == "POST" else request.GET
    came_from = _came_from(user, data.get("deal"))
    spec = product_spec(product, centre=_pricing_centre(user, came_from))
    codes = submitted_codes(data, spec)
    context = {**panel_context(spec, codes), **_crm_context(user, product, came_from)}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "sales/configurator/_panel.html", context)
    return render(request, "sales/configurator/page.html", context)


def _visible_deal(actor: User, deal_id: Any) -> Deal:
    from sputnik.sales.selectors.deals import deal_get

    pk = _deal_pk(deal_id)
    if pk is None or pk >= 2**63:
        raise Http404
    return visible_or_404(deal_get, actor=actor, deal_id=pk)


@login_required
@require_POST
def configurator_save(request: HttpRequest, product_id: int) -> HttpResponse:
    """Save the configuration on the page as a line of the deal named in the form, priced
    at that deal's centre; a deal the user does not see is a 404 like a missing one."""
    from sputnik.sales.services.deal_configuration import deal_line_add_configuration

    product = _product(request, product_id)
    user: User = request.user  # type: ignore[assignment]
    deal_id = request.POST.get("deal")
    deal = _visible_deal(user, deal_id) if deal_id else None
    spec = product_spec(product, centre=_pricing_centre(user, deal))
    codes = submitted_codes({"codes": request.POST.getlist("codes"), "started": "1"}, spec)
    result = evaluate(spec, codes)
    came_from = deal if deal is not None and not deal.is_closed else None
    context = {**panel_context(spec, codes), **_crm_context(user, product, came_from)}
    if not result.valid:
        context["save_errors"] = [e.message for e in result.errors]
        return render(request, "sales/configurator/page.html", context, status=400)
    if deal is None:
        context["save_errors"] = [_("Choose the deal to add the configuration to.")]
        return render(request, "sales/configurator/page.html", context, status=400)
    try:
        line = deal_line_add_configuration(
            actor=user, deal=deal, product=product, option_codes=result.option_codes
        )
    except AccessDenied as exc:
        if exc.args and exc.args[0] == "not visible":
            raise Http404 from exc
        context["save_errors"] = [_("You do not have the right to do this.")]
        return render(request, "sales/configurator/page.html", context, status=403)
    except ValidationError as exc:
        context["save_errors"] = exc.messages
        return render(request, "sales/configurator/page.html", context, status=400)
    messages.success(request, _("The configuration was added to the deal."))
    return redirect(reverse("sales:deal_detail", kwargs={"deal_id": line.deal_id}) + "#lines")
