"""Writes of prospect distribution (V3): distribute, take, guard ownership, transfer requests.

A person belongs to one centre at a time. New prospects are placed by the rules
(`prospect_distribute`); a prospect waiting in the network's queue may be taken by any
centre (`prospect_take`); a prospect another centre holds is refused with the name of
the centre and manager holding it (that much is organisation data, never the person's),
the refusal is kept for the report, and the way to get it is a `TransferRequest` that
the holding centre's head approves (performing `person_transfer`) or rejects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sputnik.core.audit import audit_record
from sputnik.core.events import publish
from sputnik.core.models import Centre, User
from sputnik.core.roles import Right, Role, Scope
from sputnik.parties.distribution import engine
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import (
    DistributionRule,
    DistributionSettings,
    Escalation,
    OwnershipConflict,
    Person,
    ProspectAssignment,
    TransferRequest,
)
from sputnik.parties.services._common import _as_pk
from sputnik.parties.services.persons import person_transfer


@dataclass(frozen=True)
class Assignment:
    """Where a prospect was placed."""

    centre: Centre
    owner: User | None
    rule: DistributionRule | None
    method: str = ProspectAssignment.Method.RULE
    assignment_id: int | None = None
    # True when the person already had a manager and was left where they are.
    kept: bool = False


class OwnershipConflictError(Exception):
    """Another centre holds the person. The message names that centre and its manager."""

    def __init__(self, message: str, *, centre: Centre, owner: User | None) -> None:
        super().__init__(message)
        self.message = message
        self.centre = centre
        self.owner = owner


def owner_message(centre: Centre, owner: User | None) -> str:
    if owner is not None:
        return _(
            "This customer is already served by %(centre)s (manager: %(owner)s). "
            "Ask for a transfer: the head of %(centre)s decides."
        ) % {"centre": centre.name, "owner": owner.display_name}
    return _(
        "This customer is already held by %(centre)s. Ask for a transfer: the head of "
        "%(centre)s decides."
    ) % {"centre": centre.name}


def _may_route(actor: User) -> bool:
    """Who may run the rules: those who move records, and network-wide desks that create."""
    return actor.has_right(Right.PARTY_TRANSFER) or (
        actor.scope == Scope.ALL and actor.has_right(Right.PARTY_CREATE)
    )


def _lead_of(
    person: Person,
    interest_codes: Sequence[str],
    product_hint: str,
    region: str,
    city: str,
) -> engine.Lead:
    """What the rules see: the values given, else the person's own address and interests."""
    if not (region or city):
        address = person.addresses.exclude(region="", city="").order_by("id").first()
        if address is not None:
            region, city = address.region, address.city
    interests = set(interest_codes) | set(person.interests.values_list("slug", flat=True))
    return engine.Lead.of(region=region, city=city, interests=interests, product=product_hint)


def _resolve_escalations(person_id: int, *, reasons: Sequence[str] | None = None) -> None:
    qs = Escalation.objects.filter(person_id=person_id, resolved_at__isnull=True)
    if reasons is not None:
        qs = qs.filter(reason__in=list(reasons))
    qs.update(resolved_at=timezone.now())


def _record_assignment(
    *,
    actor: User,
    person: Person,
    centre: Centre,
    owner: User | None,
    rule: DistributionRule | None,
    method: str,
    move_person: bool = True,
) -> ProspectAssignment:
    """Make this the person's one current assignment (and move the person when asked)."""
    now = timezone.now()
    ProspectAssignment.objects.filter(person=person, is_current=True).update(is_current=False)
    assignment = ProspectAssignment.objects.create(
        person=person,
        centre=centre,
        owner=owner,
        rule=rule,
        method=method,
        assigned_at=now,
        assigned_by=actor,
    )
    _resolve_escalations(person.pk)
    if move_person:
        before = {"centre": person.centre_id, "owner": person.owner_id}
        person.centre = centre
        person.owner = owner
        person.updated_at = now
        person.save(update_fields=["centre", "owner", "updated_at"])
        how = ProspectAssignment.Method(method).label
        audit_record(
            actor=actor,
            action="transfer",
            instance=person,
            person_id=person.pk,
            before=before,
            after={"centre": centre.pk, "owner": owner.pk if owner else None},
            summary=f"{how}: {rule.name}" if rule else str(how),
        )
        publish("person.transferred", person_id=person.pk, centre_id=centre.pk, actor_id=actor.pk)
    publish(
        "prospect.assigned",
        person_id=person.pk,
        centre_id=centre.pk,
        owner_id=owner.pk if owner else None,
        rule_id=rule.pk if rule else None,
        method=method,
        actor_id=actor.pk,
    )
    return assignment


