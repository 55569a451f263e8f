"""Reads of distribution: transfer requests, a centre's leads, ownership lookups, the report.

Transfer requests are seen by whoever asked, the heads of both centres, executives and
administrators; anyone else gets the missing-id answer. Leads are current assignments of
persons the actor sees. The report is for centre heads (their centre) and for executives
and administrators (every centre).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from sputnik.core.models import Centre, User
from sputnik.core.normalize import try_normalize_email, try_normalize_phone
from sputnik.core.paging import Page, keyset_page
from sputnik.core.roles import Role
from sputnik.parties.models import (
    ContactPoint,
    Escalation,
    OwnershipConflict,
    Person,
    ProspectAssignment,
    TransferRequest,
)
from sputnik.parties.selectors import visible_persons


def _network_wide(actor: User) -> bool:
    return bool(actor.is_superuser or actor.role in (Role.ADMIN, Role.EXECUTIVE))


def visible_transfer_requests(actor: User) -> QuerySet[TransferRequest]:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return TransferRequest.objects.none()
    if _network_wide(actor):
        return TransferRequest.objects.all()
    mine = Q(requested_by=actor)
    if actor.role == Role.CENTRE_HEAD and actor.centre_id is not None:
        mine |= Q(from_centre_id=actor.centre_id) | Q(to_centre_id=actor.centre_id)
    return TransferRequest.objects.filter(mine)


def transfer_request_get(*, actor: User, request_id: int) -> TransferRequest:
    return (
        visible_transfer_requests(actor)
        .select_related(
            "person", "from_centre", "to_centre", "requested_by", "decided_by", "from_owner"
        )
        .get(pk=request_id)
    )


def transfer_requests(
    *,
    actor: User,
    box: str = "incoming",
    status: str = "",
    cursor: str | None = None,
    size: int = 50,
) -> Page[TransferRequest]:
    """incoming: asked of the actor's centre (all, for network-wide roles); outgoing: asked
    by the actor or, for a head, by their centre."""
    qs = visible_transfer_requests(actor)
    network = _network_wide(actor)
    if box == "outgoing":
        if actor.role == Role.CENTRE_HEAD and actor.centre_id is not None:
            qs = qs.filter(Q(to_centre_id=actor.centre_id) | Q(requested_by=actor))
        elif not network:
            qs = qs.filter(requested_by=actor)
    elif not network:
        qs = qs.filter(from_centre_id=actor.centre_id or 0)
    if status in TransferRequest.Status.values:
        qs = qs.filter(status=status)
    qs = qs.select_related(
        "person", "from_centre", "to_centre", "requested_by", "from_owner", "decided_by"
    )
    return keyset_page(qs, order=("-created_at", "-id"), cursor=cursor, size=min(max(size, 1), 200))


def person_transfer_requests(*, actor: User, person: Person) -> list[TransferRequest]:
    """Pending and recent requests about a person the caller fetched visibly."""
    return list(
        visible_transfer_requests(actor)
        .filter(person=person)
        .select_related("from_centre", "to_centre", "requested_by", "decided_by")
        .order_by("-created_at", "-id")[:10]
    )


def current_assignment(*, person: Person) -> ProspectAssignment | None:
    return (
        ProspectAssignment.objects.filter(person=person, is_current=True)
        .select_related("centre", "owner", "rule")
        .first()
    )


def open_escalations(*, person: Person) -> list[Escalation]:
    return list(
        Escalation.objects.filter(person=person, resolved_at__isnull=True).order_by("created_at")
    )


# --- leads ------------------------------------------------------------------------------

LEAD_FILTERS = ("", "unassigned", "uncontacted", "escalated")


def leads(
    *,
    actor: User,
    state: str = "",
    centre_id: int | None = None,
    cursor: str | None = None,
    size: int = 50,
) -> Page[ProspectAssignment]:
    """Current assignments of persons the actor sees, newest first, by state."""
    qs = ProspectAssignment.objects.filter(
        is_current=True, person__in=visible_persons(actor).values("pk")
    )
    if centre_id:
        qs = qs.filter(centre_id=centre_id)
    if state == "unassigned":
        qs = qs.filter(owner__isnull=True)
    elif state == "uncontacted":
        qs = qs.filter(owner__isnull=False, contacted_at__isnull=True)
    elif state == "escalated":
        qs = qs.filter(
            Exists(Escalation.objects.filter(assignment=OuterRef("pk"), resolved_at__isnull=True))
        )
    qs = qs.select_related("person", "centre", "owner", "rule").annotate(
        escalated=Exists(
            Escalation.objects.filter(assignment=OuterRef("pk"), resolved_at__isnull=True)
        )
    )
    return keyset_page(
        qs, order=("-assigned_at", "-id"), cursor=cursor, size=min(max(size, 1), 200)
    )


# --- who holds a phone or e-mail ------------------------------------------------------------


@dataclass(frozen=True)
class OwnershipHit:
    """Who holds a person found by phone or e-mail: organisation data only, plus the id
    that a transfer request needs. The person's name is shown only when visible."""

    person_id: int
    centre_id: int
    centre_name: str
    owner_name: str
    visible: bool
    display_name: str = ""


