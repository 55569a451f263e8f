"""Pages of prospect distribution: the rules' summary, a centre's leads, the card panel,
taking a lead, asking for a transfer, the heads' inbox and decisions, who holds a phone,
and the conflicts-and-transfers report with its CSV.

Thin: parse, call one selector or service, render. A person or request the actor may not
see is a 404 like a missing id; a page the role may not use is a 403.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sputnik.core.roles import Right, Role
from sputnik.parties import selectors
from sputnik.parties.distribution import selectors as distribution
from sputnik.parties.distribution.forms import (
    AssignForm,
    DecisionForm,
    LookupForm,
    PeriodForm,
    TakeForm,
    TransferRequestForm,
)
from sputnik.parties.models import (
    DistributionRule,
    DistributionSettings,
    Person,
    TransferRequest,
    WorkingHours,
)
from sputnik.parties.services import distribution as services
from sputnik.parties.services._common import _as_pk
from sputnik.parties.views._common import _cursor, _is_fragment
from sputnik.web.access import acting_user, service_errors, visible_or_404
from sputnik.web.forms import apply_service_errors

NAV = "distribution"


def _may_configure_view(actor: Any) -> bool:
    return bool(actor.is_superuser or actor.role in (Role.ADMIN, Role.EXECUTIVE, Role.CENTRE_HEAD))


@login_required
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    """What the administrators configured, read-only (they edit it in the admin)."""
    actor = acting_user(request)
    if not _may_configure_view(actor):
        raise PermissionDenied
    context = {
        "nav": NAV,
        "rules": list(DistributionRule.objects.select_related("centre").order_by("priority", "pk")),
        "settings": DistributionSettings.current(),
        "hours": list(
            WorkingHours.objects.select_related("centre", "user").order_by(
                "centre__name", "user_id", "weekday", "starts"
            )[:500]
        ),
        "can_edit": actor.is_staff and actor.has_right(Right.CONFIGURE),
    }
    return render(request, "parties/distribution/rules.html", context)


@login_required
@require_GET
def leads(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    state = str(request.GET.get("state") or "")
    if state not in distribution.LEAD_FILTERS:
        state = ""
    page = distribution.leads(actor=actor, state=state, cursor=_cursor(request))
    context = {"nav": NAV, "page": page, "state": state, "states": _lead_states()}
    template = (
        "parties/distribution/_lead_rows.html"
        if _is_fragment(request) and request.GET.get("cursor")
        else "parties/distribution/leads.html"
    )
    return render(request, template, context)


def _lead_states() -> list[tuple[str, str]]:
    return [
        ("", _("All")),
        ("unassigned", _("Without a manager")),
        ("uncontacted", _("Not contacted yet")),
        ("escalated", _("Escalated")),
    ]


@login_required
@require_GET
def card_panel(request: HttpRequest, person_id: int) -> HttpResponse:
    """The card's ownership panel (lazy-loaded): holder, lead state, requests, actions."""
    actor = acting_user(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    requests = distribution.person_transfer_requests(actor=actor, person=person)
    foreign = actor.centre_id is not None and actor.centre_id != person.centre_id
    pending_from_mine = any(
        r.status == TransferRequest.Status.PENDING and r.to_centre_id == actor.centre_id
        for r in requests
    )
    may_assign = actor.has_right(Right.PARTY_TRANSFER) and (
        actor.is_superuser or actor.role == Role.ADMIN or actor.centre_id == person.centre_id
    )
    from sputnik.activities.tasks_selectors import person_tasks

    context = {
        "person": person,
        "tasks": person_tasks(actor=actor, person=person),
        "can_add_task": actor.has_right(Right.INTERACTION_LOG),
        "assignment": distribution.current_assignment(person=person),
        "escalations": distribution.open_escalations(person=person),
        "requests": requests,
        "decidable": {r.pk for r in requests if services.may_decide(actor, r)},
        "may_request": foreign and actor.has_right(Right.PARTY_EDIT) and not pending_from_mine,
        "may_take": person.owner_id is None
        and actor.has_right(Right.PARTY_EDIT)
        and actor.centre_id is not None,
        "assign_form": AssignForm(centre_id=person.centre_id) if may_assign else None,
        "decision_form": DecisionForm(),
    }
    return render(request, "parties/distribution/_card_panel.html", context)


@login_required
@require_POST
def take(request: HttpRequest) -> HttpResponse:
    """Take a lead (from the queue, or unowned in one's centre); refused with who holds it."""
    actor = acting_user(request)
    form = TakeForm(request.POST)
    if not form.is_valid():
        raise Http404
    person_id = form.cleaned_data["person"]
    try:
        with service_errors():
            services.prospect_take(actor=actor, person_id=person_id)
    except services.OwnershipConflictError as exc:
        messages.error(request, exc.message)
        url = reverse("parties:transfer_request_create") + f"?person={person_id}"
        return redirect(url)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("You now serve this customer."))
    return redirect("parties:person_detail", person_id=person_id)


