"""The OpenAPI schema's shared parts: the error shape on every operation, and the token as a security scheme.

drf-spectacular documents what a view returns when all goes well; the
errors come from here, so that a generated client can handle 400, 401, 403,
404 and 409 of every operation alike (the body: workflow/api/exceptions.py).
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable, for programs: invalid, not_authenticated, authentication_failed, permission_denied, "
        "not_found, conflict, stale_revision, content_incomplete, method_not_allowed, not_acceptable, "
        "unsupported_media_type, parse_error, throttled."
    )
    message = serializers.CharField(help_text="For a person, in their language (Dutch or English).")
    state = serializers.CharField(required=False, help_text="The agreement's state now (409).")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per field, what is wrong with it (400); non_field_errors for the body as a whole.",
    )
    current_revision = serializers.IntegerField(required=False, help_text="stale_revision: the draft's revision now.")
    missing = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="content_incomplete: what the draft still lacks."
    )

    class Meta:
        ref_name = "Error"


_ERRORS = {
    "400": "The body (or a query parameter) is incomplete or wrong: `errors` says per field.",
    "401": "No token or session, or a token that is unknown, revoked or expired. "
    "The `WWW-Authenticate: Bearer` header says how to authenticate.",
    "403": "Signed in, but not allowed to do this (the role, a read-only token, two-factor not set up).",
    "404": "Does not exist, or you may not see it (the same answer for both).",
    "409": "Not possible now: the agreement's state (`state`), a stale revision or an incomplete draft.",
}
_READ_ERRORS = ("401", "403", "404")
_WRITE_ERRORS = ("400", "401", "403", "404", "409")


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = _READ_ERRORS if self.method in ("GET", "HEAD", "OPTIONS") else _WRITE_ERRORS
        for code in codes:
            if code not in responses:
                error = OpenApiResponse(response=ErrorSerializer, description=_ERRORS[code])
                responses[code] = self._get_response_for_code(error, code, direction=direction)
        return responses


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "workflow.api.authentication.BearerTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (`skt_…`), made on your profile page or with "
            "`manage.py create_api_token`. It acts as you: what you may see and do, within its scope.",
        }
