"""Who is asking: a personal API token (``Authorization: Bearer skt_…``) or the browser's session.

The token comes first, so an anonymous request is told how to authenticate:
401 with ``WWW-Authenticate: Bearer`` (DRF answers 401 only when the first
authentication class names a scheme). A token acts exactly as its person,
including the organisation's two-factor rule: someone who must set it up
and has not gets no further through a token than through the web site.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from workflow.core.access import two_factor_required
from workflow.core.two_factor import has_two_factor
from workflow.members.services.api_tokens import api_token_for_secret

REALM = "samenkader"


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None  # no token: the session may still say who this is
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Stuur het token als: Authorization: Bearer <token>."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            secret = ""  # nosec B105 # no secret: an undecodable header matches no token
        token = api_token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Dit API-token is onbekend, ingetrokken of verlopen."))
        user = token.user
        if two_factor_required(user) and not has_two_factor(user):
            raise exceptions.PermissionDenied(
                _("Uw organisatie vraagt tweestapsverificatie. Stel die eerst in op de website.")
            )
        return (user, token)

    def authenticate_header(self, request) -> str:
        return f'Bearer realm="{REALM}"'
