"""In-process domain events.

Publishers call `publish(name, **payload)` inside their service's transaction.
Projection handlers (e.g. the timeline) run in the same transaction, so the record
and its projection commit or roll back together. Handlers that reach outside the
database (queues, mail) register with `after_commit=True` and run on commit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import transaction

Handler = Callable[..., None]
_handlers: dict[str, list[tuple[Handler, bool]]] = defaultdict(list)


def subscribe(name: str, *, after_commit: bool = False) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if (handler, after_commit) not in _handlers[name]:
            _handlers[name].append((handler, after_commit))
        return handler

    return register


def publish(name: str, **payload: Any) -> None:
    for handler, after_commit in list(_handlers.get(name, [])):
        if after_commit:
            transaction.on_commit(lambda h=handler: h(**payload))  # type: ignore[misc]
        else:
            handler(**payload)
