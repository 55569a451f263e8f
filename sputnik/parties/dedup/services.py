"""Writes of the review queue: "not a duplicate" and starting a run."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from sputnik.core.audit import audit_record
from sputnik.core.models import User
from sputnik.core.roles import Right
from sputnik.parties.dedup.selectors import visible_clusters
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import DedupRun, DismissedPair, DuplicateCluster, DuplicatePair


@transaction.atomic
def cluster_dismiss(
    *, actor: User, cluster: DuplicateCluster, person_ids: Iterable[int] | None = None
) -> DuplicateCluster:
    """Mark pairs of a cluster "not duplicates" and remember it for later runs.

    With `person_ids`, only the pairs that involve those persons (one record that does
    not belong); without, the whole cluster. Needs PARTY_EDIT and a visible cluster.
    """
    if not actor.has_right(Right.PARTY_EDIT):
        raise AccessDenied(Right.PARTY_EDIT)
    locked = visible_clusters(actor).select_for_update().filter(pk=cluster.pk).first()
    if locked is None:
        raise AccessDenied("not visible")
    pairs = DuplicatePair.objects.filter(cluster=locked, status=DuplicatePair.Status.OPEN)
    chosen = None if person_ids is None else set(person_ids)
    dismissed = []
    for pair in pairs:
        if chosen is not None and not ({pair.person_a_id, pair.person_b_id} & chosen):
            continue
        DismissedPair.objects.get_or_create(
            person_a_id=pair.person_a_id,
            person_b_id=pair.person_b_id,
            defaults={"dismissed_by": actor},
        )
        pair.status = DuplicatePair.Status.DISMISSED
        pair.save(update_fields=["status"])
        dismissed.append([pair.person_a_id, pair.person_b_id])
    if not DuplicatePair.objects.filter(cluster=locked, status=DuplicatePair.Status.OPEN).exists():
        if DuplicatePair.objects.filter(
            cluster=locked, status=DuplicatePair.Status.MERGED
        ).exists():
            locked.status = DuplicateCluster.Status.MERGED
        else:
            locked.status = DuplicateCluster.Status.DISMISSED
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "updated_at"])
    if dismissed:
        audit_record(
            actor=actor,
            action="update",
            instance=locked,
            before={"status": DuplicateCluster.Status.OPEN},
            after={"status": locked.status, "dismissed_pairs": dismissed},
            summary=f"duplicate cluster #{locked.pk}: not duplicates",
        )
    return locked


def dedup_run_start(*, actor: User) -> tuple[DedupRun, bool]:
    """Queue a batch run in Huey (after commit); an active run is returned instead."""
    if not actor.has_right(Right.CONFIGURE):
        raise AccessDenied(Right.CONFIGURE)
    from sputnik.parties.dedup.job import start_run
    from sputnik.parties.dedup.tasks import dedup_run_task

    run, created = start_run(actor=actor)
    if created:
        transaction.on_commit(lambda: dedup_run_task(run.pk))
    return run, created
