"""Two-factor sign-in pages: the code step after the password, one's own settings (set up, recovery codes,
turn off), an admin's reset and rule for their organisation, and platform staff's reset for admins."""

from __future__ import annotations

import base64
import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from agreements.models import Organisation, User
from workflow.core import throttle
from workflow.core.access import (
    may_confirm_first_contacts,
    may_reset_two_factor,
    two_factor_policies_for,
    two_factor_required,
)
from workflow.core.exceptions import InvalidInput, NotFound, NotPermitted
from workflow.core.request_meta import RequestMeta
from workflow.core.security_log import security_event_record
from workflow.core.two_factor import (
    code_throttled,
    has_two_factor,
    is_recovery_device,
    matching_device,
    recovery_codes_left,
)
from workflow.members.forms import CodeForm, StaffTwoFactorResetForm, TwoFactorPolicyForm, TwoFactorSetupForm
from workflow.members.services import two_factor as services
from workflow.members.views.lookups import member_of, organisation_for_admin
from workflow.models import SecurityEventKind
from workflow.web.errors import add_errors_to_form, service_error_response
from workflow.web.ratelimit import client_address

# The password was right and a code is still to come: who, which backend, where to next, since when.
PENDING_SESSION_KEY = "two_factor_pending"
# Signed in, but an organisation requires a second step this person has not set up yet.
SETUP_REQUIRED_SESSION_KEY = "two_factor_setup_required"
SIGNIN_ADDRESS_SCOPE = "signin-address"


def start_code_step(request, *, user: User, next_url: str):
    """After a correct password, for someone with an authenticator app: not signed in until the code is right."""
    request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "next": next_url,
        "since": time.time(),
        "failures": 0,
    }
    return redirect("login_code")


def _pending_user(request) -> tuple[dict, User] | None:
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending or time.time() - pending["since"] > settings.TWO_FACTOR_PENDING_SECONDS:
        request.session.pop(PENDING_SESSION_KEY, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    return (pending, user) if user is not None else None


@require_http_methods(["GET", "POST"])
def login_code(request):
    if request.user.is_authenticated:
        return redirect("home")
    found = _pending_user(request)
    if found is None:
        messages.info(request, _("Log opnieuw in: de tijd voor de code is verstreken."))
        return redirect("login")
    pending, user = found
    form = CodeForm(
        request.POST or None,
        label=_("Code uit uw authenticator-app"),
        help_text=_("Zes cijfers. Telefoon kwijt? Vul dan een van uw herstelcodes in."),
    )
    if request.method == "POST" and form.is_valid():
        address_window = settings.SIGNIN_ADDRESS_WINDOW_MINUTES * 60
        if throttle.count(SIGNIN_ADDRESS_SCOPE, client_address(request), window=address_window) >= (
            settings.SIGNIN_ADDRESS_FAILURE_LIMIT
        ):
            minutes = settings.SIGNIN_ADDRESS_WINDOW_MINUTES
            return render(request, "accounts/locked_address.html", {"minutes": minutes}, status=429)
        meta = RequestMeta.from_request(request)
        # After a wrong code django-otp makes the next try wait; a try in that wait counts as a wrong one.
        throttled = code_throttled(user)
        device = None if throttled else matching_device(user, form.cleaned_data["code"], allow_recovery_code=True)
        if device is not None:
            return _signed_in_with_code(request, user=user, device=device, pending=pending, request_meta=meta)
        security_event_record(kind=SecurityEventKind.TWO_FACTOR_CODE_FAILED, request_meta=meta, user=user)
        throttle.hit(SIGNIN_ADDRESS_SCOPE, client_address(request), window=address_window)
        pending["failures"] += 1
        if pending["failures"] >= settings.TWO_FACTOR_CODE_ATTEMPTS:
            request.session.pop(PENDING_SESSION_KEY, None)
            messages.error(request, _("Te vaak een verkeerde code. Log opnieuw in."))
            return redirect("login")
        request.session[PENDING_SESSION_KEY] = pending
        if throttled:
            form.add_error("code", _("Te snel na een verkeerde code. Wacht een paar seconden en probeer het opnieuw."))
        else:
            form.add_error("code", _("Deze code klopt niet. Neem de code die nu in uw app staat, of een herstelcode."))
    return render(request, "accounts/login_code.html", {"form": form}, status=400 if form.errors else 200)


def _signed_in_with_code(request, *, user: User, device, pending: dict, request_meta: RequestMeta):
    request.session.pop(PENDING_SESSION_KEY, None)
    login(request, user, backend=pending["backend"])
    otp_login(request, device)
    if not is_recovery_device(device):
        return redirect(pending["next"])
    security_event_record(kind=SecurityEventKind.RECOVERY_CODE_USED, request_meta=request_meta, user=user)
    messages.warning(
        request,
        _(
            "U heeft een herstelcode gebruikt; er zijn er nog %(left)s. Stel uw authenticator-app opnieuw in als u "
            "uw telefoon kwijt bent."
        )
        % {"left": recovery_codes_left(user)},
    )
    return redirect("two_factor")


def _secret_for_typing(device) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _qr_svg(device) -> str:
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=4, svgclass="qr-code", title=_("QR-code om te scannen met uw authenticator-app")
    )


