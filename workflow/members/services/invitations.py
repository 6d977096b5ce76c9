"""Invitations: a signed link that expires, and accepting it."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from agreements.choices import Language, MembershipAction, MembershipRole
from agreements.models import Membership, Organisation, User
from workflow.core.access import may_invite, may_manage_members
from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from workflow.core.request_meta import SYSTEM, RequestMeta
from workflow.members.services.memberships import _add_membership, _clean_mandate, record_member_event, roles_held
from workflow.notifications.outbox import notify_invitation

logger = logging.getLogger(__name__)

INVITATION_SALT = "samenkader.invitation"


@dataclass(frozen=True)
class InvitationDetails:
    """What an invitation token says."""

    email: str
    organisation: Organisation
    role: str
    invited_by: User
    mandate_until: dt.date | None

    @property
    def role_label(self) -> str:
        return str(MembershipRole(self.role).label)


@dataclass(frozen=True)
class InvitationResult:
    """The outcome of ``invitation_create``: the link (for a new person) or the membership (for an existing one)."""

    email: str
    organisation: Organisation
    role: str
    accept_url: str
    token: str | None
    membership: Membership | None

    @property
    def added_directly(self) -> bool:
        return self.membership is not None


def _max_age() -> int:
    return settings.INVITATION_MAX_AGE_DAYS * 24 * 60 * 60


def invitation_token(
    *, email: str, organisation_id: int, role: str, invited_by_id: int, mandate_until: dt.date | None = None
) -> str:
    payload = {
        "e": email,
        "o": organisation_id,
        "r": role,
        "i": invited_by_id,
        "m": mandate_until.isoformat() if mandate_until else None,
    }
    return signing.TimestampSigner(salt=INVITATION_SALT).sign_object(payload, compress=True)


def invitation_url(token: str) -> str:
    """The absolute accept link for a token, as it goes into the e-mail."""
    return settings.SITE_URL + reverse("invitation_accept", args=[token])


def _account_with_password(email: str) -> User | None:
    user = User.objects.filter(email__iexact=email).first()
    return user if user is not None and user.has_usable_password() else None


def invitation_read(*, token: str) -> InvitationDetails:
    """Check a token and say what it invites to.

    NotFound for a token that was not made here; Conflict when it has expired,
    was already used, or the inviter may no longer invite.
    """
    signer = signing.TimestampSigner(salt=INVITATION_SALT)
    try:
        payload = signer.unsign_object(token, max_age=_max_age())
    except signing.SignatureExpired:
        raise Conflict(
            _("Deze uitnodiging is verlopen. Vraag degene die u uitnodigde om een nieuwe uitnodiging te sturen.")
        )
    except signing.BadSignature:
        raise NotFound(_("Deze uitnodiging bestaat niet. Controleer of u de hele link uit de e-mail heeft gebruikt."))
    try:
        organisation = Organisation.objects.get(pk=payload["o"])
        invited_by = User.objects.get(pk=payload["i"], is_active=True)
        role = MembershipRole(payload["r"])
    except (Organisation.DoesNotExist, User.DoesNotExist, ValueError, KeyError):
        raise Conflict(_("Deze uitnodiging geldt niet meer. Vraag om een nieuwe uitnodiging."))
    details = InvitationDetails(
        email=payload["e"],
        organisation=organisation,
        role=role,
        invited_by=invited_by,
        mandate_until=dt.date.fromisoformat(payload["m"]) if payload.get("m") else None,
    )
    if _account_with_password(details.email) is not None:
        raise Conflict(
            _("Deze uitnodiging is al gebruikt. Log in met %(email)s om verder te gaan.") % {"email": details.email}
        )
    if not may_invite(invited_by, organisation, role):
        raise Conflict(
            _("Deze uitnodiging geldt niet meer: %(name)s mag geen leden meer uitnodigen voor %(organisation)s.")
            % {"name": invited_by, "organisation": organisation.name}
        )
    return details


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(errors={"email": [_("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")]})
    return email


def _check_invitation(
    *, actor: User, organisation: Organisation, email: str, role: str, mandate_until: dt.date | None
) -> dt.date | None:
    """The role, who may invite, and whom a first contact may be; returns the cleaned mandate date."""
    if role not in MembershipRole.values:
        raise InvalidInput(errors={"role": [_("Kies een rol.")]})
    if not may_invite(actor, organisation, role):
        raise NotPermitted(
            _("U mag geen leden uitnodigen voor %(organisation)s met deze rol.") % {"organisation": organisation.name}
        )
    mandate_until = _clean_mandate(role, mandate_until)
    if not may_manage_members(actor, organisation) and User.objects.filter(email__iexact=email).exists():
        # The first contact of a municipality is chosen by the other party: never
        # someone who already works in Samenkader (the inviter included), who
        # would then review agreements they helped draft or were never asked about.
        raise InvalidInput(
            errors={
                "email": [
                    _(
                        "Dit e-mailadres hoort al bij iemand in Samenkader. Nodig een medewerker van de gemeente uit "
                        "die nog geen account heeft, of vraag de beheerder van Samenkader om hulp."
                    )
                ]
            }
        )
    return mandate_until


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    organisation: Organisation,
    email: str,
    role: str,
    mandate_until: dt.date | None = None,
    request_meta: RequestMeta = SYSTEM,
) -> InvitationResult:
    """Invite ``email`` into ``organisation`` with ``role`` and queue the e-mail.

    An admin invites into their own organisation with any role; a drafter or
    admin of an initiative may invite a municipality's first contact as
    reviewer. Someone who already has an account is added at once (no link
    needed); everyone else gets a signed link that expires. Either way the
    organisation's member log gets one line. Raises
    NotPermitted, InvalidInput (address, role, mandate date) or Conflict
    (already a member with this role).
    """
    email = _clean_email(email)
    mandate_until = _check_invitation(
        actor=actor, organisation=organisation, email=email, role=role, mandate_until=mandate_until
    )
    existing = _account_with_password(email)
    # A row without a password (made by staff) is who the link will be for.
    subject = existing or User.objects.filter(email__iexact=email).first()
    roles_before = roles_held(subject, organisation) if subject is not None else []
    membership = None
    token = None
    if existing is not None:
        membership = _add_membership(user=existing, organisation=organisation, role=role, mandate_until=mandate_until)
        accept_url = settings.SITE_URL + reverse("home")
        language = existing.preferred_language
    else:
        token = invitation_token(
            email=email,
            organisation_id=organisation.pk,
            role=role,
            invited_by_id=actor.pk,
            mandate_until=mandate_until,
        )
        accept_url = invitation_url(token)
        language = Language.DUTCH
    record_member_event(
        organisation=organisation,
        actor=actor,
        action=MembershipAction.INVITED,
        subject=subject,
        subject_email=email,
        roles_before=roles_before,
        roles_after=[*roles_before, role],
        mandate_until=mandate_until,
        request_meta=request_meta,
    )
    with override(language):
        role_text = str(MembershipRole(role).label)
    notify_invitation(
        email=email,
        invited_by=actor,
        organisation_name=organisation.name,
        role_label=role_text,
        accept_url=accept_url,
        language=language,
    )
    logger.info("Invitation: user %s invited %s into organisation %s as %s", actor.pk, email, organisation.pk, role)
    return InvitationResult(
        email=email, organisation=organisation, role=role, accept_url=accept_url, token=token, membership=membership
    )


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    full_name: str,
    password: str,
    preferred_language: str = Language.DUTCH,
    request_meta: RequestMeta = SYSTEM,
) -> Membership:
    """A new person follows the link: creates their account with this password and joins the organisation.

    The link is spent afterwards, because the address then has an account
    with a password. Raises NotFound or Conflict as ``invitation_read``.
    """
    details = invitation_read(token=token)
    full_name = (full_name or "").strip()
    if not full_name:
        raise InvalidInput(errors={"full_name": [_("Vul uw naam in.")]})
    if preferred_language not in Language.values:
        preferred_language = Language.DUTCH
    # Lock the row if it exists (created without password in the admin), so two
    # tabs accepting at once cannot both set a password.
    user = User.objects.select_for_update().filter(email__iexact=details.email).first()
    if user is None:
        user = User.objects.create_user(
            email=details.email, password=password, full_name=full_name, preferred_language=preferred_language
        )
    else:
        if user.has_usable_password():
            raise Conflict(_("Deze uitnodiging is al gebruikt."))
        user.full_name = full_name
        user.preferred_language = preferred_language
        user.set_password(password)
        user.save(update_fields=["full_name", "preferred_language", "password"])
    roles_before = roles_held(user, details.organisation)
    membership = _add_membership(
        user=user, organisation=details.organisation, role=details.role, mandate_until=details.mandate_until
    )
    record_member_event(
        organisation=details.organisation,
        actor=user,
        action=MembershipAction.INVITATION_ACCEPTED,
        subject=user,
        roles_before=roles_before,
        roles_after=[*roles_before, details.role],
        mandate_until=details.mandate_until,
        request_meta=request_meta,
    )
    logger.info(
        "Invitation accepted: user %s joined organisation %s as %s (invited by %s)",
        user.pk,
        details.organisation.pk,
        details.role,
        details.invited_by.pk,
    )
    return membership
