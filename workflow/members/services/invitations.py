"""Invitations: rows that are listed, withdrawn, expire and are used once.

Nobody joins an organisation without consent: an invitation, also one to an
existing account, only takes effect when the invited person accepts it
(after signing in, if they have an account). The link carries a random
token; the row stores only its SHA-256.

A municipality's first contact is asked for by an initiative, but an
initiative cannot choose who speaks for a municipality: the request waits
until platform staff have checked the address against the municipality's
e-mail domain. Only then does the invitation go out, and only once it is
accepted does that person become the municipality's admin and reviewer.

Every answer is the same whatever the address: whether it already has an
account shows only in the e-mail to that address.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from agreements.choices import Language, MembershipAction, MembershipRole
from agreements.models import SINGLE_LINE_MESSAGE, Invitation, Membership, Organisation, User, has_control_characters
from workflow.core.access import (
    forget_cached_roles,
    initiatives_that_may_invite_first_contact,
    may_confirm_first_contacts,
    may_invite_first_contact,
    may_manage_members,
    municipality_has_members,
)
from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from workflow.core.request_meta import SYSTEM, RequestMeta
from workflow.members.services.memberships import _add_membership, _clean_mandate, record_member_event, roles_held
from workflow.notifications.outbox import notify_invitation

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvitationResult:
    """A new invitation, and the token of its link (None while a first contact waits for confirmation)."""

    invitation: Invitation
    token: str | None

    @property
    def accept_url(self) -> str:
        return invitation_url(self.token) if self.token else ""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, _token_hash(token)


def _expires_at() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def invitation_url(token: str) -> str:
    """The absolute accept link for a token, as it goes into the e-mail."""
    return settings.SITE_URL + reverse("invitation_accept", args=[token])


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(errors={"email": [_("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")]})
    return email


def _account(email: str) -> User | None:
    """The account of this address that someone can sign in to (a row without a password is not one yet)."""
    user = User.objects.filter(email__iexact=email).first()
    return user if user is not None and user.has_usable_password() else None


def _send(invitation: Invitation, token: str, *, actor: User) -> None:
    """Queue the invitation e-mail (same transaction). Its text depends on whether the address has an account."""
    account = _account(invitation.email)
    language = account.preferred_language if account is not None else Language.DUTCH
    with override(language):
        role_text = ", ".join(str(MembershipRole(role).label) for role in invitation.roles_on_acceptance)
    notify_invitation(
        email=invitation.email,
        invited_by=actor,
        organisation_name=invitation.organisation.name,
        role_label=role_text,
        accept_url=invitation_url(token),
        language=language,
    )


def _insert(invitation: Invitation) -> Invitation:
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise Conflict(
            _("Er staat al een uitnodiging open voor %(email)s. Trek die eerst in als u een nieuwe wilt sturen.")
            % {"email": invitation.email}
        ) from None
    return invitation


# --- an admin invites into their own organisation --------------------------------------------


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
    """The organisation's admin invites ``email`` with ``role``; the e-mail with the link is queued.

    The answer is the same whether the address has an account or not; the
    person joins only by accepting. NotPermitted unless the actor is the
    organisation's admin; InvalidInput for the address, role or mandate date;
    Conflict when that person already has the role or an invitation is open.
    """
    email = _clean_email(email)
    if role not in MembershipRole.values:
        raise InvalidInput(errors={"role": [_("Kies een rol.")]})
    if not may_manage_members(actor, organisation):
        raise NotPermitted(
            _("Alleen de beheerder van %(organisation)s nodigt leden uit.") % {"organisation": organisation.name}
        )
    mandate_until = _clean_mandate(role, mandate_until)
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email, role=role).exists():
        raise Conflict(
            _("%(email)s is al %(role)s bij %(organisation)s.")
            % {"email": email, "role": MembershipRole(role).label, "organisation": organisation.name}
        )
    token, token_hash = _new_token()
    invitation = _insert(
        Invitation(
            organisation=organisation,
            email=email,
            role=role,
            mandate_until=mandate_until,
            invited_by=actor,
            status=Invitation.Status.PENDING,
            token_hash=token_hash,
            expires_at=_expires_at(),
        )
    )
    subject = User.objects.filter(email__iexact=email).first()
    roles_before = roles_held(subject, organisation) if subject is not None else []
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
    _send(invitation, token, actor=actor)
    logger.info(
        "Invitation %s: user %s invited %s into organisation %s", invitation.pk, actor.pk, email, organisation.pk
    )
    return InvitationResult(invitation=invitation, token=token)


# --- a municipality's first contact ------------------------------------------------------------


@transaction.atomic
def first_contact_request(
    *, actor: User, municipality: Organisation, email: str, request_meta: RequestMeta = SYSTEM
) -> Invitation:
    """An initiative asks for the first contact of a municipality that has nobody in Samenkader yet.

    Nothing goes out and nobody gets any right until platform staff confirm
    the address (``first_contact_confirm``). The answer is the same whatever
    the address; asking twice for the same address is the same request.
    """
    email = _clean_email(email)
    if not may_invite_first_contact(actor, municipality):
        raise NotPermitted(
            _("U kunt geen eerste contactpersoon vragen voor %(organisation)s.") % {"organisation": municipality.name}
        )
    asking = Organisation.objects.filter(pk__in=initiatives_that_may_invite_first_contact(actor)).order_by("name")[0]
    existing = Invitation.objects.open().filter(organisation=municipality, email__iexact=email).first()
    if existing is not None:
        return existing
    _token, placeholder_hash = _new_token()  # replaced on confirmation; nobody holds this token
    invitation = _insert(
        Invitation(
            organisation=municipality,
            email=email,
            role=MembershipRole.REVIEWER,
            is_first_contact=True,
            requested_by_organisation=asking,
            invited_by=actor,
            status=Invitation.Status.AWAITING_CONFIRMATION,
            token_hash=placeholder_hash,
            expires_at=_expires_at(),
        )
    )
    record_member_event(
        organisation=municipality,
        actor=actor,
        action=MembershipAction.FIRST_CONTACT_REQUESTED,
        subject=None,
        subject_email=email,
        roles_after=invitation.roles_on_acceptance,
        request_meta=request_meta,
        note=_("Gevraagd door %(initiative)s") % {"initiative": asking.name},
    )
    logger.info("First contact %s asked for municipality %s by user %s", invitation.pk, municipality.pk, actor.pk)
    return invitation


def _clean_domain(domain: str) -> str:
    domain = (domain or "").strip().lower().lstrip("@")
    if not domain or "." not in domain or " " in domain or "@" in domain:
        raise InvalidInput(errors={"domain": [_("Vul het e-maildomein van de gemeente in, zoals zwolle.nl.")]})
    return domain


def _lock_invitation(invitation: Invitation | int) -> Invitation:
    pk = invitation if isinstance(invitation, int) else invitation.pk
    found = Invitation.objects.select_for_update().select_related("organisation").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Deze uitnodiging bestaat niet."))
    return found


def _check_still_open(invitation: Invitation, status: str) -> None:
    if invitation.status != status or invitation.is_expired:
        label = _("verlopen") if invitation.is_expired else invitation.get_status_display()
        raise Conflict(_("Dat kan niet meer: deze uitnodiging is nu '%(status)s'.") % {"status": label})


@transaction.atomic
def first_contact_confirm(
    *, actor: User, invitation: Invitation | int, domain: str, request_meta: RequestMeta = SYSTEM
) -> InvitationResult:
    """Platform staff confirm a first contact's address against the municipality's domain; the invitation goes out.

    ``domain`` is the municipality's own e-mail domain as staff checked it
    (for example zwolle.nl); the address must be on it. Conflict when the
    request is no longer waiting, the municipality meanwhile has members, or
    the address belongs to someone of the initiative that asked (nobody acts
    for both parties).
    """
    if not may_confirm_first_contacts(actor):
        raise NotPermitted(_("Alleen medewerkers van Samenkader bevestigen een eerste contactpersoon."))
    invitation = _lock_invitation(invitation)
    _check_still_open(invitation, Invitation.Status.AWAITING_CONFIRMATION)
    domain = _clean_domain(domain)
    address_domain = invitation.email.rpartition("@")[2]
    if address_domain != domain and not address_domain.endswith("." + domain):
        raise InvalidInput(
            errors={
                "domain": [
                    _("Het adres %(email)s hoort niet bij het domein %(domain)s.")
                    % {"email": invitation.email, "domain": domain}
                ]
            }
        )
    if municipality_has_members(invitation.organisation):
        raise Conflict(_("%(organisation)s heeft inmiddels leden.") % {"organisation": invitation.organisation.name})
    if invitation.organisation.merged_into_id is not None:
        raise Conflict(
            _("%(organisation)s is heringedeeld; vraag de eerste contactpersoon van de nieuwe gemeente.")
            % {"organisation": invitation.organisation.name}
        )
    if Membership.objects.filter(
        organisation=invitation.requested_by_organisation, user__email__iexact=invitation.email
    ).exists():
        raise Conflict(
            _(
                "%(email)s hoort bij %(initiative)s, dat om deze contactpersoon vroeg. "
                "Niemand werkt voor beide partijen."
            )
            % {"email": invitation.email, "initiative": invitation.requested_by_organisation.name}
        )
    token, token_hash = _new_token()
    invitation.status = Invitation.Status.PENDING
    invitation.token_hash = token_hash
    invitation.confirmed_by = actor
    invitation.confirmed_at = timezone.now()
    invitation.confirmed_domain = domain
    invitation.expires_at = _expires_at()
    invitation.save()
    record_member_event(
        organisation=invitation.organisation,
        actor=actor,
        action=MembershipAction.FIRST_CONTACT_CONFIRMED,
        subject=None,
        subject_email=invitation.email,
        roles_after=invitation.roles_on_acceptance,
        request_meta=request_meta,
        note=_("Adres gecontroleerd tegen %(domain)s") % {"domain": domain},
    )
    _send(invitation, token, actor=actor)
    return InvitationResult(invitation=invitation, token=token)


@transaction.atomic
def invitation_withdraw(*, actor: User, invitation: Invitation | int, request_meta: RequestMeta = SYSTEM) -> Invitation:
    """The organisation's admin (or, for a first contact, platform staff) withdraws an open invitation."""
    invitation = _lock_invitation(invitation)
    allowed = may_manage_members(actor, invitation.organisation) or (
        invitation.is_first_contact and may_confirm_first_contacts(actor)
    )
    if not allowed:
        raise NotPermitted(_("U mag deze uitnodiging niet intrekken."))
    if invitation.status not in (Invitation.Status.AWAITING_CONFIRMATION, Invitation.Status.PENDING):
        raise Conflict(
            _("Dat kan niet meer: deze uitnodiging is nu '%(status)s'.") % {"status": invitation.get_status_display()}
        )
    invitation.status = Invitation.Status.WITHDRAWN
    invitation.withdrawn_by = actor
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["status", "withdrawn_by", "withdrawn_at"])
    record_member_event(
        organisation=invitation.organisation,
        actor=actor,
        action=MembershipAction.INVITATION_WITHDRAWN,
        subject=User.objects.filter(email__iexact=invitation.email).first(),
        subject_email=invitation.email,
        request_meta=request_meta,
    )
    return invitation


