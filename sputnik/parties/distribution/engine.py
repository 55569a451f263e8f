"""The rule engine: which centre and which manager a new prospect goes to.

`decide()` tries the active rules by priority. A rule applies when every condition it
sets matches the lead (territory, interest, product); it then names a centre (its own,
or the least-loaded showroom in the lead's city or region) and picks a manager by its
strategy. A rule limited to working hours skips centres and managers off duty, and when
it finds nobody the next rule is tried. When nothing applies the lead goes to the
network's queue (the configured fallback centre, else the call centre) without a
manager — never an error.

Called inside the distributing service's transaction: the round-robin turn is taken
under a row lock, so concurrent prospects share turns fairly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count

from sputnik.core.models import Centre, User
from sputnik.core.roles import Role
from sputnik.parties.distribution.schedule import DutyRoster
from sputnik.parties.models import (
    DistributionRule,
    DistributionSettings,
    Person,
    ProspectAssignment,
    RoundRobinPointer,
    Stage,
)

# Who takes prospects: showroom sales managers, and operators in a call-centre queue.
ASSIGNABLE_ROLES = (Role.SALES_MANAGER, Role.OPERATOR)


def fold(text: str | None) -> str:
    """One spelling for comparing places and words: case, ё/е and spacing do not matter."""
    return " ".join(str(text or "").casefold().replace("ё", "е").split())


@dataclass(frozen=True)
class Lead:
    """What the rules look at."""

    region: str = ""
    city: str = ""
    interests: frozenset[str] = frozenset()
    product: str = ""

    @classmethod
    def of(
        cls, *, region: str = "", city: str = "", interests: Iterable[str] = (), product: str = ""
    ) -> Lead:
        return cls(
            region=fold(region),
            city=fold(city),
            interests=frozenset(fold(i) for i in interests if fold(i)),
            product=fold(product),
        )


@dataclass
class Decision:
    centre: Centre
    owner: User | None
    rule: DistributionRule | None
    method: str
    # Why each rule before the chosen one was passed over (shown in tests and the audit).
    trace: list[str] = field(default_factory=list)


def rule_matches(rule: DistributionRule, lead: Lead) -> bool:
    """Every condition the rule sets holds for the lead; an empty condition holds always."""
    if rule.regions and lead.region not in {fold(r) for r in rule.regions}:
        return False
    if rule.cities and lead.city not in {fold(c) for c in rule.cities}:
        return False
    if rule.interests and not ({fold(i) for i in rule.interests} & lead.interests):
        return False
    return not (
        rule.products and not any(fold(w) and fold(w) in lead.product for w in rule.products)
    )


def _centres_for(rule: DistributionRule, lead: Lead, centres: list[Centre]) -> list[Centre]:
    """The rule's centre, or the active showrooms in the lead's city (else its region)."""
    if rule.centre_id is not None:
        return [c for c in centres if c.pk == rule.centre_id]
    showrooms = [c for c in centres if c.kind == Centre.Kind.SHOWROOM]
    in_city = [c for c in showrooms if lead.city and fold(c.city) == lead.city]
    if in_city:
        return in_city
    return [c for c in showrooms if lead.region and fold(c.region) == lead.region]


def open_prospect_counts(user_ids: Sequence[int]) -> dict[int, int]:
    rows = (
        Person.objects.filter(owner_id__in=user_ids, stage=Stage.PROSPECT)
        .values("owner_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["owner_id"]: r["n"] for r in rows}


def manager_loads(user_ids: Sequence[int]) -> dict[int, int]:
    """Open prospects owned plus open tasks assigned, per manager."""
    from sputnik.activities.tasks_selectors import open_task_counts

    prospects = open_prospect_counts(user_ids)
    tasks = open_task_counts(user_ids)
    return {pk: prospects.get(pk, 0) + tasks.get(pk, 0) for pk in user_ids}


def centre_loads(centre_ids: Sequence[int]) -> dict[int, int]:
    """Open prospects per centre (current assignments still in the prospect stage)."""
    rows = (
        ProspectAssignment.objects.filter(
            centre_id__in=centre_ids, is_current=True, person__stage=Stage.PROSPECT
        )
        .values("centre_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    found = {r["centre_id"]: r["n"] for r in rows}
    return {pk: found.get(pk, 0) for pk in centre_ids}


def _managers(centre: Centre) -> list[User]:
    return list(
        User.objects.filter(centre=centre, is_active=True, role__in=ASSIGNABLE_ROLES).order_by("pk")
    )


def _round_robin(rule: DistributionRule, centre: Centre, managers: list[User]) -> User:
    """The manager after the last one served, under a lock on the rule's pointer row."""
    RoundRobinPointer.objects.get_or_create(rule=rule, centre=centre)
    pointer = RoundRobinPointer.objects.select_for_update().get(rule=rule, centre=centre)
    ordered = sorted(managers, key=lambda u: u.pk)
    last = pointer.last_user_id or 0
    chosen = next((u for u in ordered if u.pk > last), ordered[0])
    pointer.last_user = chosen
    pointer.turns += 1
    pointer.save(update_fields=["last_user", "turns"])
    return chosen


