"""The step-up at signing: the signatory's password (or, with two-factor sign-in on, the code from their
authenticator app) and their authority once more, throttled per account.

Failed attempts are counted in a counter of their own, not the sign-in one,
so a mistyped password at signing never locks anyone out of signing in. The
counter lives in the shared cache and the failures go to the security log
outside the signing transaction: both survive the refusal. After
SIGNING_STEP_UP_FAILURE_LIMIT failures within SIGNING_STEP_UP_WINDOW_MINUTES
the account may not sign for SIGNING_STEP_UP_LOCK_MINUTES, and the person and
their organisation's admins are told by e-mail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from agreements.models import Agreement, Organisation, User
from workflow.core import throttle
from workflow.core.exceptions import InvalidInput, NotPermitted
from workflow.core.request_meta import RequestMeta
from workflow.core.security_log import security_event_record
from workflow.core.two_factor import code_throttled, has_two_factor, matching_device
from workflow.models import SecurityEventKind
from workflow.notifications.events import Event
from workflow.notifications.outbox import notify

SCOPE = "signing-step-up"


def _window() -> int:
    return settings.SIGNING_STEP_UP_WINDOW_MINUTES * 60


def check_step_up(
    *,
    actor: User,
    agreement: Agreement,
    party: Organisation,
    password: str,
    authority_confirmed: bool,
    request_meta: RequestMeta,
    otp_code: str = "",
) -> None:
    """NotPermitted while signing is blocked for this account; InvalidInput naming the field that failed.

    Call it after permission and state were checked (someone who may not sign
    learns nothing about the password) and outside the signing transaction.
    """
    if throttle.blocked_until(SCOPE, str(actor.pk)):
        raise NotPermitted(
            _(
                "Ondertekenen is tijdelijk geblokkeerd voor uw account, na te veel verkeerde wachtwoorden. "
                "Probeer het over %(minutes)s minuten opnieuw; uw beheerder is op de hoogte."
            )
            % {"minutes": settings.SIGNING_STEP_UP_LOCK_MINUTES}
        )
    errors: dict[str, list[str]] = {}
    if not authority_confirmed:
        errors["authorised"] = [_("Bevestig dat u bevoegd bent om voor uw organisatie te tekenen.")]
    if otp_code.strip() and code_throttled(actor):
        errors["otp_code"] = [_("Te snel na een verkeerde code. Wacht een paar seconden en probeer het opnieuw.")]
    elif otp_code.strip():
        # With two-factor sign-in on, the code from the app may stand in for the password (not a recovery
        # code: those are for a lost phone at sign-in).
        if matching_device(actor, otp_code, allow_recovery_code=False) is None:
            errors["otp_code"] = [
                _failed(actor=actor, agreement=agreement, party=party, request_meta=request_meta, field="code")
            ]
    elif not password:
        if has_two_factor(actor):
            errors["otp_code"] = [_("Vul de code uit uw authenticator-app of uw wachtwoord in.")]
        else:
            errors["password"] = [_("Vul uw wachtwoord in.")]
    elif not actor.check_password(password):
        errors["password"] = [_failed(actor=actor, agreement=agreement, party=party, request_meta=request_meta)]
    if errors:
        raise InvalidInput(_("Ondertekenen is niet gelukt: controleer de gemarkeerde velden."), errors=errors)


def _failed(
    *, actor: User, agreement: Agreement, party: Organisation, request_meta: RequestMeta, field: str = "password"
) -> str:
    """Count and log one wrong password or code; block and tell the admins at the limit. Returns the message."""
    failures = throttle.hit(SCOPE, str(actor.pk), window=_window())
    security_event_record(
        kind=SecurityEventKind.SIGNING_STEP_UP_FAILED, request_meta=request_meta, user=actor, agreement=agreement
    )
    if failures < settings.SIGNING_STEP_UP_FAILURE_LIMIT:
        if field == "code":
            return _("Deze code klopt niet. Neem de code die nu in uw app staat.")
        return _("Dit wachtwoord klopt niet. Probeer het opnieuw.")
    throttle.block(SCOPE, str(actor.pk), seconds=settings.SIGNING_STEP_UP_LOCK_MINUTES * 60)
    with transaction.atomic():
        security_event_record(
            kind=SecurityEventKind.SIGNING_LOCKED,
            request_meta=request_meta,
            user=actor,
            agreement=agreement,
            note=f"{failures} failures",
        )
        notify(
            event=Event.SIGNING_LOCKED,
            agreement=agreement,
            actor=None,
            context={"person_id": actor.pk, "person": str(actor), "party_id": party.pk},
        )
    return _(
        "Dit klopt niet. Na te veel pogingen is ondertekenen nu %(minutes)s minuten geblokkeerd; "
        "u en uw beheerder krijgen een e-mail."
    ) % {"minutes": settings.SIGNING_STEP_UP_LOCK_MINUTES}
