"""A per-client rate limit for public pages, counted in fixed windows in the shared cache.

The database cache (or Redis in production) is shared by every web process, so the
count holds across workers. The client is REMOTE_ADDR: the proxy in front of gunicorn
must pass the real address through; a client-supplied X-Forwarded-For would let a bot
pick a fresh address for every post.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    ip = str(request.META.get("REMOTE_ADDR") or "").strip()
    return ip or None


def over_rate(scope: str, ip: str | None, limits: Iterable[tuple[int, int]]) -> bool:
    """Count one hit for `ip` under `scope`; True when any (window seconds, max hits)
    limit is exceeded. Every window is counted, so a blocked client keeps being counted."""
    now = int(time.time())
    who = ip or "unknown"
    over = False
    for window, limit in limits:
        key = f"rate:{scope}:{who}:{window}:{now // window}"
        cache.add(key, 0, timeout=window + 60)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 60)
            count = 1
        over = over or count > limit
    return over
