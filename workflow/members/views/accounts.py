"""Signing in and out, the password reset, and the language switch."""

from __future__ import annotations

import hashlib
import logging
import unicodedata

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflow.core import throttle
from workflow.core.access import two_factor_required
from workflow.core.request_meta import RequestMeta
from workflow.core.security_log import security_event_record
from workflow.core.two_factor import has_two_factor
from workflow.members.forms import EmailPasswordResetForm, LoginForm, NewPasswordForm
from workflow.members.services.accounts import password_reset_request, user_set_language
from workflow.members.services.api_tokens import api_tokens_revoke_all
from workflow.members.views.two_factor import SETUP_REQUIRED_SESSION_KEY, start_code_step
from workflow.models import SecurityEventKind
from workflow.web.middleware import set_language_cookie, supported_language
from workflow.web.ratelimit import client_address, over_limit

logger = logging.getLogger(__name__)

ADDRESS_SCOPE = "signin-address"


class LoginView(auth_views.LoginView):
    """Sign-in. django-axes locks an account after a few failures from one address; this view adds a limit
    per address across all accounts, set well above it (a town hall shares one address)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        address = client_address(request)
        window = settings.SIGNIN_ADDRESS_WINDOW_MINUTES * 60
        if throttle.count(ADDRESS_SCOPE, address, window=window) >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT:
            return render(
                request,
                "accounts/locked_address.html",
                {"minutes": settings.SIGNIN_ADDRESS_WINDOW_MINUTES},
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        """The password was right. With an authenticator app, the code comes first; without one where an
        organisation requires it, the person is signed in but sent to set it up before anything else."""
        user = form.get_user()
        if has_two_factor(user):
            return start_code_step(self.request, user=user, next_url=self.get_success_url())
        response = super().form_valid(form)
        if two_factor_required(user):
            self.request.session[SETUP_REQUIRED_SESSION_KEY] = True
            return redirect("two_factor_setup")
        return response

    def form_invalid(self, form):
        address = client_address(self.request)
        failures = throttle.hit(ADDRESS_SCOPE, address, window=settings.SIGNIN_ADDRESS_WINDOW_MINUTES * 60)
        if failures == settings.SIGNIN_ADDRESS_FAILURE_LIMIT:
            security_event_record(
                kind=SecurityEventKind.SIGNIN_ADDRESS_LIMITED,
                request_meta=RequestMeta.from_request(self.request),
                note=f"{failures} failed sign-ins",
            )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        response = super().post(request, *args, **kwargs)
        # Signed out, the page still speaks the language the person used.
        set_language_cookie(response, language)
        activate(language)
        messages.success(request, _("U bent uitgelogd."))
        return response


def password_reset_limited(request, email: str) -> bool:
    """Too many reset requests from this client address, or for this e-mail address (account or not).

    Counted per address typed, not per account found, so the limit says nothing
    about whether an account exists. The address is kept in the cache only as a hash.
    """
    window = settings.PASSWORD_RESET_RATE_WINDOW_SECONDS
    if over_limit(
        f"password-reset:client:{client_address(request)}",
        limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
        window=window,
    ):
        return True
    typed = unicodedata.normalize("NFKC", email).casefold()
    return over_limit(
        f"password-reset:email:{hashlib.sha256(typed.encode()).hexdigest()}",
        limit=settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT,
        window=window,
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for a new password. The answer is the same for every address; the e-mail goes through the outbox."""

    template_name = "accounts/password_reset.html"
    form_class = EmailPasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if password_reset_limited(self.request, email):
            logger.info("Password reset rate limit reached")
            form.add_error(
                None,
                _(
                    "Er is de laatste tijd te vaak een nieuw wachtwoord aangevraagd. Probeer het over een tijdje "
                    "opnieuw."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        password_reset_request(email=email)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # A reset is how someone takes back an account they lost control of: every way in made before stops too.
        api_tokens_revoke_all(user=form.user, request_meta=RequestMeta.from_request(self.request), why="password reset")
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def _safe_next(request, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@require_POST
def set_language(request):
    """The language switch: remembered on the user when signed in, and in a cookie for the sign-in pages."""
    language = supported_language(request.POST.get("language"))
    response = HttpResponseRedirect(_safe_next(request))
    if language is None:
        return response
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    set_language_cookie(response, language)
    return response