@transaction.atomic
def prospect_distribute(
    *,
    actor: User,
    person: Person,
    interest_codes: Sequence[str] = (),
    product_hint: str = "",
    region: str = "",
    city: str = "",
) -> Assignment:
    """Place a prospect with a centre and a manager by the administrators' rules.

    A person who already has a manager stays where they are (returned with kept=True): a
    known customer coming back through a web form is not taken from their centre. When
    no rule matches, the person waits without a manager in the queue centre.
    """
    if actor is None or not _may_route(actor):
        raise AccessDenied(Right.PARTY_TRANSFER)
    locked = Person.objects.visible_to(actor).select_for_update().filter(pk=person.pk).first()
    if locked is None:
        raise AccessDenied("not visible")
    person = locked
    if person.owner_id is not None:
        current = ProspectAssignment.objects.filter(person=person, is_current=True).first()
        return Assignment(
            centre=person.centre,
            owner=person.owner,
            rule=current.rule if current else None,
            method=current.method if current else ProspectAssignment.Method.MANUAL,
            assignment_id=current.pk if current else None,
            kept=True,
        )
    lead = _lead_of(person, interest_codes, str(product_hint or "")[:300], region, city)
    # No rule: the configured queue, else where the person already waits (a web form's
    # target centre, the call centre that took the call).
    configured = DistributionSettings.current().fallback_centre
    if configured is not None and configured.is_active:
        fallback: Centre | None = configured
    else:
        fallback = person.centre if person.centre.is_active else None
    decision = engine.decide(lead, at=timezone.now(), fallback=fallback)
    assignment = _record_assignment(
        actor=actor,
        person=person,
        centre=decision.centre,
        owner=decision.owner,
        rule=decision.rule,
        method=decision.method,
    )
    return Assignment(
        centre=decision.centre,
        owner=decision.owner,
        rule=decision.rule,
        method=decision.method,
        assignment_id=assignment.pk,
    )


def _record_conflict(actor: User, person: Person, action: str) -> None:
    """Keep the refusal for the report, committed even though the caller gets an error."""
    with transaction.atomic():
        OwnershipConflict.objects.create(
            person=person,
            owner_centre_id=person.centre_id,
            owner_id=person.owner_id,
            attempted_by=actor,
            attempted_centre_id=actor.centre_id,
            action=action,
        )


def _in_queue(person: Person) -> bool:
    """Waiting in the network's queue (the configured queue centre or a call centre) with
    no manager: any centre may take it. Unowned in a showroom is that showroom's."""
    if person.owner_id is not None:
        return False
    configured = DistributionSettings.current().fallback_centre_id
    return person.centre_id == configured or person.centre.kind == Centre.Kind.CALL_CENTRE


def _foreign(actor: User, person: Person) -> bool:
    """The person is held by a centre other than the actor's (network desks hold none)."""
    return actor.centre_id is not None and person.centre_id != actor.centre_id


def ownership_check(*, actor: User, person_id: int, action: str = "invite") -> None:
    """Refuse acting on a person another centre holds (e.g. inviting them to a test drive).

    Raises OwnershipConflictError naming the holder (and keeps the refusal for the
    report); AccessDenied("not visible") for a missing id. Network-wide roles (call
    centre, head office) act for every centre and pass.
    """
    person = (
        Person.objects.select_related("centre", "owner").filter(pk=_as_pk(person_id) or 0).first()
    )
    if person is None or actor is None or not actor.is_active:
        raise AccessDenied("not visible")
    if actor.scope == Scope.ALL or not _foreign(actor, person) or _in_queue(person):
        return
    if action not in OwnershipConflict.Action.values:
        action = OwnershipConflict.Action.OTHER
    _record_conflict(actor, person, action)
    raise OwnershipConflictError(
        owner_message(person.centre, person.owner), centre=person.centre, owner=person.owner
    )


