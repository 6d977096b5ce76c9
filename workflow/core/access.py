"""Who may do what: the one home of every permission rule (docs/architecture.md, "Where each rule lives").

These functions answer only "may this person do this here"; whether the
agreement's state allows it is the state machine's question, asked by
``workflow.lifecycle.rules`` afterwards. A page decides which buttons to show
with the same functions the services check, so the two cannot disagree.
Seeing an agreement at all is ``workflow.core.visibility``.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from agreements.choices import MembershipRole, OrganisationKind, ResponsibleParty, TwoFactorPolicy
from agreements.models import Agreement, Comment, Membership, Organisation, User
from workflow.core.visibility import can_see, memberships_of


class Action:
    EDIT = "edit"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    AMEND = "amend"
    GRANT_ADVISOR = "grant_advisor"
    REQUEST_CHANGES = "request_changes"
    APPROVE = "approve"
    SIGN = "sign"
    DECLINE = "decline"  # a signatory who disagrees with the approved version says so instead of signing
    REOPEN = "reopen"
    COMMENT = "comment"

    ALL = (EDIT, SUBMIT, WITHDRAW, AMEND, GRANT_ADVISOR, REQUEST_CHANGES, APPROVE, SIGN, DECLINE, REOPEN, COMMENT)


# --- roles ----------------------------------------------------------------------------------


def _roles_by_organisation(user: User) -> dict[int, set[str]]:
    """The user's roles per organisation id, cached on the user object for one request."""
    cached = getattr(user, "_samenkader_roles", None)
    if cached is None:
        cached = {}
        for membership in memberships_of(user):
            cached.setdefault(membership.organisation_id, set()).add(membership.role)
        user._samenkader_roles = cached
    return cached


def _acting_roles_by_organisation(user: User) -> dict[int, set[str]]:
    """The roles the user may act in: none in an organisation platform staff suspended.

    A suspended organisation's members still see its agreements and are still its members (nobody acts for
    both parties, the two-factor rule), but they draft, submit, sign and manage members nowhere for it.
    """
    cached = getattr(user, "_samenkader_acting_roles", None)
    if cached is None:
        suspended = {m.organisation_id for m in memberships_of(user) if m.organisation.suspended_at is not None}
        roles = _roles_by_organisation(user)
        cached = {org_id: org_roles for org_id, org_roles in roles.items() if org_id not in suspended}
        user._samenkader_acting_roles = cached
    return cached


def forget_cached_roles(user: User) -> None:
    """After a membership change: the next question reads the roles again."""
    user.__dict__.pop("_samenkader_roles", None)
    user.__dict__.pop("_samenkader_acting_roles", None)
    user.__dict__.pop("_samenkader_memberships", None)
    user.__dict__.pop("_samenkader_seen", None)  # what they see follows from the roles


def has_role(user: User, organisation: Organisation | int, role: str) -> bool:
    """Whether the user may act in this role for the organisation (never for a suspended one)."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return role in _acting_roles_by_organisation(user).get(organisation_id, set())


def roles_in(user: User, organisation: Organisation | int) -> set[str]:
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return set(_acting_roles_by_organisation(user).get(organisation_id, set()))


def is_suspended_member(user: User, organisation: Organisation | int) -> bool:
    """A member of an organisation that platform staff suspended: they read, but act on nothing for it."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return organisation_id in _roles_by_organisation(user) and organisation_id not in _acting_roles_by_organisation(
        user
    )


# --- agreements -----------------------------------------------------------------------------


def acts_for_both_parties(user: User, agreement: Agreement) -> bool:
    """A member of the initiative and of the municipality of this agreement.

    Nobody acts for both parties of one agreement: such a person may draft or
    comment, but neither review (for the municipality) nor sign.
    """
    roles = _roles_by_organisation(user)
    return bool(roles.get(agreement.initiative_id)) and bool(roles.get(agreement.municipality_id))


def submitted_it(user: User, agreement: Agreement) -> bool:
    """Whoever submitted the version under review may not approve it."""
    return agreement.submitted_by_id is not None and agreement.submitted_by_id == user.pk


def signing_party_for(user: User, agreement: Agreement) -> Organisation | None:
    """The party this user may sign for today, if any: a signatory whose mandate has not ended.

    Nobody signs for one party of an agreement while being a member of the other.
    """
    if acts_for_both_parties(user, agreement):
        return None
    for party in agreement.parties:
        # The cached roles answer "no" without a query; the mandate rule is agreements.models.current_mandate.
        if has_role(user, party, MembershipRole.SIGNATORY) and user.pk in agreement.active_signatory_ids_of(party):
            return party
    return None