@transaction.atomic
def first_contact_withdraw(
    *, actor: User, invitation: Invitation | int, request_meta: RequestMeta = SYSTEM
) -> Invitation:
    """Platform staff take back an accepted first contact: that person loses every role in the municipality.

    The municipality may be left without an admin: it then waits for a new
    first contact, as before the first one.
    """
    if not may_confirm_first_contacts(actor):
        raise NotPermitted(_("Alleen medewerkers van Samenkader trekken een eerste contactpersoon in."))
    invitation = _lock_invitation(invitation)
    if not invitation.is_first_contact or invitation.status != Invitation.Status.ACCEPTED:
        raise Conflict(_("Alleen een aangenomen uitnodiging als eerste contactpersoon kan zo worden ingetrokken."))
    if invitation.withdrawn_at is not None:
        raise Conflict(_("Deze eerste contactpersoon is al ingetrokken."))
    person = invitation.accepted_by
    roles_before = roles_held(person, invitation.organisation)
    Membership.objects.filter(organisation=invitation.organisation, user=person).delete()
    forget_cached_roles(person)
    invitation.withdrawn_by = actor
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_by", "withdrawn_at"])
    record_member_event(
        organisation=invitation.organisation,
        actor=actor,
        action=MembershipAction.FIRST_CONTACT_WITHDRAWN,
        subject=person,
        roles_before=roles_before,
        request_meta=request_meta,
    )
    return invitation