def ownership_lookup(*, actor: User, phone: str = "", email: str = "") -> list[OwnershipHit]:
    """Who holds the persons with this phone or e-mail, for anyone entering a new lead.

    V3: a centre must learn that another holds a customer (and whom to ask) without
    reading the customer's record, so a hidden hit carries centre and manager only.
    """
    if actor is None or not actor.is_authenticated:
        return []
    if phone:
        kind, value = ContactPoint.Kind.PHONE, try_normalize_phone(phone)
    elif email:
        kind, value = ContactPoint.Kind.EMAIL, try_normalize_email(email)
    else:
        return []
    if value is None:
        return []
    ids = list(
        ContactPoint.objects.filter(kind=kind, value=value, person__isnull=False)
        .values_list("person_id", flat=True)
        .order_by("person_id")[:20]
    )
    persons = Person.objects.filter(pk__in=ids).select_related("centre", "owner").order_by("pk")
    visible = set(visible_persons(actor).filter(pk__in=ids).values_list("pk", flat=True))
    return [
        OwnershipHit(
            person_id=p.pk,
            centre_id=p.centre_id,
            centre_name=p.centre.name,
            owner_name=p.owner.display_name if p.owner else "",
            visible=p.pk in visible,
            display_name=p.display_name if p.pk in visible else "",
        )
        for p in persons
    ]


# --- the report ---------------------------------------------------------------------------


@dataclass
class CentreRow:
    centre_id: int
    centre_name: str
    conflicts_refused: int = 0  # others' refused attempts on this centre's customers
    conflicts_attempted: int = 0  # this centre's refused attempts on others' customers
    transfers_in_requested: int = 0  # this centre asked for customers
    transfers_in_approved: int = 0
    transfers_out_requested: int = 0  # others asked this centre for its customers
    transfers_out_approved: int = 0
    transfers_out_rejected: int = 0
    transfers_out_pending: int = 0


@dataclass
class DistributionReport:
    start: dt.date
    end: dt.date
    rows: list[CentreRow] = field(default_factory=list)
    conflicts: list[OwnershipConflict] = field(default_factory=list)
    transfers: list[TransferRequest] = field(default_factory=list)
    centre_ids: list[int] | None = None  # None: every centre

    @property
    def totals(self) -> CentreRow:
        total = CentreRow(0, "")
        for row in self.rows:
            for name in CentreRow.__dataclass_fields__:
                if name.startswith(("conflicts", "transfers")):
                    setattr(total, name, getattr(total, name) + getattr(row, name))
        return total


def report_scope(actor: User) -> list[int] | None:
    """The centres whose figures the actor may read: all (None) or their own; else 403."""
    if _network_wide(actor):
        return None
    if actor.role == Role.CENTRE_HEAD and actor.centre_id is not None:
        return [actor.centre_id]
    raise PermissionDenied


