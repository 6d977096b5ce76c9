"""Who may manage whose members (DESIGN.md "Who may do what").

People invite only into their own organisation, and only its admin manages
members (and so is the only one who grants the signatory role). One
exception: a drafter or admin of an initiative may invite the first contact
of a municipality that has no members yet, as reviewer.
"""

from __future__ import annotations

from agreements.choices import MembershipRole, OrganisationKind
from agreements.models import Membership, Organisation, User

from .permissions import has_role


def may_manage_members(user: User, organisation: Organisation) -> bool:
    return user.is_authenticated and user.is_active and has_role(user, organisation, MembershipRole.ADMIN)


def initiatives_that_may_invite_first_contact(user: User) -> list[int]:
    """Ids of the initiatives for which this user may invite a municipality's first contact."""
    return list(
        Membership.objects.filter(
            user=user,
            role__in=[MembershipRole.DRAFTER, MembershipRole.ADMIN],
            organisation__kind=OrganisationKind.INITIATIVE,
        )
        .values_list("organisation_id", flat=True)
        .distinct()
    )


def municipality_has_members(municipality: Organisation) -> bool:
    return Membership.objects.filter(organisation=municipality).exists()


def may_invite_first_contact(user: User, municipality: Organisation) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and municipality.kind == OrganisationKind.MUNICIPALITY
        and bool(initiatives_that_may_invite_first_contact(user))
        and not municipality_has_members(municipality)
    )


def may_invite(user: User, organisation: Organisation, role: str) -> bool:
    """May ``user`` invite someone into ``organisation`` with ``role``?"""
    if may_manage_members(user, organisation):
        return True
    return role == MembershipRole.REVIEWER and may_invite_first_contact(user, organisation)