@login_required
@require_POST
def assign(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = acting_user(request)
    person = visible_or_404(selectors.person_get, actor=actor, person_id=person_id)
    form = AssignForm(request.POST, centre_id=person.centre_id)
    if form.is_valid():
        try:
            with service_errors():
                services.prospect_assign(
                    actor=actor, person=person, owner_id=form.cleaned_data["owner"]
                )
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("The manager has been assigned."))
    else:
        if not actor.has_right(Right.PARTY_TRANSFER):
            raise PermissionDenied
        messages.error(request, _("Choose an active user of this centre."))
    return redirect("parties:person_detail", person_id=person.pk)


def _holder(person_id: int | None) -> Person | None:
    """The person's holder for the request page: centre and owner only are shown."""
    if person_id is None:
        return None
    return Person.objects.select_related("centre", "owner").filter(pk=person_id).first()


@login_required
@require_http_methods(["GET", "POST"])
def transfer_request_create(request: HttpRequest) -> HttpResponse:
    """Ask the holding centre for a customer. Starts from a lookup hit or a refused take,
    so the asker may not see the customer: the page shows only who holds them."""
    actor = acting_user(request)
    if not actor.has_right(Right.PARTY_EDIT):
        raise PermissionDenied
    if request.method == "POST":
        form = TransferRequestForm(request.POST)
        person_id = form.data.get("person")
    else:
        person_id = request.GET.get("person")
        form = TransferRequestForm(initial={"person": person_id})
    pk = _as_pk(person_id)
    holder = _holder(pk)
    if holder is None:
        raise Http404
    if request.method == "POST" and form.is_valid():
        try:
            with service_errors():
                services.transfer_request_create(
                    actor=actor,
                    person_id=form.cleaned_data["person"],
                    reason=form.cleaned_data["reason"],
                )
        except ValidationError as exc:
            apply_service_errors(form, exc, {"person_id": "__all__"})
        else:
            messages.success(
                request,
                _("Your request has been sent to the head of %(centre)s.")
                % {"centre": holder.centre.name},
            )
            return redirect("parties:transfer_inbox")
    visible = selectors.visible_persons(actor).filter(pk=holder.pk).exists()
    return render(
        request,
        "parties/distribution/transfer_request_form.html",
        {
            "nav": NAV,
            "form": form,
            "holder_centre": holder.centre,
            "holder_owner": holder.owner,
            "person_id": holder.pk,
            "person": holder if visible else None,
            "holder_message": services.owner_message(holder.centre, holder.owner),
        },
    )


