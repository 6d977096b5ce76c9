"""Rate limits of the public pages (verification, password reset), counted by ``core/throttle.py``.

The cache is shared by every web process when there is Redis (CACHE_URL, or
the broker's Redis); the embedded default runs one web process, for which
memory is enough (config/settings.py).
"""

from __future__ import annotations

from django.http import HttpRequest

from workflow.core import throttle


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR is the client's address: the proxy setting is applied by middleware before views run.
    return request.META.get("REMOTE_ADDR") or "unknown"


def over_limit(key: str, *, limit: int, window: int) -> bool:
    """Count one request under ``key``; True when this window (``window`` seconds) then holds more than ``limit``."""
    return throttle.hit("rate", key, window=window) > limit
