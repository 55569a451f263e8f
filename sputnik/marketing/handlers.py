"""What the marketing app does when other apps' events happen."""

from __future__ import annotations

from typing import Any

from sputnik.core.events import subscribe
from sputnik.marketing.services import (
    submissions_forget_person,
    submissions_forget_persons,
    submissions_move_to_person,
)


@subscribe("person.deleted")
def on_person_deleted(*, person_id: int, **_: Any) -> None:
    # Erasure: a submission must not keep the personal answers of a person who is gone.
    submissions_forget_person(person_id=person_id)


@subscribe("persons.deleted")
def on_persons_deleted(*, person_ids: list[int], **_: Any) -> None:
    """Many persons deleted at once (an import undone), as `person.deleted` for each."""
    submissions_forget_persons(person_ids=person_ids)


@subscribe("person.merged")
def on_person_merged(*, survivor_id: int, merged_id: int, **_: Any) -> None:
    submissions_move_to_person(from_person_id=merged_id, to_person_id=survivor_id)
