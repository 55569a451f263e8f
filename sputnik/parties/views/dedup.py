"""Pages for duplicates: the check while typing, the "possible duplicates" step before a
new person is saved, the review queue, a cluster, and the merge screen.

Thin like the other party views: parse, call one selector or service, render.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sputnik.core.custom_fields import definitions
from sputnik.core.roles import Right
from sputnik.parties import selectors
from sputnik.parties.dedup import selectors as dedup_selectors
from sputnik.parties.dedup import services as dedup_services
from sputnik.parties.dedup.entry import Candidate, probable_duplicates
from sputnik.parties.forms import PersonForm
from sputnik.parties.models import DuplicateCluster, Person
from sputnik.parties.services.merge import (
    MERGED,
    SURVIVOR,
    FieldChoice,
    merge_choices,
    merge_fingerprint,
    person_merge,
)
from sputnik.parties.views._common import _cursor
from sputnik.web.access import acting_user, require_right, service_errors, visible_or_404

# --- on entry ---------------------------------------------------------------------------


def _entry_data(post: Any) -> dict[str, Any]:
    """What the half-filled form says so far (no validation: the user is still typing)."""
    birthday = None
    raw = str(post.get("birthday") or "").strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            birthday = dt.datetime.strptime(raw, fmt).date()
            break
        except ValueError:
            continue
    return {
        "last_name": str(post.get("last_name") or "")[:100],
        "first_name": str(post.get("first_name") or "")[:100],
        "middle_name": str(post.get("middle_name") or "")[:100],
        "birthday": birthday,
        "phones": [str(v)[:40] for k, v in post.items() if k.startswith("phone_") and v][:20],
        "emails": [str(v)[:300] for k, v in post.items() if k.startswith("email_") and v][:20],
    }


@login_required
@require_POST
def person_duplicates_check(request: HttpRequest) -> HttpResponse:
    """HTMX: probable duplicates of the person being typed into the new-person form."""
    actor = acting_user(request)
    data = _entry_data(request.POST)
    candidates: list[Candidate] = []
    if (
        len((data["last_name"] + data["first_name"]).strip()) >= 2
        or data["phones"]
        or data["emails"]
    ):
        candidates = probable_duplicates(actor=actor, data=data)
    return render(
        request, "parties/dedup/_entry_hints.html", {"candidates": candidates, "live": True}
    )


def duplicates_step(request: HttpRequest, form: PersonForm) -> HttpResponse | None:
    """Before a new person is saved: the "possible duplicates" step, or None to go on.

    The step shows the same form again with the candidates listed above the buttons;
    "Create anyway" re-submits it with allow_duplicate=1.
    """
    if request.POST.get("allow_duplicate") == "1" or not form.is_valid():
        return None
    candidates = probable_duplicates(actor=acting_user(request), data=form.service_data())
    if not candidates:
        return None
    return render(
        request,
        "parties/person_form.html",
        {"nav": "persons", "form": form, "person": None, "duplicates": candidates},
    )


@login_required
@require_GET
def person_duplicates_panel(request: HttpRequest, person_id: int) -> HttpResponse:
    """HTMX on the card: persons this one probably duplicates, each with "Compare and merge"."""
    actor = acting_user(request)
    person = visible_or_404(selectors.person_card, actor=actor, person_id=person_id)
    contacts = list(person.contacts.all())
    data = {
        "last_name": person.last_name,
        "first_name": person.first_name,
        "middle_name": person.middle_name,
        "birthday": person.birthday,
        "phones": [c.value for c in contacts if c.kind == "phone"],
        "emails": [c.value for c in contacts if c.kind == "email"],
        "exclude_id": person.pk,
    }
    # Only visible ones: the card offers merging, and a hidden record cannot be merged here.
    candidates = [c for c in probable_duplicates(actor=actor, data=data) if not c.hidden]
    return render(
        request,
        "parties/dedup/_card_panel.html",
        {
            "person": person,
            "candidates": candidates,
            "can_merge": actor.has_right(Right.PARTY_EDIT),
        },
    )


# --- review queue -------------------------------------------------------------------------


@login_required
@require_GET
def dedup_queue(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    status = str(request.GET.get("status") or DuplicateCluster.Status.OPEN)
    if status not in DuplicateCluster.Status.values:
        status = DuplicateCluster.Status.OPEN
    page = dedup_selectors.cluster_queue(actor=actor, status=status, cursor=_cursor(request))
    return render(
        request,
        "parties/dedup/queue.html",
        {
            "nav": "duplicates",
            "page": page,
            "status": status,
            "statuses": DuplicateCluster.Status.choices,
            "run": dedup_selectors.latest_run(),
            "can_run": actor.has_right(Right.CONFIGURE),
        },
    )


@login_required
def dedup_run(request: HttpRequest) -> HttpResponse:
    actor = acting_user(request)
    require_right(actor, Right.CONFIGURE)  # before the method: a refusal is a refusal
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with service_errors():
        _run, created = dedup_services.dedup_run_start(actor=actor)
    if created:
        messages.success(request, _("The search for duplicates has started."))
    else:
        messages.info(request, _("A search for duplicates is already running."))
    return redirect("parties:dedup_queue")


@login_required
def dedup_run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """HTMX: the progress bar of a run, polled while it runs."""
    require_right(acting_user(request), Right.CONFIGURE)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    run = visible_or_404(dedup_selectors.run_get, run_id=run_id)
    return render(request, "parties/dedup/_run.html", {"run": run, "can_run": True})


@login_required
@require_GET
def dedup_cluster(request: HttpRequest, cluster_id: int) -> HttpResponse:
    actor = acting_user(request)
    view = visible_or_404(dedup_selectors.cluster_get, actor=actor, cluster_id=cluster_id)
    return render(
        request,
        "parties/dedup/cluster.html",
        {
            "nav": "duplicates",
            "view": view,
            "cluster": view.cluster,
            "can_edit": actor.has_right(Right.PARTY_EDIT),
        },
    )


@login_required
@require_POST
def dedup_dismiss(request: HttpRequest, cluster_id: int) -> HttpResponse:
    actor = acting_user(request)
    view = visible_or_404(dedup_selectors.cluster_get, actor=actor, cluster_id=cluster_id)
    require_right(actor, Right.PARTY_EDIT)
    raw = request.POST.get("person")
    person_ids = None
    if raw:
        if not str(raw).isdigit() or int(raw) not in {p.pk for p in view.members}:
            raise Http404
        person_ids = [int(raw)]
    with service_errors():
        cluster = dedup_services.cluster_dismiss(
            actor=actor, cluster=view.cluster, person_ids=person_ids
        )
    messages.success(request, _("Marked as not duplicates; later searches will not propose it."))
    if cluster.status == DuplicateCluster.Status.OPEN:
        return redirect("parties:dedup_cluster", cluster_id=cluster.pk)
    return redirect("parties:dedup_queue")


# --- merge ------------------------------------------------------------------------------


def _field_label(name: str, custom_labels: dict[str, str]) -> str:
    if name.startswith("custom:"):
        return custom_labels.get(name.removeprefix("custom:"), name.removeprefix("custom:"))
    field = Person._meta.get_field(name.removesuffix("_id"))
    label = str(getattr(field, "verbose_name", name))
    return label[:1].upper() + label[1:]  # "VIP" and "utm_source" keep their own case


def _shown(name: str, value: Any, person: Person, employers: dict[int, str]) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "employer_id":
        return employers.get(value, _("a company you cannot see"))
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if name in ("stage", "family_status", "source"):
        choices = getattr(Person._meta.get_field(name), "choices", None) or []
        return str(dict(choices).get(value, value))
    return str(value)


def _merge_rows(
    actor: Any, survivor: Person, merged: Person, posted: Any = None
) -> list[dict[str, Any]]:
    rows: list[FieldChoice] = merge_choices(survivor, merged)
    labels = {d.key: d.label for d in definitions("person")}
    employer_ids = {
        v for r in rows if r.name == "employer_id" for v in (r.survivor_value, r.merged_value) if v
    }
    employers = dict(
        selectors.visible_companies(actor).filter(pk__in=employer_ids).values_list("pk", "name")
    )
    out = []
    for row in rows:
        picked = (posted or {}).get(f"pick_{row.name}") or row.default
        out.append(
            {
                "name": row.name,
                "label": _field_label(row.name, labels),
                "differs": row.differs,
                "survivor": _shown(row.name, row.survivor_value, survivor, employers),
                "merged": _shown(row.name, row.merged_value, merged, employers),
                "picked": picked if picked in (SURVIVOR, MERGED) else row.default,
            }
        )
    return out


def _other_id(request: HttpRequest) -> int:
    raw = str(request.POST.get("other") or request.GET.get("with") or "")
    if not (raw.isascii() and raw.isdigit() and 0 < len(raw) < 19):
        raise Http404
    return int(raw)


@login_required
@require_http_methods(["GET", "POST"])
def person_merge_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """Two records side by side; the user picks each field's value; the rest is united.

    `person_id` survives; `?with=<id>` (a POST's `other`) is merged into it. Either one
    hidden from the actor is a 404, exactly like a missing id.
    """
    actor = acting_user(request)
    survivor = visible_or_404(selectors.person_card, actor=actor, person_id=person_id)
    merged = visible_or_404(selectors.person_card, actor=actor, person_id=_other_id(request))
    require_right(actor, Right.PARTY_EDIT)
    cluster_id = str(request.POST.get("cluster") or request.GET.get("cluster") or "")
    cluster_id = cluster_id if cluster_id.isascii() and cluster_id.isdigit() else ""
    errors: list[str] = []
    if survivor.pk == merged.pk:
        errors.append(_("A person cannot be merged with themselves."))
    elif request.method == "POST":
        choices = {
            key.removeprefix("pick_"): str(value)
            for key, value in request.POST.items()
            if key.startswith("pick_")
        }
        fingerprints = {}
        for person in (survivor, merged):
            fp = request.POST.get(f"fp_{person.pk}")
            fingerprints[person.pk] = str(fp or "-")
        try:
            with service_errors():
                kept = person_merge(
                    actor=actor,
                    survivor=survivor,
                    merged=merged,
                    choices=choices,
                    fingerprints=fingerprints,
                )
        except ValidationError as exc:
            errors.extend(exc.messages)
        else:
            messages.success(
                request,
                _("%(merged)s has been merged into %(kept)s.")
                % {"merged": merged.display_name, "kept": kept.display_name},
            )
            if cluster_id:
                still_open = dedup_selectors.visible_clusters(actor).filter(
                    pk=int(cluster_id), status=DuplicateCluster.Status.OPEN
                )
                if still_open.exists():
                    return redirect("parties:dedup_cluster", cluster_id=int(cluster_id))
            return redirect("parties:person_detail", person_id=kept.pk)
        # A stale screen shows the records as they are now.
        survivor = visible_or_404(selectors.person_card, actor=actor, person_id=survivor.pk)
        merged = visible_or_404(selectors.person_card, actor=actor, person_id=merged.pk)
    posted = request.POST if request.method == "POST" and not errors else None
    context = {
        "nav": "duplicates",
        "survivor": survivor,
        "merged": merged,
        "rows": _merge_rows(actor, survivor, merged, posted),
        "fingerprints": {
            "survivor": merge_fingerprint(survivor),
            "merged": merge_fingerprint(merged),
        },
        "errors": errors,
        "cluster_id": cluster_id,
        "swap_url": reverse("parties:person_merge", args=[merged.pk])
        + f"?with={survivor.pk}"
        + (f"&cluster={cluster_id}" if cluster_id else ""),
        "same": survivor.pk == merged.pk,
    }
    return render(
        request,
        "parties/dedup/merge.html",
        context,
        status=400 if errors and request.method == "POST" else 200,
    )