@login_required
def two_factor(request):
    """One's own two-factor settings."""
    context = {
        "enabled": has_two_factor(request.user),
        "required": two_factor_required(request.user),
        "recovery_codes_left": recovery_codes_left(request.user),
        "form": CodeForm(label=_("Code uit uw authenticator-app")),
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    if request.method == "GET":
        device = services.two_factor_setup_begin(user=request.user)
        form = TwoFactorSetupForm(initial={"device": device.pk}, label=_("Code uit uw authenticator-app"))
        return _render_setup(request, device, form)
    form = TwoFactorSetupForm(request.POST, label=_("Code uit uw authenticator-app"))
    if not form.is_valid():
        return redirect("two_factor_setup")
    try:
        device = services.pending_app_device(user=request.user, device_id=form.cleaned_data["device"])
        codes = services.two_factor_setup_confirm(
            user=request.user,
            device_id=device.pk,
            code=form.cleaned_data["code"],
            request_meta=RequestMeta.from_request(request),
        )
    except NotFound as error:
        messages.error(request, error.message)
        return redirect("two_factor_setup")
    except InvalidInput as error:
        add_errors_to_form(form, error)
        return _render_setup(request, device, form, status=400)
    otp_login(request, device)
    request.session.pop(SETUP_REQUIRED_SESSION_KEY, None)
    return _render_recovery_codes(request, codes, first_time=True)


def _render_setup(request, device, form, *, status: int = 200):
    context = {"form": form, "qr_svg": _qr_svg(device), "secret": _secret_for_typing(device)}
    context["required"] = request.session.get(SETUP_REQUIRED_SESSION_KEY, False)
    return render(request, "accounts/two_factor_setup.html", context, status=status)


def _render_recovery_codes(request, codes: list[str], *, first_time: bool):
    response = render(request, "accounts/recovery_codes.html", {"codes": codes, "first_time": first_time})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def recovery_codes_new(request):
    return _with_app_code(
        request,
        lambda code, meta: _render_recovery_codes(
            request,
            services.recovery_codes_regenerate(user=request.user, code=code, request_meta=meta),
            first_time=False,
        ),
    )


@login_required
@require_POST
def two_factor_disable(request):
    def turn_off(code, meta):
        services.two_factor_disable(user=request.user, code=code, request_meta=meta)
        messages.success(request, _("Tweestapsverificatie staat uit. U logt voortaan in met alleen uw wachtwoord."))
        return redirect("two_factor")

    return _with_app_code(request, turn_off)


def _with_app_code(request, act):
    """Run ``act(code, request_meta)`` for the code posted on the settings page; a wrong or missing code goes
    back to that page with the reason, a refusal (required by the organisation) is its own page."""
    form = CodeForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(errors={"code": [_("Vul de code uit uw authenticator-app in.")]})
        return act(form.cleaned_data["code"], RequestMeta.from_request(request))
    except InvalidInput as error:
        messages.error(request, " ".join(m for messages_ in error.errors.values() for m in messages_))
        return redirect("two_factor")
    except NotPermitted as error:
        return service_error_response(request, error)


# --- an organisation's admin ---------------------------------------------------------------


@login_required
@require_POST
def member_two_factor_reset(request, organisation_id: int, user_id: int):
    organisation = organisation_for_admin(request, organisation_id)
    member = member_of(organisation, user_id)
    try:
        services.two_factor_reset(
            actor=request.user,
            organisation=organisation,
            subject=member,
            request_meta=RequestMeta.from_request(request),
        )
    except NotPermitted as error:
        return service_error_response(request, error)
    messages.success(
        request,
        _(
            "De tweestapsverificatie van %(name)s is gewist. Bij de volgende keer inloggen stelt %(name)s die "
            "opnieuw in."
        )
        % {"name": member},
    )
    return redirect("member_edit", organisation.pk, member.pk)


@login_required
@require_POST
def organisation_two_factor_policy(request, organisation_id: int):
    organisation = organisation_for_admin(request, organisation_id)
    form = TwoFactorPolicyForm(request.POST, policies=two_factor_policies_for(organisation))
    if not form.is_valid():
        messages.error(request, _("Kies een van de mogelijkheden."))
        return redirect("members", organisation.pk)
    services.two_factor_policy_set(
        actor=request.user,
        organisation=organisation,
        policy=form.cleaned_data["policy"],
        request_meta=RequestMeta.from_request(request),
    )
    messages.success(request, _("Opgeslagen. Het geldt vanaf de volgende keer dat iemand inlogt."))
    return redirect("members", organisation.pk)


def member_two_factor_context(request, organisation: Organisation, member: User) -> dict:
    """For the member's page: whether they use it, and whether this admin may reset it."""
    return {
        "member_two_factor": has_two_factor(member),
        "may_reset_two_factor": may_reset_two_factor(request.user, organisation, member),
    }


def policy_form_for(organisation: Organisation) -> TwoFactorPolicyForm:
    return TwoFactorPolicyForm(
        initial={"policy": organisation.two_factor_policy}, policies=two_factor_policies_for(organisation)
    )


# --- platform staff ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def staff_two_factor_reset(request):
    """Platform staff clear the second step of someone who may not be reset by an admin (an admin, staff)."""
    if not may_confirm_first_contacts(request.user):
        raise Http404
    form = StaffTwoFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subject = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if subject is None:
            form.add_error("email", _("Er is geen account met dit e-mailadres."))
        else:
            try:
                logged_in = services.two_factor_reset_by_staff(
                    actor=request.user, subject=subject, request_meta=RequestMeta.from_request(request)
                )
            except NotPermitted as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _(
                        "De tweestapsverificatie van %(name)s is gewist en vastgelegd in het logboek leden van "
                        "%(count)s organisatie(s)."
                    )
                    % {"name": subject, "count": logged_in},
                )
                return redirect("staff_two_factor_reset")
    status = 400 if form.errors else 200
    return render(request, "members/staff_two_factor_reset.html", {"form": form}, status=status)
