"""Records every "order.status_changed" event in the OrderEvent outbox.

Subscribed in the publisher's transaction, so the outbox row commits exactly when the
status change does. The messaging issue's sender claims pending rows with
`select_for_update(skip_locked=True)`, checks consent (`may_contact`) at claim time,
sends in the order's language and stamps `processed_at`; the row's unique key is its
idempotency key.
"""

from __future__ import annotations

from typing import Any

from sputnik.core.events import subscribe
from sputnik.sales.models import OrderEvent

EVENT = "order.status_changed"


@subscribe(EVENT)
def record_status_changed(
    *,
    order_id: int,
    person_id: int | None,
    change_id: int,
    at: str,
    expected_date: str | None = None,
    **payload: Any,
) -> None:
    OrderEvent.objects.create(
        key=f"{EVENT}:{change_id}",
        name=EVENT,
        order_id=order_id,
        person_id=person_id,
        payload={
            "order_id": order_id,
            "person_id": person_id,
            "from": payload.get("from"),
            "to": payload.get("to"),
            "at": at,
            "expected_date": expected_date,
            "number": payload.get("number"),
        },
    )