def may(user: User, action: str, agreement: Agreement) -> bool:
    """May this user take this action on this agreement (regardless of its state)?"""
    is_initiative_drafter = has_role(user, agreement.initiative_id, MembershipRole.DRAFTER)
    # The municipality's judgement is its own: never from someone who also works for the initiative.
    is_municipality_reviewer = has_role(
        user, agreement.municipality_id, MembershipRole.REVIEWER
    ) and not acts_for_both_parties(user, agreement)
    if action in (Action.EDIT, Action.SUBMIT, Action.WITHDRAW, Action.AMEND, Action.GRANT_ADVISOR):
        return is_initiative_drafter
    if action == Action.REQUEST_CHANGES:
        return is_municipality_reviewer
    if action == Action.APPROVE:
        return is_municipality_reviewer and not submitted_it(user, agreement)
    if action == Action.REOPEN:
        return is_initiative_drafter or is_municipality_reviewer
    if action in (Action.SIGN, Action.DECLINE):
        return signing_party_for(user, agreement) is not None
    if action == Action.COMMENT:
        # A suspended initiative's members read along but no longer speak for it.
        return can_see(user, agreement) and not is_suspended_member(user, agreement.initiative_id)
    raise ValueError(f"Unknown action {action!r}")


def is_party_member(user: User, agreement: Agreement) -> bool:
    """A member (in any role) of the initiative or the municipality of this agreement.

    Whoever sees the agreement without being one reads along as a granted
    advisor: their comments are advisory notes, and they resolve nothing and
    ask for no previews.
    """
    roles = _roles_by_organisation(user)
    return bool(roles.get(agreement.initiative_id)) or bool(roles.get(agreement.municipality_id))


def may_resolve_comment(user: User, comment: Comment, agreement: Agreement) -> bool:
    """A party's member handles a party's comment: its author, or a drafter of the initiative.

    An advisory note is never resolved: it does not hold up approval.
    """
    if comment.is_advisory or not is_party_member(user, agreement):
        return False
    if is_suspended_member(user, agreement.initiative_id):
        return False
    return comment.author_id == user.pk or has_role(user, agreement.initiative_id, MembershipRole.DRAFTER)


