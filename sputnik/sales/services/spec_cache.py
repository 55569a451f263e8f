"""A per-process cache of loaded product specs, invalidated by a catalogue version.

Measured (bench/sales_pricing.py) on the shared, loaded machine: loading a spec is six
reads whose cost grows with the load (24 ms p50 for the raw SELECTs at load 14), while
checking and pricing a loaded spec takes well under a millisecond. So a spec is kept
per process, keyed by product (and its last change), centre, day and the catalogue
version; one read of the version (the shared cache: Redis in production) replaces the
six reads.

The version is bumped on every catalogue write: by the services, by the admin, and by
model signals as a safety net for any other `save()`/`delete()` (a cache is not business
logic; it must simply never serve a stale price). Queryset `update()`/`bulk_create()`
bypass signals, so code that writes catalogue rows that way calls `catalogue_changed()`.
Entries also expire after `LOCAL_SECONDS`, bounding staleness if the shared cache is lost.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

VERSION_KEY = "sales:catalogue-version"
LOCAL_SECONDS = 300
LOCAL_SIZE = 1024

T = TypeVar("T")

_lock = threading.Lock()
_local: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
enabled = True  # the benchmark switches it off to measure the uncached path


def catalogue_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY) or 1
    return int(version)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, int(time.time()), timeout=None)
    with _lock:
        _local.clear()


def catalogue_changed() -> None:
    """Call after any catalogue write; the bump happens now and again on commit (so a
    reader that loaded the old rows inside the writer's transaction window is evicted)."""
    _bump()
    transaction.on_commit(_bump)


def get(key: Hashable) -> Any | None:
    if not enabled:
        return None
    with _lock:
        hit = _local.get(key)
        if hit is None:
            return None
        stored_at, value = hit
        if time.monotonic() - stored_at > LOCAL_SECONDS:
            _local.pop(key, None)
            return None
        _local.move_to_end(key)
        return value


def put(key: Hashable, value: T) -> T:
    if not enabled:
        return value
    with _lock:
        _local[key] = (time.monotonic(), value)
        _local.move_to_end(key)
        while len(_local) > LOCAL_SIZE:
            _local.popitem(last=False)
    return value


def _on_change(sender: Any, **kwargs: Any) -> None:
    catalogue_changed()


def _connect() -> None:
    from sputnik.sales.models import (
        Category,
        Option,
        OptionGroup,
        OptionPrice,
        OptionRule,
        PriceList,
        PriceListItem,
        Product,
    )

    for model in (
        Category,
        Option,
        OptionGroup,
        OptionPrice,
        OptionRule,
        PriceList,
        PriceListItem,
        Product,
    ):
        post_save.connect(
            _on_change, sender=model, dispatch_uid=f"spec-cache-save-{model.__name__}"
        )
        post_delete.connect(
            _on_change, sender=model, dispatch_uid=f"spec-cache-delete-{model.__name__}"
        )


_connect()
