"""The pipeline board: columns of cards, "load more" per column, and the drag-and-drop
move (SortableJS posts it through htmx; see static/sales/board.js)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sputnik.core.models import User
from sputnik.core.roles import Right
from sputnik.sales.models import Deal, Pipeline, PipelineStage
from sputnik.sales.selectors import deals as selectors
from sputnik.sales.services import deals as services
from sputnik.sales.views.deal_forms import LoseForm, MoveForm
from sputnik.web.access import acting_user, service_errors, visible_or_404
from sputnik.web.templatetags.sputnik_ui import money


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _pipeline_or_404(pipeline_id: int) -> Pipeline:
    try:
        return selectors.pipeline_get(pipeline_id=pipeline_id)
    except Pipeline.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def board_default(request: HttpRequest) -> HttpResponse:
    pipelines = selectors.pipeline_list()
    if not pipelines:
        raise Http404
    return redirect("sales:board", pipeline_id=pipelines[0].pk)


@login_required
@require_GET
def board(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    actor = acting_user(request)
    pipelines = selectors.pipeline_list()
    pipeline = next((p for p in pipelines if p.pk == pipeline_id), None)
    if pipeline is None:
        raise Http404
    data = selectors.board(actor=actor, pipeline=pipeline)
    context: dict[str, Any] = {
        "nav": "deals",
        "board": data,
        "pipeline": pipeline,
        "pipelines": pipelines,
        "can_move": actor.has_right(Right.PARTY_EDIT),
        "closed_days": selectors.CLOSED_WINDOW_DAYS,
        "deals_url": reverse("sales:deal_list"),
    }
    return render(request, "sales/board/board.html", context)


@login_required
@require_GET
def board_column(request: HttpRequest, pipeline_id: int, stage_id: int) -> HttpResponse:
    """The next cards of a column, swapped in place of its "load more" button."""
    actor = acting_user(request)
    pipeline = _pipeline_or_404(pipeline_id)
    stage = next((s for s in pipeline.stages.all() if s.pk == stage_id), None)
    if stage is None:
        raise Http404
    cursor = str(request.GET.get("cursor") or "")[:1000] or None
    page = selectors.board_column_page(actor=actor, stage=stage, cursor=cursor)
    return render(
        request,
        "sales/board/_cards.html",
        {
            "cards": page.items,
            "next_cursor": page.next_cursor,
            "stage": stage,
            "pipeline": pipeline,
            "can_move": actor.has_right(Right.PARTY_EDIT),
            "deals_url": reverse("sales:deal_list"),
        },
    )


def _column_figures(actor: User, stages: list[PipelineStage]) -> dict[str, dict[str, str]]:
    totals = selectors.board_totals(actor=actor, stages=stages)
    return {
        str(s.pk): {
            "count": str(totals.get(s.pk, {}).get("n", 0)),
            "total": money(totals.get(s.pk, {}).get("total") or 0, 0),
        }
        for s in stages
    }


def _refusal(request: HttpRequest, deal: Deal, exc: ValidationError) -> HttpResponse:
    text = " ".join(str(m) for msgs in exc.message_dict.values() for m in msgs)
    if _is_htmx(request):
        return JsonResponse({"ok": False, "message": text}, status=422)
    messages.error(request, text)
    return redirect("sales:deal_detail", deal_id=deal.pk)


@login_required
@require_POST
def deal_move(request: HttpRequest, deal_id: int) -> HttpResponse:
    """Save a drop (stage + position in the column) or a stage chosen on the deal page.

    Answers htmx with JSON: the new figures of every column, or 422 with the message the
    board shows while the card goes back. A lost stage needs a reason: the board asks
    for it in a dialog that posts to deal_lose.
    """
    actor = acting_user(request)
    deal = visible_or_404(selectors.deal_get, actor=actor, deal_id=deal_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _refusal(
            request,
            deal,
            ValidationError({"stage": [_("Choose a stage of this deal's pipeline.")]}),
        )
    try:
        with service_errors():
            services.deal_move(
                actor=actor,
                deal=deal,
                stage=form.cleaned_data["stage"],
                position=form.cleaned_data.get("position"),
            )
    except ValidationError as exc:
        if "lost_reason" in exc.message_dict and _is_htmx(request):
            return JsonResponse(
                {
                    "ok": False,
                    "needs_reason": True,
                    "lose_url": reverse("sales:deal_lose", kwargs={"deal_id": deal.pk}),
                    "message": " ".join(exc.message_dict["lost_reason"]),
                },
                status=422,
            )
        if "lost_reason" in exc.message_dict:
            return redirect("sales:deal_lose", deal_id=deal.pk)
        return _refusal(request, deal, exc)
    if _is_htmx(request):
        stages = list(deal.pipeline.stages.order_by("position", "id"))
        return JsonResponse({"ok": True, "columns": _column_figures(actor, stages)})
    messages.success(request, _("The deal was moved."))
    return redirect("sales:deal_detail", deal_id=deal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def deal_lose(request: HttpRequest, deal_id: int) -> HttpResponse:
    """Ask why the deal was lost (a dialog on the board, a page elsewhere), then close it."""
    actor = acting_user(request)
    deal = visible_or_404(selectors.deal_get, actor=actor, deal_id=deal_id)
    form = LoseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with service_errors():
                services.deal_lose(
                    actor=actor,
                    deal=deal,
                    reason=int(form.cleaned_data["reason"]),
                    note=form.cleaned_data.get("note") or "",
                )
        except ValidationError as exc:
            for msgs in exc.message_dict.values():
                form.add_error(None, list(msgs))
        else:
            messages.success(request, _("The deal was closed as lost."))
            url = reverse("sales:deal_detail", kwargs={"deal_id": deal.pk})
            if request.POST.get("next") == "board":
                url = reverse("sales:board", kwargs={"pipeline_id": deal.pipeline_id})
            if _is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    template = "sales/deals/_lose_form.html" if _is_htmx(request) else "sales/deals/lose.html"
    return render(
        request,
        template,
        {"deal": deal, "form": form, "nav": "deals", "next": request.GET.get("next", "")},
    )
