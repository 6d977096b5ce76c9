"""What a request may do beyond being signed in: a read-only token only reads (settings.REST_FRAMEWORK lists
this after IsAuthenticated for every API view)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from workflow.models import ApiToken, ApiTokenScope


class TokenScope(BasePermission):
    message = _("Dit API-token mag alleen lezen. Maak op uw profiel een token dat ook mag handelen.")

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if isinstance(token, ApiToken) and token.scope == ApiTokenScope.READ:
            return request.method in SAFE_METHODS
        return True