def prospect_take(*, actor: User, person_id: int) -> Assignment:
    """Take a person as their manager: from the queue, or unowned in one's own centre.

    Held by another centre (or by a colleague): OwnershipConflictError naming the holder;
    a cross-centre attempt is kept for the report.
    """
    if actor is None or not actor.has_right(Right.PARTY_EDIT) or actor.centre is None:
        raise AccessDenied(Right.PARTY_EDIT)
    own_centre: Centre = actor.centre
    with transaction.atomic():
        person = (
            Person.objects.select_for_update(of=("self",))
            .select_related("centre", "owner")
            .filter(pk=_as_pk(person_id) or 0)
            .first()
        )
        if person is None:
            raise AccessDenied("not visible")
        if person.owner_id == actor.pk:
            raise ValidationError({"person_id": [_("You already serve this customer.")]})
        takeable = person.owner_id is None and (
            person.centre_id == actor.centre_id or _in_queue(person)
        )
        if takeable:
            method = ProspectAssignment.Method.TAKE
            assignment = _record_assignment(
                actor=actor,
                person=person,
                centre=own_centre,
                owner=actor,
                rule=None,
                method=method,
            )
            return Assignment(
                centre=own_centre,
                owner=actor,
                rule=None,
                method=method,
                assignment_id=assignment.pk,
            )
        if person.centre_id == actor.centre_id and person.owner is not None:
            raise ValidationError(
                {
                    "person_id": [
                        _(
                            "%(owner)s already serves this customer; your centre's head can "
                            "give them to you."
                        )
                        % {"owner": person.owner.display_name}
                    ]
                }
            )
        conflict = person
    if _foreign(actor, conflict):
        _record_conflict(actor, conflict, OwnershipConflict.Action.TAKE)
    raise OwnershipConflictError(
        owner_message(conflict.centre, conflict.owner), centre=conflict.centre, owner=conflict.owner
    )


@transaction.atomic
def prospect_assign(*, actor: User, person: Person, owner_id: int) -> Assignment:
    """The centre head gives a person of their centre to one of its managers."""
    if actor is None or not actor.has_right(Right.PARTY_TRANSFER):
        raise AccessDenied(Right.PARTY_TRANSFER)
    locked = (
        Person.objects.visible_to(actor)
        .select_for_update()
        .select_related("centre")
        .filter(pk=person.pk)
        .first()
    )
    if locked is None:
        raise AccessDenied("not visible")
    if actor.scope != Scope.ALL and locked.centre_id != actor.centre_id:
        raise AccessDenied("assign")
    owner = User.objects.filter(
        pk=_as_pk(owner_id) or 0, is_active=True, centre_id=locked.centre_id
    ).first()
    if owner is None:
        raise ValidationError({"owner_id": [_("Choose an active user of this centre.")]})
    method = ProspectAssignment.Method.MANUAL
    assignment = _record_assignment(
        actor=actor, person=locked, centre=locked.centre, owner=owner, rule=None, method=method
    )
    return Assignment(
        centre=locked.centre, owner=owner, rule=None, method=method, assignment_id=assignment.pk
    )


# --- transfer requests ------------------------------------------------------------------


def may_decide(actor: User | None, request: TransferRequest) -> bool:
    """The head of the holding centre, or an administrator. Pure: lists use it per row."""
    if actor is None or not actor.is_active:
        return False
    if actor.is_superuser or actor.role == Role.ADMIN:
        return True
    return (
        actor.role == Role.CENTRE_HEAD
        and actor.has_right(Right.PARTY_TRANSFER)
        and actor.centre_id is not None
        and actor.centre_id == request.from_centre_id
    )


@transaction.atomic
def transfer_request_create(*, actor: User, person_id: int, reason: str) -> TransferRequest:
    """Ask for a person another centre holds, to be moved to the actor's centre.

    The actor need not see the person (the request usually starts from a duplicate or
    phone lookup that told them who holds it): a missing id is AccessDenied("not
    visible"), and nothing of the person is returned but the request's own id.
    """
    if actor is None or not actor.has_right(Right.PARTY_EDIT):
        raise AccessDenied(Right.PARTY_EDIT)
    person = (
        Person.objects.select_for_update(of=("self",))
        .select_related("centre", "owner")
        .filter(pk=_as_pk(person_id) or 0)
        .first()
    )
    if person is None:
        raise AccessDenied("not visible")
    errors: dict[str, list[str]] = {}
    to_centre = actor.centre
    if to_centre is None or not to_centre.is_active:
        errors["person_id"] = [_("Only a user of an active centre can ask for a transfer.")]
    elif person.centre_id == to_centre.pk:
        errors["person_id"] = [_("This customer already belongs to your centre.")]
    text = " ".join(str(reason or "").split())
    if not text:
        errors["reason"] = [_("Say why your centre should serve this customer.")]
    elif len(text) > 2000:
        errors["reason"] = [_("At most %(n)d characters.") % {"n": 2000}]
    if errors or to_centre is None:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            request = TransferRequest.objects.create(
                person=person,
                from_centre_id=person.centre_id,
                from_owner_id=person.owner_id,
                to_centre=to_centre,
                requested_by=actor,
                reason=text,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {
                "person_id": [
                    _("Your centre has already asked for this customer; the request is waiting.")
                ]
            }
        ) from exc
    audit_record(
        actor=actor,
        action="create",
        instance=request,
        person_id=person.pk,
        after={"from_centre": person.centre_id, "to_centre": to_centre.pk, "reason": text},
        summary=_("Transfer requested"),
    )
    publish(
        "transfer.requested",
        request_id=request.pk,
        person_id=person.pk,
        centre_id=person.centre_id,
        actor_id=actor.pk,
    )
    return request


