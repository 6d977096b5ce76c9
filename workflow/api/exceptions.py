"""Service errors as JSON: 404 / 403 / 409 / 400 with the person's own message."""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from workflow.core.exceptions import ContentIncomplete, InvalidInput, ServiceError, StaleRevision


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        body = {"detail": exc.message, "code": type(exc).__name__}
        if getattr(exc, "state", None):
            body["state"] = exc.state
        if isinstance(exc, ContentIncomplete):
            body["missing"] = exc.missing
        if isinstance(exc, StaleRevision):
            body["current_revision"] = exc.current_revision
        if isinstance(exc, InvalidInput):
            body["errors"] = exc.errors
        return Response(body, status=exc.http_status)
    return drf_exception_handler(exc, context)
