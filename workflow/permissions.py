"""Who may do what (DESIGN.md "Who may do what") and the one visibility selector.

Every read of agreements goes through ``visible_agreements``. Permission
checks answer only "may this person do this here"; whether the state allows
it is the state machine's question, asked afterwards by the service.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from agreements.choices import MembershipRole, OrganisationKind
from agreements.models import AdvisorAccess, Agreement, Comment, Membership, Organisation, User


class Action:
    EDIT = "edit"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    AMEND = "amend"
    GRANT_ADVISOR = "grant_advisor"
    REQUEST_CHANGES = "request_changes"
    APPROVE = "approve"
    SIGN = "sign"
    REOPEN = "reopen"
    COMMENT = "comment"

    ALL = (EDIT, SUBMIT, WITHDRAW, AMEND, GRANT_ADVISOR, REQUEST_CHANGES, APPROVE, SIGN, REOPEN, COMMENT)


def _roles_by_organisation(user: User) -> dict[int, set[str]]:
    """The user's roles per organisation id, cached on the user object for one request."""
    cached = getattr(user, "_samenkader_roles", None)
    if cached is None:
        cached = {}
        if user.is_authenticated:
            for organisation_id, role in Membership.objects.filter(user=user).values_list("organisation_id", "role"):
                cached.setdefault(organisation_id, set()).add(role)
        user._samenkader_roles = cached
    return cached


def forget_cached_roles(user: User) -> None:
    user.__dict__.pop("_samenkader_roles", None)


def has_role(user: User, organisation: Organisation | int, role: str) -> bool:
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return role in _roles_by_organisation(user).get(organisation_id, set())


def is_member(user: User, organisation_id: int) -> bool:
    return bool(_roles_by_organisation(user).get(organisation_id))


def visible_agreements(user: User) -> QuerySet[Agreement]:
    """Every agreement this user may see: both parties' members, and granted advisors (read-only)."""
    if not user.is_authenticated or not user.is_active:
        return Agreement.objects.none()
    member_of = Membership.objects.filter(user=user).values("organisation_id")
    granted = AdvisorAccess.objects.filter(agreement=OuterRef("pk"), organisation_id__in=member_of)
    return Agreement.objects.filter(
        Q(initiative_id__in=member_of) | Q(municipality_id__in=member_of) | Q(Exists(granted))
    )


def can_see(user: User, agreement: Agreement) -> bool:
    roles = _roles_by_organisation(user)
    if agreement.initiative_id in roles or agreement.municipality_id in roles:
        return True
    return AdvisorAccess.objects.filter(agreement=agreement, organisation_id__in=list(roles)).exists()


def is_party_member(user: User, agreement: Agreement) -> bool:
    return is_member(user, agreement.initiative_id) or is_member(user, agreement.municipality_id)


def signing_party_for(user: User, agreement: Agreement) -> Organisation | None:
    """The party this user may sign for today, if any (a signatory whose mandate has not ended)."""
    for party in agreement.parties:
        # The cached roles answer "no" without a query; the mandate rule lives on Organisation.
        if has_role(user, party, MembershipRole.SIGNATORY) and user.pk in party.active_signatory_ids():
            return party
    return None


def may(user: User, action: str, agreement: Agreement) -> bool:
    """May this user take this action on this agreement (regardless of its state)?"""
    is_initiative_drafter = has_role(user, agreement.initiative_id, MembershipRole.DRAFTER)
    is_municipality_reviewer = has_role(user, agreement.municipality_id, MembershipRole.REVIEWER)
    if action in (Action.EDIT, Action.SUBMIT, Action.WITHDRAW, Action.AMEND, Action.GRANT_ADVISOR):
        return is_initiative_drafter
    if action in (Action.REQUEST_CHANGES, Action.APPROVE):
        return is_municipality_reviewer
    if action == Action.REOPEN:
        return is_initiative_drafter or is_municipality_reviewer
    if action == Action.SIGN:
        return signing_party_for(user, agreement) is not None
    if action == Action.COMMENT:
        return can_see(user, agreement)
    raise ValueError(f"Unknown action {action!r}")


def may_resolve_comment(user: User, comment: Comment, agreement: Agreement) -> bool:
    return comment.author_id == user.pk or has_role(user, agreement.initiative_id, MembershipRole.DRAFTER)


def may_create_agreement(user: User, initiative: Organisation) -> bool:
    return initiative.kind == OrganisationKind.INITIATIVE and has_role(user, initiative, MembershipRole.DRAFTER)
