"""Memberships: roles in an organisation, the signatory's mandate, removal; and the member log they write."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import MembershipAction, MembershipRole
from agreements.models import Membership, MembershipEvent, Organisation, User, single_line
from workflow.core.access import forget_cached_roles, may_manage_members
from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from workflow.core.request_meta import SYSTEM, RequestMeta, request_id_of

logger = logging.getLogger(__name__)

FUNCTION_MAX_LENGTH = Membership._meta.get_field("function").max_length


def record_member_event(
    *,
    organisation: Organisation,
    actor: User | None,
    action: MembershipAction,
    subject: User | None,
    subject_email: str = "",
    roles_before: Iterable[str] = (),
    roles_after: Iterable[str] = (),
    mandate_until: dt.date | None = None,
    request_meta: RequestMeta,
    note: str = "",
) -> MembershipEvent:
    """One line in the organisation's member log; call it inside the change's transaction."""
    return MembershipEvent.objects.create(
        organisation=organisation,
        actor=actor,
        action=action,
        subject=subject,
        subject_email=subject_email or (subject.email if subject is not None else ""),
        roles_before=MembershipEvent.roles_text(roles_before),
        roles_after=MembershipEvent.roles_text(roles_after),
        mandate_until=mandate_until,
        ip_address=request_meta.ip_address,
        user_agent=request_meta.user_agent,
        request_id=request_id_of(request_meta),
        note=note,
    )


def roles_held(user: User, organisation: Organisation) -> list[str]:
    """The roles ``user`` holds in ``organisation`` now, read from the database (not the cache)."""
    return list(Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True))


def _clean_mandate(role: str, mandate_until: dt.date | None) -> dt.date | None:
    if role != MembershipRole.SIGNATORY:
        return None
    if mandate_until is not None and mandate_until < timezone.localdate():
        raise InvalidInput(errors={"mandate_until": [_("Deze datum ligt in het verleden.")]})
    return mandate_until


def _clean_function(function: str) -> str:
    """A signatory's function: one line, at most 100 characters, surrounding spaces dropped."""
    function = function.strip()
    try:
        single_line(function)
    except ValidationError as error:
        raise InvalidInput(errors={"function": list(error.messages)}) from None
    if len(function) > FUNCTION_MAX_LENGTH:
        raise InvalidInput(
            errors={"function": [_("Gebruik ten hoogste %(max)s tekens.") % {"max": FUNCTION_MAX_LENGTH}]}
        )
    return function


def _add_membership(
    *, user: User, organisation: Organisation, role: str, mandate_until: dt.date | None, existing_ok: bool = False
) -> Membership:
    """Give ``user`` the role; Conflict when they have it already (unless ``existing_ok``: then that membership)."""
    existing = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    if existing is not None and existing_ok:
        return existing
    if existing is not None:
        raise Conflict(
            _("%(name)s is al %(role)s bij %(organisation)s.")
            % {"name": user, "role": MembershipRole(role).label, "organisation": organisation.name}
        )
    membership = Membership.objects.create(user=user, organisation=organisation, role=role, mandate_until=mandate_until)
    forget_cached_roles(user)
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


def _check_wanted_roles(organisation: Organisation, member: User, roles: list[str]) -> set[str]:
    """At least one known role, and the organisation keeps an admin."""
    wanted = set(roles)
    if not wanted:
        raise InvalidInput(
            errors={"roles": [_("Kies minstens één rol. Wilt u iemand verwijderen? Gebruik dan 'Verwijderen'.")]}
        )
    if not wanted <= set(MembershipRole.values):
        raise InvalidInput(errors={"roles": [_("Kies een rol uit de lijst.")]})
    if MembershipRole.ADMIN not in wanted and _admin_ids(organisation) == {member.pk}:
        raise Conflict(_("Een organisatie heeft altijd minstens één beheerder. Maak eerst iemand anders beheerder."))
    return wanted


@transaction.atomic
def member_update(
    *,
    actor: User,
    organisation: Organisation,
    member: User,
    roles: list[str],
    mandate_until: dt.date | None = None,
    function: str | None = None,
    request_meta: RequestMeta = SYSTEM,
) -> list[Membership]:
    """The admin sets a member's roles (and a signatory's mandate end date and function); returns the memberships.

    At least one role stays (removing someone is ``member_remove``), and the
    organisation keeps at least one admin. ``function`` is what a signatory
    signs under (wethouder, voorzitter), one line; None leaves it as it is.
    A change of roles is logged as such; otherwise a change of the mandate
    as a mandate change, a change of the function alone as a function change
    (the note says from what to what); saving without a change logs nothing.
    """
    rows = _check_manage(actor, organisation, member)
    wanted = _check_wanted_roles(organisation, member, roles)
    mandate_until = (
        _clean_mandate(MembershipRole.SIGNATORY, mandate_until) if MembershipRole.SIGNATORY in wanted else None
    )
    held = {row.role: row for row in rows}
    roles_before = set(held)
    signatory_before = held.get(MembershipRole.SIGNATORY)
    mandate_before = signatory_before.mandate_until if signatory_before is not None else None
    function_before = signatory_before.function if signatory_before is not None else ""
    function = _clean_function(function_before if function is None else function)
    if MembershipRole.SIGNATORY not in wanted:
        function = ""
    for role, row in held.items():
        if role not in wanted:
            row.delete()
    for role in wanted - set(held):
        held[role] = Membership.objects.create(
            user=member,
            organisation=organisation,
            role=role,
            mandate_until=mandate_until if role == MembershipRole.SIGNATORY else None,
            function=function if role == MembershipRole.SIGNATORY else "",
        )
    signatory = held.get(MembershipRole.SIGNATORY)
    if signatory is not None and MembershipRole.SIGNATORY in wanted:
        changed = [
            name
            for name, value in (("mandate_until", mandate_until), ("function", function))
            if getattr(signatory, name) != value
        ]
        if changed:
            signatory.mandate_until, signatory.function = mandate_until, function
            signatory.save(update_fields=changed)
    forget_cached_roles(member)
    if wanted != roles_before or mandate_until != mandate_before or function != function_before:
        if wanted != roles_before:
            action = MembershipAction.ROLES_CHANGED
        elif mandate_until != mandate_before:
            action = MembershipAction.MANDATE_CHANGED
        else:
            action = MembershipAction.FUNCTION_CHANGED
        record_member_event(
            organisation=organisation,
            actor=actor,
            action=action,
            subject=member,
            roles_before=roles_before,
            roles_after=wanted,
            mandate_until=mandate_until,
            request_meta=request_meta,
            note=_("Functie: %(before)s → %(after)s") % {"before": function_before or "–", "after": function or "–"}
            if function != function_before
            else "",
        )
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
def member_remove(*, actor: User, organisation: Organisation, member: User, request_meta: RequestMeta = SYSTEM) -> None:
    """The admin removes someone who left. Their account stays; what they did stays in the logs."""
    rows = _check_manage(actor, organisation, member)
    if member.pk in _admin_ids(organisation) and _admin_ids(organisation) == {member.pk}:
        raise Conflict(_("Een organisatie heeft altijd minstens één beheerder. Maak eerst iemand anders beheerder."))
    Membership.objects.filter(organisation=organisation, user=member).delete()
    forget_cached_roles(member)
    record_member_event(
        organisation=organisation,
        actor=actor,
        action=MembershipAction.REMOVED,
        subject=member,
        roles_before=[row.role for row in rows],
        request_meta=request_meta,
    )
    logger.info("Membership: user %s removed user %s from organisation %s", actor.pk, member.pk, organisation.pk)
