"""Keeps the name-key index in step with persons, from the parties' own domain events.

Runs inside the publishing service's transaction, so a rolled-back create leaves no keys.
"""

from __future__ import annotations

from typing import Any

from sputnik.core.events import subscribe


@subscribe("person.created")
@subscribe("person.updated")
def reindex_person_name(*, person_id: int, **_: Any) -> None:
    from sputnik.parties.dedup.names import index_names

    index_names([person_id])


@subscribe("persons.updated")
def reindex_person_names(*, person_ids: list[int], **_: Any) -> None:
    """Many persons updated at once (an import's chunk): one reindex for them all."""
    from sputnik.parties.dedup.names import index_names

    index_names(person_ids)
