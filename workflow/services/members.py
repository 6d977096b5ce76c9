"""Members and invitations: one function per action of an organisation's admin or an invited person.

Memberships do not belong to an agreement, so they write no AuditEvent; every
change is logged (logger ``workflow.members``) with who did it.

Invitations carry no table: the link holds a signed, expiring token with the
e-mail address, organisation, role, inviter and mandate end date. It only
works for an address that has no account with a password yet, so once the
person has joined, the link is spent. Someone who already has an account is
added straight away and told by e-mail.
"""

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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from agreements.choices import Language, MembershipRole
from agreements.models import Membership, Organisation, User

from .. import notifications
from ..exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from ..permissions import forget_cached_roles
from ..permissions_members import may_invite, may_manage_members

logger = logging.getLogger("workflow.members")

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


def _clean_mandate(role: str, mandate_until: dt.date | None) -> dt.date | None:
    if role != MembershipRole.SIGNATORY:
        return None
    if mandate_until is not None and mandate_until < timezone.localdate():
        raise InvalidInput(errors={"mandate_until": [_("Deze datum ligt in het verleden.")]})
    return mandate_until


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    organisation: Organisation,
    email: str,
    role: str,
    mandate_until: dt.date | None = None,
) -> InvitationResult:
    """Invite ``email`` into ``organisation`` with ``role`` and queue the e-mail.

    An admin invites into their own organisation with any role; a drafter or
    admin of an initiative may invite a municipality's first contact as
    reviewer. Someone who already has an account is added at once (no link
    needed); everyone else gets a signed link that expires. Raises
    NotPermitted, InvalidInput (address, role, mandate date) or Conflict
    (already a member with this role).
    """
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(errors={"email": [_("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")]})
    if role not in MembershipRole.values:
        raise InvalidInput(errors={"role": [_("Kies een rol.")]})
    if not may_invite(actor, organisation, role):
        raise NotPermitted(
            _("U mag geen leden uitnodigen voor %(organisation)s met deze rol.") % {"organisation": organisation.name}
        )
    mandate_until = _clean_mandate(role, mandate_until)
    role_label = MembershipRole(role).label
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
    existing = _account_with_password(email)
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
    with override(language):
        role_text = str(role_label)
    notifications.notify_invitation(
        email=email,
        invited_by=actor,
        organisation_name=organisation.name,
        role_label=role_text,
        accept_url=accept_url,
        language=language,
    )
    logger.info(
        "Invitation: user %s invited %s into organisation %s as %s (%s)",
        actor.pk,
        email,
        organisation.pk,
        role,
        "added at once" if membership else "link sent",
    )
    return InvitationResult(
        email=email, organisation=organisation, role=role, accept_url=accept_url, token=token, membership=membership
    )


def _add_membership(*, user: User, organisation: Organisation, role: str, mandate_until: dt.date | None) -> Membership:
    if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        raise Conflict(
            _("%(name)s is al %(role)s bij %(organisation)s.")
            % {"name": user, "role": MembershipRole(role).label, "organisation": organisation.name}
        )
    membership = Membership.objects.create(user=user, organisation=organisation, role=role, mandate_until=mandate_until)
    forget_cached_roles(user)
    return membership


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    full_name: str,
    password: str,
    preferred_language: str = Language.DUTCH,
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
    membership = _add_membership(
        user=user, organisation=details.organisation, role=details.role, mandate_until=details.mandate_until
    )
    logger.info(
        "Invitation accepted: user %s joined organisation %s as %s (invited by %s)",
        user.pk,
        details.organisation.pk,
        details.role,
        details.invited_by.pk,
    )
    return membership


def _admin_ids(organisation: Organisation) -> set[int]:
    return set(
        Membership.objects.filter(organisation=organisation, role=MembershipRole.ADMIN).values_list(
            "user_id", flat=True
        )
    )


def _check_manage(actor: User, organisation: Organisation, member: User) -> list[Membership]:
    if not may_manage_members(actor, organisation):
        raise NotPermitted(
            _("Alleen de beheerder van %(organisation)s kan leden beheren.") % {"organisation": organisation.name}
        )
    # One member change per organisation at a time: the "at least one admin"
    # rule counts rows that another change could be removing at this moment.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    rows = list(Membership.objects.select_for_update().filter(organisation=organisation, user=member).order_by("role"))
    if not rows:
        raise NotFound(_("Deze persoon is geen lid van %(organisation)s.") % {"organisation": organisation.name})
    return rows


@transaction.atomic
def member_update(
    *,
    actor: User,
    organisation: Organisation,
    member: User,
    roles: list[str],
    mandate_until: dt.date | None = None,
) -> list[Membership]:
    """The admin sets a member's roles (and a signatory's mandate end date); returns the memberships now held.

    At least one role stays (removing someone is ``member_remove``), and the
    organisation keeps at least one admin.
    """
    rows = _check_manage(actor, organisation, member)
    wanted = set(roles)
    if not wanted:
        raise InvalidInput(
            errors={"roles": [_("Kies minstens één rol. Wilt u iemand verwijderen? Gebruik dan 'Verwijderen'.")]}
        )
    if not wanted <= set(MembershipRole.values):
        raise InvalidInput(errors={"roles": [_("Kies een rol uit de lijst.")]})
    if MembershipRole.ADMIN not in wanted and _admin_ids(organisation) == {member.pk}:
        raise Conflict(_("Een organisatie heeft altijd minstens één beheerder. Maak eerst iemand anders beheerder."))
    mandate_until = (
        _clean_mandate(MembershipRole.SIGNATORY, mandate_until) if MembershipRole.SIGNATORY in wanted else None
    )
    held = {row.role: row for row in rows}
    for role, row in held.items():
        if role not in wanted:
            row.delete()
    for role in wanted - set(held):
        held[role] = Membership.objects.create(
            user=member,
            organisation=organisation,
            role=role,
            mandate_until=mandate_until if role == MembershipRole.SIGNATORY else None,
        )
    signatory = held.get(MembershipRole.SIGNATORY)
    if signatory is not None and MembershipRole.SIGNATORY in wanted and signatory.mandate_until != mandate_until:
        signatory.mandate_until = mandate_until
        signatory.save(update_fields=["mandate_until"])
    forget_cached_roles(member)
    logger.info(
        "Membership: user %s set roles of user %s in organisation %s to %s (mandate until %s)",
        actor.pk,
        member.pk,
        organisation.pk,
        sorted(wanted),
        mandate_until,
    )
    return [held[role] for role in sorted(wanted)]


@transaction.atomic
def member_remove(*, actor: User, organisation: Organisation, member: User) -> None:
    """The admin removes someone who left. Their account stays; what they did stays in the logs."""
    _check_manage(actor, organisation, member)
    if member.pk in _admin_ids(organisation) and _admin_ids(organisation) == {member.pk}:
        raise Conflict(_("Een organisatie heeft altijd minstens één beheerder. Maak eerst iemand anders beheerder."))
    Membership.objects.filter(organisation=organisation, user=member).delete()
    forget_cached_roles(member)
    logger.info("Membership: user %s removed user %s from organisation %s", actor.pk, member.pk, organisation.pk)


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """Remember the language this person wants Samenkader (and its e-mails) in."""
    if language not in Language.values:
        raise InvalidInput(errors={"language": [_("Kies Nederlands of Engels.")]})
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


__all__ = [
    "InvitationDetails",
    "InvitationResult",
    "invitation_accept",
    "invitation_create",
    "invitation_read",
    "invitation_token",
    "invitation_url",
    "member_remove",
    "member_update",
    "user_set_language",
]
