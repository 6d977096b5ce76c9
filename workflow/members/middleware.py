"""Signed in where an organisation requires two-factor sign-in, but not set up yet: set it up first.

The password step marks the session (``views.two_factor.SETUP_REQUIRED_SESSION_KEY``);
until the authenticator app is confirmed, every page but the set-up, signing
out, the language switch and the public statements leads to the set-up page,
and the API answers 403. Decided once at sign-in, so a normal page costs no
extra query.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from workflow.members.views.two_factor import SETUP_REQUIRED_SESSION_KEY

ALLOWED_WHILE_SETTING_UP = {
    "two_factor_setup",
    "logout",
    "set_language",
    "accessibility",
    "privacy",
    "healthz",
    "readyz",
}


class TwoFactorSetupRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(SETUP_REQUIRED_SESSION_KEY) and request.user.is_authenticated:
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in ALLOWED_WHILE_SETTING_UP:
                if request.path_info.startswith("/api/"):
                    return JsonResponse(
                        {
                            "code": "permission_denied",
                            "message": str(_("Stel eerst tweestapsverificatie in op de website.")),
                        },
                        status=403,
                    )
                return redirect("two_factor_setup")
        return self.get_response(request)