def distribution_report(
    *, actor: User, start: dt.date, end: dt.date, detail_limit: int = 500
) -> DistributionReport:
    """Conflicts (refused takes) and transfer requests per centre between two dates.

    Counts are grouped in the database; the detail lists are capped (the CSV has them all).
    """
    scope = report_scope(actor)
    since, until = _bounds(start, end)
    conflicts = OwnershipConflict.objects.filter(at__gte=since, at__lt=until)
    transfers = TransferRequest.objects.filter(created_at__gte=since, created_at__lt=until)
    if scope is not None:
        conflicts = conflicts.filter(
            Q(owner_centre_id__in=scope) | Q(attempted_centre_id__in=scope)
        )
        transfers = transfers.filter(Q(from_centre_id__in=scope) | Q(to_centre_id__in=scope))
    rows: dict[int, CentreRow] = {}
    names = dict(Centre.objects.values_list("pk", "name"))

    def row(centre_id: int | None) -> CentreRow | None:
        if centre_id is None or (scope is not None and centre_id not in scope):
            return None
        if centre_id not in rows:
            rows[centre_id] = CentreRow(centre_id, names.get(centre_id, "?"))
        return rows[centre_id]

    def grouped(qs: QuerySet[Any], *keys: str) -> list[tuple[Any, ...]]:
        return list(qs.values_list(*keys).annotate(n=Count("id")).order_by())

    for centre_id, n in grouped(conflicts, "owner_centre_id"):
        if (target := row(centre_id)) is not None:
            target.conflicts_refused += n
    for centre_id, n in grouped(conflicts, "attempted_centre_id"):
        if (target := row(centre_id)) is not None:
            target.conflicts_attempted += n
    for centre_id, status, n in grouped(transfers, "to_centre_id", "status"):
        if (target := row(centre_id)) is not None:
            target.transfers_in_requested += n
            if status == TransferRequest.Status.APPROVED:
                target.transfers_in_approved += n
    for centre_id, status, n in grouped(transfers, "from_centre_id", "status"):
        if (target := row(centre_id)) is not None:
            target.transfers_out_requested += n
            if status == TransferRequest.Status.APPROVED:
                target.transfers_out_approved += n
            elif status == TransferRequest.Status.REJECTED:
                target.transfers_out_rejected += n
            elif status == TransferRequest.Status.PENDING:
                target.transfers_out_pending += n
    return DistributionReport(
        start=start,
        end=end,
        rows=sorted(rows.values(), key=lambda r: r.centre_name),
        conflicts=list(_conflict_details(conflicts)[:detail_limit]),
        transfers=list(_transfer_details(transfers)[:detail_limit]),
        centre_ids=scope,
    )


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from django.utils import timezone

    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return since, until


def _conflict_details(qs: QuerySet[OwnershipConflict]) -> QuerySet[OwnershipConflict]:
    return qs.select_related("owner_centre", "owner", "attempted_by", "attempted_centre").order_by(
        "-at", "-id"
    )


def _transfer_details(qs: QuerySet[TransferRequest]) -> QuerySet[TransferRequest]:
    return qs.select_related(
        "from_centre", "to_centre", "requested_by", "decided_by", "from_owner"
    ).order_by("-created_at", "-id")


def report_detail_rows(*, actor: User, start: dt.date, end: dt.date) -> Any:
    """Every conflict and transfer of the period for the CSV, streamed in id order."""
    scope = report_scope(actor)
    since, until = _bounds(start, end)
    conflicts = OwnershipConflict.objects.filter(at__gte=since, at__lt=until)
    transfers = TransferRequest.objects.filter(created_at__gte=since, created_at__lt=until)
    if scope is not None:
        conflicts = conflicts.filter(
            Q(owner_centre_id__in=scope) | Q(attempted_centre_id__in=scope)
        )
        transfers = transfers.filter(Q(from_centre_id__in=scope) | Q(to_centre_id__in=scope))
    return (
        _conflict_details(conflicts).iterator(chunk_size=2000),
        _transfer_details(transfers).iterator(chunk_size=2000),
    )
