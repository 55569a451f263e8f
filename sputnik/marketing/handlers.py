"""What the marketing app does when other apps' events happen."""

from __future__ import annotations

from typing import Any

from sputnik.core.events import subscribe
from sputnik.marketing.services import submissions_forget_person


@subscribe("person.deleted")
def on_person_deleted(*, person_id: int, **_: Any) -> None:
    # Erasure: a submission must not keep the personal answers of a person who is gone.
    submissions_forget_person(person_id=person_id)