def _least_loaded(managers: list[User]) -> User:
    loads = manager_loads([u.pk for u in managers])
    return min(managers, key=lambda u: (loads.get(u.pk, 0), u.pk))


def fallback_centre() -> Centre:
    """The queue for prospects no rule places: configured, else a call centre, else any."""
    configured = DistributionSettings.current().fallback_centre
    if configured is not None and configured.is_active:
        return configured
    active = Centre.objects.filter(is_active=True)
    centre = active.filter(kind=Centre.Kind.CALL_CENTRE).order_by("pk").first() or (
        active.order_by("pk").first()
    )
    if centre is None:
        # A network without a single active centre cannot hold a prospect at all.
        raise Centre.DoesNotExist("No active centre to queue prospects in.")
    return centre


def decide(lead: Lead, *, at: dt.datetime, fallback: Centre | None = None) -> Decision:
    """Apply the rules to a lead at moment `at`; the first rule that places it wins."""
    rules = list(
        DistributionRule.objects.filter(is_active=True)
        .select_related("centre")
        .order_by("priority", "pk")
    )
    centres = list(Centre.objects.filter(is_active=True))
    roster = DutyRoster(c.pk for c in centres)
    trace: list[str] = []
    for rule in rules:
        if not rule_matches(rule, lead):
            trace.append(f"{rule.pk}: conditions do not match")
            continue
        candidates = _centres_for(rule, lead, centres)
        if rule.on_duty_only:
            candidates = [c for c in candidates if roster.centre_on_duty(c.pk, at)]
        if not candidates:
            trace.append(f"{rule.pk}: no centre (on duty)")
            continue
        if len(candidates) > 1:
            loads = centre_loads([c.pk for c in candidates])
            candidates.sort(key=lambda c: (loads[c.pk], c.pk))
        for centre in candidates:
            if rule.strategy == DistributionRule.Strategy.CENTRE_QUEUE:
                return Decision(centre, None, rule, ProspectAssignment.Method.RULE, trace)
            managers = _managers(centre)
            if rule.on_duty_only:
                managers = [m for m in managers if roster.user_on_duty(centre.pk, m.pk, at)]
            if not managers:
                trace.append(f"{rule.pk}: nobody (on duty) in centre {centre.pk}")
                continue
            if rule.strategy == DistributionRule.Strategy.LEAST_LOADED:
                owner = _least_loaded(managers)
            else:
                owner = _round_robin(rule, centre, managers)
            return Decision(centre, owner, rule, ProspectAssignment.Method.RULE, trace)
    return Decision(
        fallback or fallback_centre(), None, None, ProspectAssignment.Method.FALLBACK, trace
    )