def _decidable(actor: User, request_id: int) -> TransferRequest:
    from sputnik.parties.distribution.selectors import visible_transfer_requests

    request = (
        visible_transfer_requests(actor)
        .select_for_update()
        .filter(pk=_as_pk(request_id) or 0)
        .first()
    )
    if request is None:
        raise AccessDenied("not visible")
    if not may_decide(actor, request):
        raise AccessDenied("transfer.decide")
    if request.status != TransferRequest.Status.PENDING:
        raise ValidationError({"status": [_("This request has already been decided.")]})
    return request


def _decided(actor: User, request: TransferRequest, status: str, note: str) -> None:
    before = {"status": request.status}
    request.status = status
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = " ".join(str(note or "").split())[:500]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="update",
        instance=request,
        person_id=request.person_id,
        before=before,
        after={"status": status, "decision_note": request.decision_note},
        summary=_("Transfer request decided"),
    )
    publish(
        "transfer.decided",
        request_id=request.pk,
        person_id=request.person_id,
        status=status,
        actor_id=actor.pk,
    )


@transaction.atomic
def transfer_request_approve(*, actor: User, request_id: int, note: str = "") -> TransferRequest:
    """Move the person to the requesting centre (through `person_transfer`, audited) and
    give them to the manager who asked, when that manager still works there."""
    request = _decidable(actor, request_id)
    person = Person.objects.select_for_update().get(pk=request.person_id)
    if person.centre_id != request.from_centre_id:
        raise ValidationError(
            {
                "status": [
                    _(
                        "The customer has moved to another centre since; this request is out of date."
                    )
                ]
            }
        )
    requester = request.requested_by
    keeps_owner = (
        requester.is_active
        and requester.centre_id == request.to_centre_id
        and requester.role in engine.ASSIGNABLE_ROLES
    )
    owner_id = requester.pk if keeps_owner else None
    person = person_transfer(
        actor=actor, person=person, centre_id=request.to_centre_id, owner_id=owner_id
    )
    _record_assignment(
        actor=actor,
        person=person,
        centre=person.centre,
        owner=person.owner,
        rule=None,
        method=ProspectAssignment.Method.TRANSFER,
        move_person=False,
    )
    _decided(actor, request, TransferRequest.Status.APPROVED, note)
    return request


@transaction.atomic
def transfer_request_reject(*, actor: User, request_id: int, note: str = "") -> TransferRequest:
    request = _decidable(actor, request_id)
    _decided(actor, request, TransferRequest.Status.REJECTED, note)
    return request


@transaction.atomic
def transfer_request_cancel(*, actor: User, request_id: int) -> TransferRequest:
    """The requester withdraws a pending request."""
    from sputnik.parties.distribution.selectors import visible_transfer_requests

    request = (
        visible_transfer_requests(actor)
        .select_for_update()
        .filter(pk=_as_pk(request_id) or 0)
        .first()
    )
    if request is None:
        raise AccessDenied("not visible")
    if request.requested_by_id != actor.pk:
        raise AccessDenied("transfer.cancel")
    if request.status != TransferRequest.Status.PENDING:
        raise ValidationError({"status": [_("This request has already been decided.")]})
    _decided(actor, request, TransferRequest.Status.CANCELLED, "")
    return request


def describe(assignment: Assignment) -> dict[str, Any]:
    """A JSON-ready summary (API answers, logs)."""
    return {
        "centre": {"id": assignment.centre.pk, "name": assignment.centre.name},
        "owner": (
            {"id": assignment.owner.pk, "display_name": assignment.owner.display_name}
            if assignment.owner
            else None
        ),
        "rule": (
            {"id": assignment.rule.pk, "name": assignment.rule.name} if assignment.rule else None
        ),
        "method": assignment.method,
        "kept": assignment.kept,
    }