def initiatives_drafted_by(user: User) -> QuerySet[Organisation]:
    """The initiatives this user may start an agreement for ("may create"): where they draft."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=OrganisationKind.INITIATIVE,
        memberships__user=user,
        memberships__role=MembershipRole.DRAFTER,
        suspended_at__isnull=True,
    ).order_by("name")


def may_create_agreement(user: User, initiative: Organisation) -> bool:
    return initiative.kind == OrganisationKind.INITIATIVE and has_role(user, initiative, MembershipRole.DRAFTER)


def may_create_any_agreement(user: User) -> bool:
    """Whether the "new agreement" button shows: ``may_create_agreement`` for one of one's own organisations
    (from the memberships the request has read; ``initiatives_drafted_by`` lists the same initiatives)."""
    return any(may_create_agreement(user, membership.organisation) for membership in memberships_of(user))


# --- members: people invite only into their own organisation, and only its admin manages members
# (so only the admin grants the signatory role). A drafter or admin of an initiative may *ask* for the
# first contact of a municipality that has no members yet; platform staff confirm that address first.


def may_manage_members(user: User, organisation: Organisation) -> bool:
    return user.is_authenticated and user.is_active and has_role(user, organisation, MembershipRole.ADMIN)


def initiatives_that_may_invite_first_contact(user: User) -> list[int]:
    """Ids of the initiatives for which this user may ask for a municipality's first contact."""
    return list(
        Membership.objects.filter(
            user=user,
            role__in=[MembershipRole.DRAFTER, MembershipRole.ADMIN],
            organisation__kind=OrganisationKind.INITIATIVE,
            organisation__suspended_at__isnull=True,
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
        and municipality.merged_into_id is None
        and bool(initiatives_that_may_invite_first_contact(user))
        and not municipality_has_members(municipality)
    )


def may_confirm_first_contacts(user: User) -> bool:
    """Platform staff check and confirm (or withdraw) the first contact an initiative asked for."""
    return user.is_authenticated and user.is_active and user.is_staff


def sharing_party_for(user: User, agreement: Agreement) -> Organisation | None:
    """The party for which this user may consent to (or withdraw) publishing the signed agreement: its admin
    or a signatory. Nobody decides that for both parties."""
    if acts_for_both_parties(user, agreement):
        return None
    for party in agreement.parties:
        if roles_in(user, party) & {MembershipRole.ADMIN, MembershipRole.SIGNATORY}:
            return party
    return None


def may_record_lesson(user: User, agreement: Agreement) -> Organisation | None:
    """The party for which this user records a lesson: any member of either party (not of both)."""
    if acts_for_both_parties(user, agreement):
        return None
    for party in agreement.parties:
        if roles_in(user, party):
            return party
    return None


def may_publish_models(user: User, organisation: Organisation) -> bool:
    """A municipality's admin publishes the municipality's own model agreements for the initiatives in its area."""
    return (
        user.is_authenticated
        and user.is_active
        and organisation.kind == OrganisationKind.MUNICIPALITY
        and has_role(user, organisation, MembershipRole.ADMIN)
    )


def may_check_initiatives(user: User) -> bool:
    """Platform staff look at the initiatives that registered themselves, and suspend one when needed."""
    return user.is_authenticated and user.is_active and user.is_staff


# --- two-factor sign-in: an organisation may ask its members (a municipality: only its reviewers and
# signatories) to sign in with a code as well; platform staff always do in production.


def two_factor_exempt(user: User) -> bool:
    """Development only: the demo accounts are not made to set it up (TWO_FACTOR_EXEMPT_EMAIL_DOMAINS)."""
    domain = user.email.rpartition("@")[2].lower()
    return domain in settings.TWO_FACTOR_EXEMPT_EMAIL_DOMAINS


def two_factor_required(user: User) -> bool:
    """Must this person sign in with a second step? Asked once, at sign-in."""
    if not (user.is_authenticated and user.is_active) or two_factor_exempt(user):
        return False
    if user.is_staff and settings.TWO_FACTOR_REQUIRED_FOR_STAFF:
        return True
    roles = _roles_by_organisation(user)
    policies = Organisation.objects.filter(pk__in=roles).exclude(two_factor_policy=TwoFactorPolicy.OPTIONAL)
    for organisation_id, policy in policies.values_list("pk", "two_factor_policy"):
        if policy == TwoFactorPolicy.ALL_MEMBERS:
            return True
        if roles[organisation_id] & {MembershipRole.REVIEWER, MembershipRole.SIGNATORY}:
            return True
    return False


def may_reset_two_factor(actor: User, organisation: Organisation, subject: User) -> bool:
    """Who may clear someone's second step after a lost phone.

    An organisation's admin for its other members; an admin's (of any
    organisation) or a staff member's only by platform staff, so no admin
    can take over another admin's account with a password alone.
    """
    if not (actor.is_authenticated and actor.is_active) or actor.pk == subject.pk:
        return False
    if actor.is_staff:
        return True
    if subject.is_staff or Membership.objects.filter(user=subject, role=MembershipRole.ADMIN).exists():
        return False
    return (
        may_manage_members(actor, organisation)
        and Membership.objects.filter(user=subject, organisation=organisation).exists()
    )


def two_factor_policies_for(organisation: Organisation) -> list[str]:
    """The policies an organisation may choose: "reviewers and signatories" only fits a municipality."""
    if organisation.kind == OrganisationKind.MUNICIPALITY:
        return list(TwoFactorPolicy.values)
    return [TwoFactorPolicy.OPTIONAL, TwoFactorPolicy.ALL_MEMBERS]


# --- after signing: who keeps a commitment up to date (which party: workflow/after_signing/ownership.py) ---


def may_update_commitment(user: User, agreement: Agreement, responsible: str) -> bool:
    """A member, in any role, of the party that keeps the commitment up to date (both parties: either).

    Advisors read along and update nothing; a suspended organisation's members neither.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    acting = _acting_roles_by_organisation(user)
    if responsible in (ResponsibleParty.INITIATIVE, ResponsibleParty.BOTH) and acting.get(agreement.initiative_id):
        return True
    return responsible in (ResponsibleParty.MUNICIPALITY, ResponsibleParty.BOTH) and bool(
        acting.get(agreement.municipality_id)
    )


def evaluating_party_for(user: User, agreement: Agreement) -> Organisation | None:
    """The party for which this user starts and answers a joint evaluation: a member (any role, not suspended) of
    one party of the agreement. Whoever belongs to both answers for neither: each party answers on its own."""
    if not user.is_authenticated or not user.is_active or acts_for_both_parties(user, agreement):
        return None
    acting = _acting_roles_by_organisation(user)
    for party in agreement.parties:
        if acting.get(party.pk):
            return party
    return None
