"""Reads of the duplicate review queue, scoped by the acting user.

A cluster is visible when the actor sees every person in it: a centre head reviews
clusters among their centre's people, a sales manager those among their own customers,
and roles that see every centre (executive, administrator, operator) review them all.
A cluster the actor may not see is a 404, like a missing id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from sputnik.core.models import User
from sputnik.core.paging import Page, keyset_page
from sputnik.parties.models import (
    ContactPoint,
    DedupRun,
    DuplicateCluster,
    DuplicatePair,
    Person,
    scope_filter,
)


def visible_clusters(actor: User) -> QuerySet[DuplicateCluster]:
    rule = scope_filter(actor)
    if rule is None:
        return DuplicateCluster.objects.none()
    qs = DuplicateCluster.objects.all()
    if rule:
        visible = Person.objects.visible_to(actor).values("pk")
        hidden_member = DuplicatePair.objects.filter(cluster=OuterRef("pk")).exclude(
            Q(person_a__in=visible) & Q(person_b__in=visible)
        )
        if "centre_id" in rule:
            # Narrow by the stored centre first: the index serves the queue page.
            qs = qs.filter(centre_id=rule["centre_id"])
        qs = qs.filter(~Exists(hidden_member))
    return qs


def cluster_queue(
    *, actor: User, status: str = DuplicateCluster.Status.OPEN, cursor: str | None = None
) -> Page[DuplicateCluster]:
    qs = visible_clusters(actor).filter(status=status)
    page = keyset_page(qs, order=("-score", "-id"), cursor=cursor, size=50)
    # The members of a page in one query (no N+1 over clusters).
    pairs = DuplicatePair.objects.filter(cluster__in=[c.pk for c in page.items]).select_related(
        "person_a", "person_b"
    )
    members: dict[int, dict[int, Person]] = {}
    for pair in pairs:
        bucket = members.setdefault(pair.cluster_id, {})
        bucket[pair.person_a_id] = pair.person_a
        bucket[pair.person_b_id] = pair.person_b
    for cluster in page.items:
        cluster.members = sorted(  # type: ignore[attr-defined]
            members.get(cluster.pk, {}).values(), key=lambda p: p.pk
        )
    return page


@dataclass
class ClusterView:
    cluster: DuplicateCluster
    members: list[Person] = field(default_factory=list)
    pairs: list[DuplicatePair] = field(default_factory=list)


def cluster_get(*, actor: User, cluster_id: int) -> ClusterView:
    """A visible cluster with its members and pairs, or DuplicateCluster.DoesNotExist."""
    cluster = visible_clusters(actor).get(pk=cluster_id)
    pairs = list(
        DuplicatePair.objects.filter(cluster=cluster)
        .select_related("person_a", "person_b")
        .order_by("-score", "id")
    )
    ids = {p.person_a_id for p in pairs} | {p.person_b_id for p in pairs}
    members = list(
        Person.objects.visible_to(actor)
        .filter(pk__in=ids)
        .select_related("centre", "owner")
        .prefetch_related(
            Prefetch("contacts", queryset=ContactPoint.objects.order_by("kind", "-is_primary"))
        )
        .order_by("pk")
    )
    return ClusterView(cluster, members, pairs)


def latest_run() -> DedupRun | None:
    return DedupRun.objects.order_by("-created_at", "-id").first()


def run_get(*, run_id: int) -> DedupRun:
    return DedupRun.objects.get(pk=run_id)
