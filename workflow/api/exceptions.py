"""Every API error in one shape: ``code``, ``message`` and, where they apply, ``state``, ``errors`` and the rest.

    {"code": "conflict", "message": "Goedkeuren kan niet: …", "state": "draft"}
    {"code": "invalid", "message": "…", "errors": {"body": ["Schrijf eerst uw opmerking."]}}

``code`` is stable for programs; ``message`` is a sentence for a person, in
their language. The schema documents this shape for every operation
(workflow/api/schema.py).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from workflow.core.exceptions import (
    Conflict,
    ContentIncomplete,
    InvalidInput,
    NotFound,
    NotPermitted,
    ServiceError,
    StaleRevision,
)
from workflow.web.errors import api_error_body

# The code of each service error; the most specific class first.
_SERVICE_CODES = (
    (StaleRevision, "stale_revision"),
    (ContentIncomplete, "content_incomplete"),
    (Conflict, "conflict"),
    (NotFound, "not_found"),
    (NotPermitted, "permission_denied"),
    (InvalidInput, "invalid"),
)


def service_error_body(exc: ServiceError) -> dict:
    code = next((code for cls, code in _SERVICE_CODES if isinstance(exc, cls)), "error")
    body: dict = {"code": code, "message": exc.message}
    if getattr(exc, "state", None):
        body["state"] = exc.state
    if isinstance(exc, ContentIncomplete):
        body["missing"] = exc.missing
    if isinstance(exc, StaleRevision):
        body["current_revision"] = exc.current_revision
    if isinstance(exc, InvalidInput):
        body["errors"] = exc.errors
    return body


def _field_errors(detail) -> dict[str, list[str]]:
    """DRF's validation detail as field -> messages; errors on the whole body under ``non_field_errors``."""
    if isinstance(detail, dict):
        return {
            str(field): [str(m) for m in (messages if isinstance(messages, list) else [messages])]
            for field, messages in detail.items()
        }
    return {"non_field_errors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]}


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        return Response(service_error_body(exc), status=exc.http_status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: the server error page and its log
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "message": _("Het verzoek is niet volledig of klopt niet; zie errors per veld."),
            "errors": _field_errors(exc.detail),
        }
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        body = {"code": codes if isinstance(codes, str) else exc.default_code, "message": str(exc.detail)}
    else:  # Django's Http404 and PermissionDenied, which DRF turned into a response: as the site-wide handlers say
        body = api_error_body(response.status_code)
    response.data = body
    return response