@login_required
@require_GET
def transfer_inbox(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    box = "outgoing" if request.GET.get("box") == "outgoing" else "incoming"
    status = str(request.GET.get("status") or "")
    if box == "incoming" and "status" not in request.GET:
        status = TransferRequest.Status.PENDING
    page = distribution.transfer_requests(
        actor=actor, box=box, status=status, cursor=_cursor(request)
    )
    visible_ids = set(
        selectors.visible_persons(actor)
        .filter(pk__in=[r.person_id for r in page.items])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "parties/distribution/transfer_inbox.html",
        {
            "nav": NAV,
            "page": page,
            "box": box,
            "status": status,
            "statuses": TransferRequest.Status.choices,
            "visible_ids": visible_ids,
            "decidable": {r.pk for r in page.items if services.may_decide(actor, r)},
            "decision_form": DecisionForm(),
            "is_head": actor.role == Role.CENTRE_HEAD,
        },
    )


@login_required
@require_GET
def transfer_request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = acting_user(request)
    transfer = visible_or_404(distribution.transfer_request_get, actor=actor, request_id=request_id)
    visible = selectors.visible_persons(actor).filter(pk=transfer.person_id).exists()
    return render(
        request,
        "parties/distribution/transfer_request_detail.html",
        {
            "nav": NAV,
            "transfer": transfer,
            "person_visible": visible,
            "may_decide": services.may_decide(actor, transfer)
            and transfer.status == TransferRequest.Status.PENDING,
            "may_cancel": transfer.requested_by_id == actor.pk
            and transfer.status == TransferRequest.Status.PENDING,
            "decision_form": DecisionForm(),
        },
    )


def _decide(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    actor = acting_user(request)
    transfer = visible_or_404(distribution.transfer_request_get, actor=actor, request_id=request_id)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        with service_errors():
            if action == "approve":
                services.transfer_request_approve(actor=actor, request_id=transfer.pk, note=note)
                messages.success(request, _("Approved: the customer has moved."))
            elif action == "reject":
                services.transfer_request_reject(actor=actor, request_id=transfer.pk, note=note)
                messages.success(request, _("The request has been rejected."))
            else:
                services.transfer_request_cancel(actor=actor, request_id=transfer.pk)
                messages.success(request, _("The request has been withdrawn."))
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    target = str(request.POST.get("next") or "")
    inbox = reverse("parties:transfer_inbox")
    # After an approval the customer has left the head's centre: their card is a 404 now,
    # so only the inbox or the request itself make sense to return to.
    if action == "approve" and not target.startswith(inbox):
        target = ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("parties:transfer_request_detail", request_id=transfer.pk)


@login_required
@require_POST
def transfer_request_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, "approve")


@login_required
@require_POST
def transfer_request_reject(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, "reject")


@login_required
@require_POST
def transfer_request_cancel(request: HttpRequest, request_id: int) -> HttpResponse:
    return _decide(request, request_id, "cancel")


@login_required
@require_GET
def owner_lookup(request: HttpRequest) -> HttpResponse:
    """Who holds a phone or e-mail: the centre and manager to ask, never the customer."""
    actor = acting_user(request)
    form = LookupForm(request.GET)
    hits: list[distribution.OwnershipHit] = []
    searched = False
    if form.is_valid() and form.cleaned_data["q"]:
        q = form.cleaned_data["q"].strip()
        searched = True
        if "@" in q:
            hits = distribution.ownership_lookup(actor=actor, email=q)
        else:
            hits = distribution.ownership_lookup(actor=actor, phone=q)
    template = (
        "parties/distribution/_lookup_results.html"
        if _is_fragment(request)
        else "parties/distribution/owner_lookup.html"
    )
    return render(
        request,
        template,
        {"nav": NAV, "form": form, "hits": hits, "searched": searched, "me": actor},
    )


# --- the report -------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[PeriodForm, dt.date, dt.date]:
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=30), today
    # Unbound on a first visit, so the date fields show the default period.
    form = PeriodForm(request.GET or None, initial={"start": start, "end": end})
    if form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
        if start > end:
            start, end = end, start
    return form, start, end


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    form, start, end = _period(request)
    data = distribution.distribution_report(actor=actor, start=start, end=end)
    query = f"start={start.isoformat()}&end={end.isoformat()}"
    return render(
        request,
        "parties/distribution/report.html",
        {"nav": NAV, "form": form, "report": data, "query": query},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(actor: Any, start: dt.date, end: dt.date) -> Iterator[list[str]]:
    from sputnik.parties.exports.cells import safe_cell

    data = distribution.distribution_report(actor=actor, start=start, end=end, detail_limit=0)
    conflicts, transfers = distribution.report_detail_rows(actor=actor, start=start, end=end)

    def row(*cells: Any) -> list[str]:
        return [safe_cell("" if c is None else str(c)) for c in cells]

    yield row(_("Conflicts and transfers by centre"), start.isoformat(), end.isoformat())
    yield row(
        _("Centre"),
        _("Refused attempts on its customers"),
        _("Its refused attempts"),
        _("Transfers asked by it"),
        _("Transfers it received"),
        _("Transfers asked of it"),
        _("Approved"),
        _("Rejected"),
        _("Pending"),
    )
    for r in data.rows:
        yield row(
            r.centre_name,
            r.conflicts_refused,
            r.conflicts_attempted,
            r.transfers_in_requested,
            r.transfers_in_approved,
            r.transfers_out_requested,
            r.transfers_out_approved,
            r.transfers_out_rejected,
            r.transfers_out_pending,
        )
    yield []
    yield row(
        _("Kind"),
        _("When"),
        _("Customer id"),
        _("Holding centre"),
        _("Holding manager"),
        _("Asking centre"),
        _("Asked by"),
        _("Status"),
        _("Reason"),
    )
    for c in conflicts:
        yield row(
            _("Refused %(action)s") % {"action": c.get_action_display().lower()},
            timezone.localtime(c.at).strftime("%Y-%m-%d %H:%M"),
            c.person_id,
            c.owner_centre.name,
            c.owner.display_name if c.owner else "",
            c.attempted_centre.name if c.attempted_centre else "",
            c.attempted_by.display_name if c.attempted_by else "",
            "",
            "",
        )
    for t in transfers:
        yield row(
            _("Transfer request"),
            timezone.localtime(t.created_at).strftime("%Y-%m-%d %H:%M"),
            t.person_id,
            t.from_centre.name,
            t.from_owner.display_name if t.from_owner else "",
            t.to_centre.name,
            t.requested_by.display_name,
            t.get_status_display(),
            t.reason,
        )


@login_required
@require_GET
def report_csv(request: HttpRequest) -> StreamingHttpResponse:
    actor = acting_user(request)
    distribution.report_scope(actor)  # 403 before the stream starts
    _form, start, end = _period(request)
    writer = csv.writer(_Echo(), delimiter=";")

    def stream() -> Iterator[str]:
        yield "\ufeff"  # Excel opens UTF-8 CSV with Cyrillic correctly only after a BOM
        for r in _csv_rows(actor, start, end):
            yield writer.writerow(r)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    filename = f"distribution-{start.isoformat()}-{end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
