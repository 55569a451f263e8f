"""The timeline is a projection of domain events published by other apps."""

from __future__ import annotations

from typing import Any

from sputnik.activities.models import Interaction
from sputnik.core.events import subscribe


@subscribe("person.stage_changed")
def on_stage_changed(
    *,
    person_id: int,
    centre_id: int,
    actor_id: int | None,
    from_stage: str,
    to_stage: str,
    reason: str = "",
    **_: Any,
) -> None:
    Interaction.objects.create(
        person_id=person_id,
        centre_id=centre_id,
        actor_id=actor_id,
        kind=Interaction.Kind.STAGE_CHANGE,
        body=reason,
        data={"from": from_stage, "to": to_stage},
    )


@subscribe("person.deleted")
def on_person_deleted(*, person_id: int, **_: Any) -> None:
    Interaction.objects.filter(person_id=person_id).delete()
