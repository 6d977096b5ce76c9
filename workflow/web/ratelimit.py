"""Fixed-window rate limits, counted in Django's cache.

The cache is shared by every web process when there is Redis (CACHE_URL, or
the broker's Redis); the embedded default runs one web process, for which
memory is enough (config/settings.py).
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR is the client's address: the proxy setting is applied by middleware before views run.
    return request.META.get("REMOTE_ADDR") or "unknown"


def over_limit(key: str, *, limit: int, window: int) -> bool:
    """Count one request under ``key``; True when this window (``window`` seconds) then holds more than ``limit``."""
    bucket = f"{key}:{int(time.time() // window)}"
    cache.add(bucket, 0, timeout=window + 5)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window + 5)
        count = 1
    return count > limit
