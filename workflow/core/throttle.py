"""Counting attempts in the shared cache (Redis in production), so every web process counts together.

A counter lives in fixed windows; it survives the rolled-back transaction of
the attempt it counts, which a database row written inside it would not.
"""

from __future__ import annotations

import time

from django.core.cache import cache


def _window_key(scope: str, key: str, window: int) -> str:
    return f"throttle:{scope}:{key}:{int(time.time() // window)}"


def hit(scope: str, key: str, *, window: int) -> int:
    """Count one attempt in the current window of ``window`` seconds; returns the count so far."""
    cache_key = _window_key(scope, key, window)
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window + 5)
        return 1


def count(scope: str, key: str, *, window: int) -> int:
    return int(cache.get(_window_key(scope, key, window)) or 0)


def block(scope: str, key: str, *, seconds: int) -> None:
    cache.set(f"throttle-block:{scope}:{key}", int(time.time()) + seconds, timeout=seconds)


def blocked_until(scope: str, key: str) -> int | None:
    """The moment (epoch seconds) a block ends, or None when there is none."""
    value = cache.get(f"throttle-block:{scope}:{key}")
    return int(value) if value and int(value) > time.time() else None
