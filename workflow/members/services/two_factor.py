"""Two-factor sign-in: setting up an authenticator app, recovery codes, turning it off, a reset after a lost
phone (audited in the organisation's member log), and an organisation's rule for who must use it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agreements.choices import MembershipAction
from agreements.models import Membership, Organisation, User
from workflow.core.access import (
    may_manage_members,
    may_reset_two_factor,
    two_factor_policies_for,
    two_factor_required,
)
from workflow.core.exceptions import InvalidInput, NotFound, NotPermitted
from workflow.core.request_meta import RequestMeta
from workflow.core.security_log import security_event_record
from workflow.core.two_factor import RECOVERY_DEVICE_NAME, matching_device
from workflow.members.services.memberships import record_member_event
from workflow.models import SecurityEventKind

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "authenticator-app"


def two_factor_setup_begin(*, user: User) -> TOTPDevice:
    """A new, unconfirmed app key for this person; the setup page shows it as a QR code.

    An earlier unfinished setup is dropped. A confirmed app stays in force
    until the new one is confirmed, so starting over never locks anyone out.
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def pending_app_device(*, user: User, device_id: int) -> TOTPDevice:
    device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        raise NotFound(_("Deze instelling is verlopen. Begin opnieuw."))
    return device


def two_factor_setup_confirm(*, user: User, device_id: int, code: str, request_meta: RequestMeta) -> list[str]:
    """The person typed the app's first code: the app counts from now on. Returns new recovery codes (shown once)."""
    device = pending_app_device(user=user, device_id=device_id)
    if not device.verify_token("".join(code.split())):
        raise InvalidInput(
            errors={"code": [_("Deze code klopt niet. Controleer of de tijd op uw telefoon goed staat.")]}
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        security_event_record(kind=SecurityEventKind.TWO_FACTOR_ENABLED, request_meta=request_meta, user=user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_regenerate(*, user: User, code: str, request_meta: RequestMeta) -> list[str]:
    """New recovery codes for the old ones, after a code from the app: the old codes stop working."""
    _require_app_code(user=user, code=code, request_meta=request_meta)
    with transaction.atomic():
        return _new_recovery_codes(user)


def two_factor_disable(*, user: User, code: str, request_meta: RequestMeta) -> None:
    """Turn it off, after a code from the app; refused when an organisation (or staff duty) requires it."""
    if two_factor_required(user):
        raise NotPermitted(
            _("Uw organisatie vraagt tweestapsverificatie voor uw rol; u kunt het daarom niet uitzetten.")
        )
    _require_app_code(user=user, code=code, request_meta=request_meta)
    with transaction.atomic():
        _delete_devices(user)
        security_event_record(kind=SecurityEventKind.TWO_FACTOR_DISABLED, request_meta=request_meta, user=user)


def _require_app_code(*, user: User, code: str, request_meta: RequestMeta) -> None:
    if matching_device(user, code, allow_recovery_code=False) is None:
        security_event_record(kind=SecurityEventKind.TWO_FACTOR_CODE_FAILED, request_meta=request_meta, user=user)
        raise InvalidInput(errors={"code": [_("Deze code klopt niet. Neem de code die nu in uw app staat.")]})


def _delete_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def two_factor_reset(*, actor: User, organisation: Organisation, subject: User, request_meta: RequestMeta) -> None:
    """A lost phone: clear someone's app and recovery codes, so they set it up again at their next sign-in.

    An organisation's admin does this for its members, platform staff for
    admins (``access.may_reset_two_factor``). One line in the member log of
    the organisation it was done from.
    """
    if not may_reset_two_factor(actor, organisation, subject):
        raise NotPermitted(
            _(
                "U mag de tweestapsverificatie van dit lid niet opnieuw instellen. Voor een beheerder doet "
                "Samenkader dat."
            )
        )
    with transaction.atomic():
        _delete_devices(subject)
        record_member_event(
            organisation=organisation,
            actor=actor,
            action=MembershipAction.TWO_FACTOR_RESET,
            subject=subject,
            request_meta=request_meta,
        )


def two_factor_reset_by_staff(*, actor: User, subject: User, request_meta: RequestMeta) -> int:
    """Platform staff reset someone's second step (an admin's, typically); logged in each of their organisations.

    Returns in how many organisations' logs it was written.
    """
    if not (actor.is_authenticated and actor.is_active and actor.is_staff) or actor.pk == subject.pk:
        raise NotPermitted(_("Alleen Samenkader-beheer mag dit, en niet voor het eigen account."))
    organisation_ids = (
        Membership.objects.filter(user=subject).values_list("organisation_id", flat=True).distinct().order_by()
    )
    with transaction.atomic():
        _delete_devices(subject)
        organisations = list(Organisation.objects.filter(pk__in=list(organisation_ids)))
        for organisation in organisations:
            record_member_event(
                organisation=organisation,
                actor=actor,
                action=MembershipAction.TWO_FACTOR_RESET,
                subject=subject,
                request_meta=request_meta,
            )
        if not organisations:
            security_event_record(
                kind=SecurityEventKind.TWO_FACTOR_DISABLED,
                request_meta=request_meta,
                user=subject,
                note=f"reset by staff {actor.pk}",
            )
    return len(organisations)


def two_factor_policy_set(*, actor: User, organisation: Organisation, policy: str, request_meta: RequestMeta) -> None:
    """An organisation's admin decides who of its members must sign in with a code too (from their next sign-in)."""
    if not may_manage_members(actor, organisation):
        raise NotPermitted(_("Alleen een beheerder van de organisatie mag dit instellen."))
    if policy not in two_factor_policies_for(organisation):
        raise InvalidInput(errors={"policy": [_("Kies een van de mogelijkheden.")]})
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.two_factor_policy == policy:
            return
        before = locked.get_two_factor_policy_display()
        locked.two_factor_policy = policy
        locked.save(update_fields=["two_factor_policy"])
        organisation.two_factor_policy = policy
        record_member_event(
            organisation=locked,
            actor=actor,
            action=MembershipAction.TWO_FACTOR_POLICY_CHANGED,
            subject=actor,
            request_meta=request_meta,
            note=f"{before} → {locked.get_two_factor_policy_display()}",
        )
