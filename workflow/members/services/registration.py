"""An initiative joins by itself: a volunteer registers it, confirms their e-mail, and runs it from then on.

Until the link in the e-mail is followed only an ``InitiativeRegistration``
row exists; confirming makes the organisation and the account and gives the
volunteer the roles admin and drafter, and signatory when they said they sign
for the initiative (a separate line in the member log, so everybody sees who
made themselves a signatory). Someone who is signed in already has a
confirmed address: their initiative is made at once.

The answer is the same whatever the address: an address that already has an
account (also one without a password) gets an e-mail asking to sign in and
register from there, without a link that makes anything; a registration never
sets the password of an existing account.

Platform staff see every initiative that registered itself in their queue
(``members/selectors.py initiatives_for_staff``): they mark it checked, or
suspend it. A suspended initiative's members still read its agreements but act
on nothing (``core/access.py has_role``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import Language, LegalForm, MembershipAction, MembershipRole, OrganisationKind
from agreements.models import Membership, Organisation, User, kvk_number_validator
from workflow.core.access import forget_cached_roles, may_check_initiatives
from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from workflow.core.request_meta import SYSTEM, RequestMeta
from workflow.core.text import one_line
from workflow.members.services.invitations import _clean_email
from workflow.members.services.memberships import FUNCTION_MAX_LENGTH, record_member_event
from workflow.models import InitiativeRegistration
from workflow.notifications.outbox import notify_registration

logger = logging.getLogger(__name__)

REGISTRATION_LINK_DAYS = 7
NAME_MAX_LENGTH = 200
NEIGHBOURHOOD_MAX_LENGTH = 120
NEIGHBOURHOODS_MAX = 30
SUSPENSION_REASON_MAX_LENGTH = 2000


@dataclass(frozen=True)
class InitiativeDetails:
    """What an initiative says about itself when it registers."""

    name: str
    legal_form: str
    municipality: Organisation | None
    kvk_number: str = ""
    neighbourhood_names: list[str] = field(default_factory=list)
    signs_for_initiative: bool = False
    function: str = ""


@dataclass(frozen=True)
class RegistrationResult:
    """The registration waiting for its confirmation, and the token of its link.

    Both are None when the address already had an account (that person got an e-mail to sign in instead).
    """

    registration: InitiativeRegistration | None
    token: str | None


def _token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode("ascii", "replace")).hexdigest()


def confirm_url(token: str) -> str:
    return settings.SITE_URL + reverse("registration_confirm", args=[token])


def clean_details(details: InitiativeDetails) -> InitiativeDetails:
    """The details with surrounding spaces dropped; InvalidInput names the field that is wrong."""
    name = one_line(
        details.name,
        field_name="initiative_name",
        max_length=NAME_MAX_LENGTH,
        required_message=_("Vul de naam van het initiatief in."),
    )
    if details.legal_form not in LegalForm.values:
        raise InvalidInput(errors={"legal_form": [_("Kies de rechtsvorm.")]})
    kvk_number = (details.kvk_number or "").strip().replace(" ", "")
    if kvk_number:
        try:
            kvk_number_validator(kvk_number)
        except ValidationError as error:
            raise InvalidInput(errors={"kvk_number": list(error.messages)}) from None
    municipality = details.municipality
    if municipality is None or municipality.kind != OrganisationKind.MUNICIPALITY:
        raise InvalidInput(errors={"municipality": [_("Kies de gemeente waar het initiatief werkt.")]})
    if municipality.merged_into_id is not None:
        raise InvalidInput(
            errors={"municipality": [_("Deze gemeente is heringedeeld. Kies de gemeente waarin zij opging.")]}
        )
    names: list[str] = []
    for raw in details.neighbourhood_names:
        one = one_line(raw, field_name="neighbourhoods", max_length=NEIGHBOURHOOD_MAX_LENGTH)
        if one and one.casefold() not in {n.casefold() for n in names}:
            names.append(one)
    if len(names) > NEIGHBOURHOODS_MAX:
        raise InvalidInput(
            errors={"neighbourhoods": [_("Noem ten hoogste %(max)s wijken of buurten.") % {"max": NEIGHBOURHOODS_MAX}]}
        )
    function = one_line(details.function, field_name="function", max_length=FUNCTION_MAX_LENGTH)
    if details.signs_for_initiative and not function:
        raise InvalidInput(
            errors={"function": [_("Vul uw functie in, bijvoorbeeld voorzitter of penningmeester van het bestuur.")]}
        )
    return InitiativeDetails(
        name=name,
        legal_form=details.legal_form,
        municipality=municipality,
        kvk_number=kvk_number,
        neighbourhood_names=names,
        signs_for_initiative=details.signs_for_initiative,
        function=function if details.signs_for_initiative else "",
    )


def _refuse_known_name(details: InitiativeDetails) -> None:
    # The same name in the same municipality is almost always the same group: its admin can invite this person.
    if Organisation.objects.filter(
        kind=OrganisationKind.INITIATIVE, name__iexact=details.name, home_municipality=details.municipality
    ).exists():
        raise InvalidInput(
            errors={
                "initiative_name": [
                    _(
                        "%(name)s in %(municipality)s doet al mee. Vraag de beheerder van dat initiatief om "
                        "een uitnodiging."
                    )
                    % {"name": details.name, "municipality": details.municipality.name}
                ]
            }
        )


@transaction.atomic
def initiative_register(
    *,
    details: InitiativeDetails,
    full_name: str,
    email: str,
    password: str,
    language: str = Language.DUTCH,
    request_meta: RequestMeta = SYSTEM,
) -> RegistrationResult:
    """A volunteer without an account registers an initiative; the e-mail with the confirmation link is queued.

    InvalidInput names the field that is wrong (the password by Django's password rules). Nothing else is
    made until the link is followed (``registration_confirm``).
    """
    details = clean_details(details)
    full_name = one_line(
        full_name, field_name="full_name", max_length=NAME_MAX_LENGTH, required_message=_("Vul uw naam in.")
    )
    email = _clean_email(email)
    if language not in Language.values:
        language = Language.DUTCH
    try:
        validate_password(password, user=User(email=email, full_name=full_name))
    except ValidationError as error:
        raise InvalidInput(errors={"password": list(error.messages)}) from None
    _refuse_known_name(details)
    # Hashed whatever the address, so the time of the answer does not tell whether it has an account either.
    password_hash = make_password(password)
    InitiativeRegistration.objects.filter(confirmed_at__isnull=True, expires_at__lt=timezone.now()).delete()
    account = User.objects.filter(email__iexact=email).first()
    if account is not None:
        # The same page as for a new address; only this e-mail says there is an account.
        notify_registration(
            email=email,
            language=account.preferred_language,
            initiative_name=details.name,
            link=settings.SITE_URL + reverse("registration_start"),
            has_account=True,
        )
        return RegistrationResult(registration=None, token=None)
    token = secrets.token_urlsafe(32)
    registration = InitiativeRegistration.objects.create(
        initiative_name=details.name,
        legal_form=details.legal_form,
        kvk_number=details.kvk_number,
        municipality=details.municipality,
        neighbourhood_names=details.neighbourhood_names,
        full_name=full_name,
        email=email,
        password_hash=password_hash,
        language=language,
        signs_for_initiative=details.signs_for_initiative,
        function=details.function,
        token_hash=_token_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=REGISTRATION_LINK_DAYS),
    )
    notify_registration(
        email=email, language=language, initiative_name=details.name, link=confirm_url(token), has_account=False
    )
    logger.info("Registration %s of an initiative in municipality %s", registration.pk, details.municipality.pk)
    return RegistrationResult(registration=registration, token=token)


def registration_read(*, token: str, lock: bool = False) -> InitiativeRegistration:
    """The registration behind a link while it can still be confirmed; NotFound or Conflict otherwise."""
    rows = InitiativeRegistration.objects.select_related("municipality")
    if lock:
        rows = rows.select_for_update(of=("self",))
    registration = rows.filter(token_hash=_token_hash(token)).first()
    if registration is None:
        raise NotFound(_("Deze link bestaat niet. Controleer of u de hele link uit de e-mail heeft gebruikt."))
    if registration.confirmed_at is not None:
        raise Conflict(_("Deze aanmelding is al bevestigd. Log in met %(email)s.") % {"email": registration.email})
    if registration.expires_at <= timezone.now():
        raise Conflict(_("Deze link is verlopen. Meld het initiatief opnieuw aan."))
    return registration


@transaction.atomic
def registration_confirm(*, token: str, request_meta: RequestMeta = SYSTEM) -> tuple[Organisation, User]:
    """The volunteer followed the link: their account and the initiative are made, with them as its admin."""
    registration = registration_read(token=token, lock=True)
    # Any account of this address, also one without a password (made by staff, or locked out by them), is
    # someone else's to sign in to: a registration never sets the password of an existing account.
    already = Conflict(
        _(
            "Er is al een account met %(email)s. Log in (of vraag een nieuw wachtwoord) en meld het initiatief "
            "vanuit uw account aan."
        )
        % {"email": registration.email}
    )
    if User.objects.filter(email__iexact=registration.email).exists():
        raise already
    try:
        with transaction.atomic():
            person = User(
                email=registration.email,
                full_name=registration.full_name,
                preferred_language=registration.language,
                password=registration.password_hash,
            )
            person.save()
    except IntegrityError:  # the same address confirmed twice at the same moment
        raise already from None
    details = InitiativeDetails(
        name=registration.initiative_name,
        legal_form=registration.legal_form,
        municipality=registration.municipality,
        kvk_number=registration.kvk_number,
        neighbourhood_names=list(registration.neighbourhood_names),
        signs_for_initiative=registration.signs_for_initiative,
        function=registration.function,
    )
    initiative = _create_initiative(person=person, details=details, request_meta=request_meta)
    registration.confirmed_at = timezone.now()
    registration.organisation = initiative
    registration.password_hash = ""  # nosec B105 # the hash is the account's now; the waiting row keeps none
    registration.save(update_fields=["confirmed_at", "organisation", "password_hash"])
    return initiative, person


@transaction.atomic
def initiative_register_signed_in(
    *, actor: User, details: InitiativeDetails, request_meta: RequestMeta = SYSTEM
) -> Organisation:
    """Someone signed in (their address is confirmed) registers an initiative: it is made at once."""
    if not (actor.is_authenticated and actor.is_active):
        raise NotPermitted(_("Log in om een initiatief aan te melden."))
    if Organisation.objects.filter(memberships__user=actor, suspended_at__isnull=False).exists():
        # Otherwise a suspension would last until its admin registered the initiative again.
        raise NotPermitted(_("U bent lid van een initiatief dat Samenkader schorste. Neem contact op met Samenkader."))
    details = clean_details(details)
    return _create_initiative(person=actor, details=details, request_meta=request_meta)


def _create_initiative(*, person: User, details: InitiativeDetails, request_meta: RequestMeta) -> Organisation:
    # Under the municipality's row lock: a merger loaded at this moment is either seen here or not yet begun.
    municipality = Organisation.objects.select_for_update().get(pk=details.municipality.pk)
    if municipality.merged_into_id is not None:
        raise Conflict(_("%(name)s is heringedeeld. Meld het initiatief opnieuw aan.") % {"name": municipality.name})
    _refuse_known_name(details)  # again, under the lock: two registrations of one name confirmed together
    initiative = Organisation.objects.create(
        kind=OrganisationKind.INITIATIVE,
        name=details.name,
        legal_form=details.legal_form,
        kvk_number=details.kvk_number,
        home_municipality=municipality,
        neighbourhood_names=details.neighbourhood_names,
        registered_at=timezone.now(),
    )
    roles = [MembershipRole.ADMIN, MembershipRole.DRAFTER]
    Membership.objects.bulk_create([Membership(user=person, organisation=initiative, role=role) for role in roles])
    record_member_event(
        organisation=initiative,
        actor=person,
        action=MembershipAction.REGISTERED,
        subject=person,
        roles_after=roles,
        request_meta=request_meta,
        note=_("Zelf aangemeld, werkt in %(municipality)s") % {"municipality": municipality.name},
    )
    if details.signs_for_initiative:
        Membership.objects.create(
            user=person, organisation=initiative, role=MembershipRole.SIGNATORY, function=details.function
        )
        record_member_event(
            organisation=initiative,
            actor=person,
            action=MembershipAction.SIGNATORY_SELF_GRANTED,
            subject=person,
            roles_before=roles,
            roles_after=[*roles, MembershipRole.SIGNATORY],
            request_meta=request_meta,
            note=_("Functie: %(function)s") % {"function": details.function},
        )
    forget_cached_roles(person)
    logger.info("Initiative %s registered by user %s", initiative.pk, person.pk)
    return initiative


# --- platform staff ------------------------------------------------------------------------------------


def _lock_initiative(actor: User, initiative: Organisation | int) -> Organisation:
    if not may_check_initiatives(actor):
        raise NotPermitted(_("Alleen medewerkers van Samenkader bekijken en schorsen initiatieven."))
    pk = initiative if isinstance(initiative, int) else initiative.pk
    found = Organisation.objects.select_for_update().filter(pk=pk, kind=OrganisationKind.INITIATIVE).first()
    if found is None:
        raise NotFound(_("Dit initiatief bestaat niet."))
    return found


@transaction.atomic
def initiative_mark_checked(
    *, actor: User, initiative: Organisation | int, request_meta: RequestMeta = SYSTEM
) -> Organisation:
    """Staff looked at a new initiative and found it in order: it leaves their queue."""
    initiative = _lock_initiative(actor, initiative)
    if initiative.checked_at is not None:
        return initiative
    initiative.checked_at = timezone.now()
    initiative.checked_by = actor
    initiative.save(update_fields=["checked_at", "checked_by"])
    record_member_event(
        organisation=initiative,
        actor=actor,
        action=MembershipAction.CHECKED,
        subject=None,
        subject_email=actor.email,
        request_meta=request_meta,
    )
    return initiative


@transaction.atomic
def initiative_suspend(
    *, actor: User, initiative: Organisation | int, reason: str, request_meta: RequestMeta = SYSTEM
) -> Organisation:
    """Staff suspend an initiative: its members keep reading its agreements but act on nothing for it."""
    initiative = _lock_initiative(actor, initiative)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(errors={"reason": [_("Schrijf op waarom u het initiatief schorst; de leden lezen het.")]})
    if len(reason) > SUSPENSION_REASON_MAX_LENGTH:
        raise InvalidInput(
            errors={"reason": [_("Gebruik ten hoogste %(max)s tekens.") % {"max": SUSPENSION_REASON_MAX_LENGTH}]}
        )
    if initiative.suspended_at is not None:
        raise Conflict(_("%(name)s is al geschorst.") % {"name": initiative.name})
    now = timezone.now()
    initiative.suspended_at = now
    initiative.suspended_by = actor
    initiative.suspension_reason = reason
    initiative.checked_at = initiative.checked_at or now
    initiative.checked_by = initiative.checked_by or actor
    initiative.save(update_fields=["suspended_at", "suspended_by", "suspension_reason", "checked_at", "checked_by"])
    record_member_event(
        organisation=initiative,
        actor=actor,
        action=MembershipAction.SUSPENDED,
        subject=None,
        subject_email=actor.email,
        request_meta=request_meta,
        note=reason,
    )
    logger.info("Initiative %s suspended by staff user %s", initiative.pk, actor.pk)
    return initiative


@transaction.atomic
def initiative_reinstate(
    *, actor: User, initiative: Organisation | int, request_meta: RequestMeta = SYSTEM
) -> Organisation:
    """Staff lift a suspension: the members act again as before."""
    initiative = _lock_initiative(actor, initiative)
    if initiative.suspended_at is None:
        raise Conflict(_("%(name)s is niet geschorst.") % {"name": initiative.name})
    initiative.suspended_at = None
    initiative.suspended_by = None
    initiative.suspension_reason = ""
    initiative.save(update_fields=["suspended_at", "suspended_by", "suspension_reason"])
    record_member_event(
        organisation=initiative,
        actor=actor,
        action=MembershipAction.REINSTATED,
        subject=None,
        subject_email=actor.email,
        request_meta=request_meta,
    )
    return initiative
