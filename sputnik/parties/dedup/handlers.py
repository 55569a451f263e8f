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