# --- accepting ---------------------------------------------------------------------------------------


def invitation_read(*, token: str, lock: bool = False) -> Invitation:
    """The invitation behind a link, while it can still be accepted.

    NotFound for a token that was never handed out; Conflict when it was
    used, withdrawn, has expired, or the inviter may no longer invite.
    """
    invitations = Invitation.objects.select_related("organisation", "invited_by")
    if lock:
        invitations = invitations.select_for_update()
    invitation = invitations.filter(token_hash=_token_hash(token or "")).first()
    if invitation is None or invitation.status == Invitation.Status.AWAITING_CONFIRMATION:
        raise NotFound(_("Deze uitnodiging bestaat niet. Controleer of u de hele link uit de e-mail heeft gebruikt."))
    if invitation.status == Invitation.Status.ACCEPTED:
        raise Conflict(_("Deze uitnodiging is al gebruikt. Log in met %(email)s.") % {"email": invitation.email})
    if invitation.status == Invitation.Status.WITHDRAWN:
        raise Conflict(_("Deze uitnodiging is ingetrokken. Vraag om een nieuwe uitnodiging."))
    if invitation.is_expired:
        raise Conflict(
            _("Deze uitnodiging is verlopen. Vraag degene die u uitnodigde om een nieuwe uitnodiging te sturen.")
        )
    if not invitation.is_first_contact and not may_manage_members(invitation.invited_by, invitation.organisation):
        raise Conflict(
            _("Deze uitnodiging geldt niet meer: %(name)s mag geen leden meer uitnodigen voor %(organisation)s.")
            % {"name": invitation.invited_by, "organisation": invitation.organisation.name}
        )
    return invitation


