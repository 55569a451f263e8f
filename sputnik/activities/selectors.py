"""Reads of the timeline. The caller passes a person it fetched through a visible selector."""

from __future__ import annotations

from typing import Any

from sputnik.activities.models import Interaction
from sputnik.core.models import User
from sputnik.core.paging import Page, keyset_page
from sputnik.parties.models import Person
from sputnik.parties.selectors import visible_persons


def timeline_page(
    *,
    actor: User,
    person: Any,
    cursor: str | None = None,
    size: int = 30,
    kinds: list[str] | None = None,
) -> Page[Interaction]:
    """One page of a person's timeline, newest first.

    Keyset over (occurred_at, id) on the (person_id, occurred_at, id) index: the cost
    is one index range of `size` rows however long the history is.
    """
    # Defence in depth: callers fetch the person visibly, but a read never trusts that.
    if not visible_persons(actor).filter(pk=person.pk).exists():
        raise Person.DoesNotExist("Person matching query does not exist.")
    qs = Interaction.objects.filter(person_id=person.pk).select_related("actor")
    if kinds:
        qs = qs.filter(kind__in=[k for k in kinds if k in Interaction.Kind.values])
    return keyset_page(qs, order=("-occurred_at", "-id"), cursor=cursor, size=min(size, 200))


def interaction_get(
    *, actor: User, interaction_id: int, person_id: int | None = None
) -> Interaction:
    """One entry of a person the actor sees (of `person_id`, when given), or
    Interaction.DoesNotExist: a hidden person's entry answers exactly like a missing id."""
    qs = Interaction.objects.filter(
        person_id__in=visible_persons(actor).values("pk"), pk=interaction_id
    )
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    return qs.select_related("actor").get()
