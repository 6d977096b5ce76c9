"""Health checks for load balancers and orchestrators.

``/healthz`` is liveness: the process answers (no dependency is asked, so a
database hiccup never gets every web process restarted at once).
``/readyz`` is readiness: the database, the broker (when it is Redis) and the
document storage answer, each within a short timeout; a node that is not
ready gets no traffic until it is.
"""

from __future__ import annotations

import functools
import logging
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"SET LOCAL statement_timeout = {CHECK_TIMEOUT_SECONDS * 1000}")
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        logger.exception("Readiness: the database does not answer")
        return False


@functools.cache
def broker_client(url: str):
    """One client per broker URL and process: its pool keeps the connection open between probes,
    so a load balancer asking every few seconds costs one PING, not a new TCP connection each time."""
    import redis

    return redis.Redis.from_url(
        url,
        socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        socket_timeout=CHECK_TIMEOUT_SECONDS,
        health_check_interval=30,
        # Named per process, so an operator (and a test) can see the one connection in CLIENT LIST.
        client_name=f"samenkader-readyz-{os.getpid()}",
    )


def _broker_ok() -> bool:
    try:
        return bool(broker_client(settings.CELERY_BROKER_URL).ping())
    except Exception:  # noqa: BLE001
        logger.warning("Readiness: the broker does not answer", exc_info=True)
        return False


def _storage_probe() -> bool:
    # exists() of a name nobody writes: one cheap round trip (a HEAD on S3, a stat on disk).
    default_storage.exists(f"readiness/{uuid.uuid4().hex}")
    return True


def _storage_ok() -> bool:
    """The document storage answers in time. Run in a thread: a store's own timeouts may be long."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(_storage_probe).result(timeout=CHECK_TIMEOUT_SECONDS)
    except FutureTimeout:
        logger.warning("Readiness: the document storage did not answer within %s s", CHECK_TIMEOUT_SECONDS)
        return False
    except Exception:  # noqa: BLE001
        logger.warning("Readiness: the document storage does not answer", exc_info=True)
        return False
    finally:
        pool.shutdown(wait=False)


@never_cache
@require_GET
def healthz(request):
    """Liveness: this process serves requests."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    checks = {"database": _database_ok(), "storage": _storage_ok()}
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        checks["broker"] = _broker_ok()
    ready = all(checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