def invitation_account(invitation: Invitation) -> User | None:
    """The account the invited address already has, if any: it accepts by signing in, not by making a new one."""
    return _account(invitation.email)


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
    preferred_language: str = Language.DUTCH,
    request_meta: RequestMeta = SYSTEM,
) -> list[Membership]:
    """Accept an invitation: the person joins with the roles it offers; the link is spent.

    An address with an account accepts as that account, signed in (``user``);
    anyone else makes their account here with ``full_name`` and ``password``.
    NotPermitted when someone else is signed in; NotFound or Conflict as
    ``invitation_read``.
    """
    invitation = invitation_read(token=token, lock=True)
    account = _account(invitation.email)
    if account is not None:
        if user is None or not user.is_authenticated or user.pk != account.pk:
            raise NotPermitted(
                _("Deze uitnodiging is voor %(email)s. Log in met dat adres om haar aan te nemen.")
                % {"email": invitation.email}
            )
        person = account
    else:
        person = _new_account(invitation.email, full_name=full_name, password=password, language=preferred_language)
    roles_before = roles_held(person, invitation.organisation)
    memberships = [
        _add_membership(
            user=person,
            organisation=invitation.organisation,
            role=role,
            mandate_until=invitation.mandate_until if role == MembershipRole.SIGNATORY else None,
            existing_ok=True,
        )
        for role in invitation.roles_on_acceptance
    ]
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_by = person
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "accepted_at"])
    record_member_event(
        organisation=invitation.organisation,
        actor=person,
        action=MembershipAction.INVITATION_ACCEPTED,
        subject=person,
        roles_before=roles_before,
        roles_after=[*roles_before, *invitation.roles_on_acceptance],
        mandate_until=invitation.mandate_until,
        request_meta=request_meta,
    )
    logger.info("Invitation %s accepted by user %s", invitation.pk, person.pk)
    return memberships


def _new_account(email: str, *, full_name: str, password: str, language: str) -> User:
    full_name = (full_name or "").strip()
    if not full_name:
        raise InvalidInput(errors={"full_name": [_("Vul uw naam in.")]})
    if has_control_characters(full_name):
        raise InvalidInput(errors={"full_name": [str(SINGLE_LINE_MESSAGE)]})
    if language not in Language.values:
        language = Language.DUTCH
    # A row without a password (made by staff) becomes this person's account.
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is None:
        return User.objects.create_user(
            email=email, password=password, full_name=full_name, preferred_language=language
        )
    user.full_name = full_name
    user.preferred_language = language
    user.set_password(password)
    user.save(update_fields=["full_name", "preferred_language", "password"])
    return user
