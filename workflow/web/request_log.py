"""One id per request, and (in production) one JSON line per request in the log.

The id comes from our own proxy's ``X-Request-ID`` when we run behind one
(``TRUSTED_PROXY_COUNT``), else it is made here; the answer carries it back
in ``X-Request-ID``. The line says who asked what and how it went — request
id, user id, method, route name, status, duration — and never the agreement's
content, the path's parameters or the query string.
"""

from __future__ import annotations

import json
import logging
import time

from django.conf import settings
from django.utils.functional import empty

from workflow.core.request_context import (
    VALID_REQUEST_ID,
    new_request_id,
    reset_request_id,
    set_request_id,
)

logger = logging.getLogger("samenkader.requests")


def _incoming_request_id(request) -> str:
    if getattr(settings, "TRUSTED_PROXY_COUNT", 0) > 0:
        offered = request.META.get("HTTP_X_REQUEST_ID", "")
        if VALID_REQUEST_ID.match(offered):
            return offered
    return new_request_id()


def _user_id(request) -> int | None:
    # Only a user the request already loaded: the log line never costs a session lookup of its own.
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None
    return wrapped.pk if getattr(wrapped, "is_authenticated", False) else None


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _incoming_request_id(request)
        request.request_id = request_id
        token = set_request_id(request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            if settings.REQUEST_LOG_JSON:
                match = getattr(request, "resolver_match", None)
                logger.info(
                    json.dumps(
                        {
                            "request_id": request_id,
                            "user_id": _user_id(request),
                            "method": request.method,
                            "route": match.view_name if match else None,
                            "status": status,
                            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        },
                        separators=(",", ":"),
                    )
                )
            reset_request_id(token)
