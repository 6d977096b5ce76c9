"""The permission matrix: each role x each action x own / other organisation x each state.

The expectations are written out here from docs/architecture.md ("Who may do what"),
independently of workflow/core/access.py: cannot see -> NotFound; sees but
may not act -> NotPermitted; not possible in this state -> Conflict;
otherwise the action succeeds and writes exactly one audit event.
"""

import datetime as dt

import pytest
from django.utils import timezone

from agreements.choices import AgreementState as S
from agreements.choices import MembershipRole
from agreements.models import AuditEvent, Invitation
from tests.factories import PASSWORD, AgreementFactory, OrganisationFactory, UserFactory, member
from workflow.core.exceptions import Conflict, NotFound, NotPermitted
from workflow.lifecycle.services.advisors import advisor_grant
from workflow.lifecycle.services.amendments import agreement_amend
from workflow.lifecycle.services.comments import comment_add
from workflow.lifecycle.services.drafting import agreement_update_draft
from workflow.lifecycle.services.review import (
    agreement_approve,
    agreement_reopen,
    agreement_request_changes,
    agreement_submit,
    agreement_withdraw,
)
from workflow.lifecycle.services.signing import agreement_decline_to_sign, agreement_sign

ROLES = [
    "drafter",  # drafter of the agreement's initiative
    "initiative_signer1",  # signatory of the initiative
    "initiative_admin",  # admin of the initiative (no agreement rights of its own)
    "reviewer",  # reviewer of the agreement's municipality
    "municipal_signer",  # signatory of the municipality
    "advisor",  # member of an advisor organisation granted on this agreement
    "outsider",  # drafter of another initiative
    "other_reviewer",  # reviewer of another municipality
    "both_sides",  # drafter of the initiative who is also reviewer and signatory of the municipality
    "first_contact_pending",  # asked for as the municipality's first contact, not confirmed by staff yet
    "invitation_pending",  # invited into the initiative as drafter, has not accepted
]
SEES = {"drafter", "initiative_signer1", "initiative_admin", "reviewer", "municipal_signer", "advisor", "both_sides"}
# Nobody acts for both parties: "both_sides" drafts for the initiative, but never reviews or signs.
PERMITTED = {
    "edit": {"drafter", "both_sides"},
    "submit": {"drafter", "both_sides"},
    "withdraw": {"drafter", "both_sides"},
    "amend": {"drafter", "both_sides"},
    "grant_advisor": {"drafter", "both_sides"},
    "request_changes": {"reviewer"},
    "approve": {"reviewer"},
    "reopen": {"drafter", "reviewer", "both_sides"},
    "sign": {"initiative_signer1", "municipal_signer"},
    # Declining to sign: exactly those who may sign now.
    "decline": {"initiative_signer1", "municipal_signer"},
    "comment": SEES,
}
ALL_STATES = {s.value for s in S}
STATE_ALLOWS = {
    "edit": {S.DRAFT},
    "submit": {S.DRAFT},
    "withdraw": {S.DRAFT, S.IN_REVIEW, S.APPROVED},
    "amend": {S.SIGNED},
    "grant_advisor": ALL_STATES,
    "request_changes": {S.IN_REVIEW},
    "approve": {S.IN_REVIEW},
    "reopen": {S.APPROVED},
    "sign": {S.APPROVED},
    "decline": {S.APPROVED},
    "comment": {S.DRAFT, S.IN_REVIEW, S.APPROVED},
}


def expected_outcome(role: str, action: str, state: str):
    if role not in SEES:
        return NotFound
    if role not in PERMITTED[action]:
        return NotPermitted
    if state not in STATE_ALLOWS[action]:
        return Conflict
    return None


def perform(action: str, agreement, actor, world):
    if action == "edit":
        version = agreement.current_version()
        return agreement_update_draft(
            agreement=agreement, actor=actor, based_on_revision=version.revision, sections={"aim": "Nieuw doel"}
        )
    if action == "submit":
        return agreement_submit(agreement=agreement, actor=actor)
    if action == "withdraw":
        return agreement_withdraw(agreement=agreement, actor=actor)
    if action == "amend":
        return agreement_amend(agreement=agreement, actor=actor)
    if action == "grant_advisor":
        return advisor_grant(agreement=agreement, actor=actor, advisor=world.second_advisor_org)
    if action == "request_changes":
        return agreement_request_changes(agreement=agreement, actor=actor, note="Graag aanvullen.")
    if action == "approve":
        return agreement_approve(agreement=agreement, actor=actor)
    if action == "reopen":
        return agreement_reopen(agreement=agreement, actor=actor)
    if action == "sign":
        version = agreement.frozen_version()
        return agreement_sign(
            password=PASSWORD,
            authority_confirmed=True,
            agreement=agreement,
            actor=actor,
            content_hash=version.content_hash if version else "",
        )
    if action == "decline":
        return agreement_decline_to_sign(agreement=agreement, actor=actor, reason="Niet eens met de planning.")
    if action == "comment":
        return comment_add(agreement=agreement, actor=actor, body="Een vraag.")
    raise AssertionError(action)


CASES = [(action, state) for action in PERMITTED for state in sorted(ALL_STATES)]


def add_people_of_this_round(world) -> None:
    """A member of both parties, and two people whose invitation has not taken effect (no rights at all)."""
    world.both_sides = member(world.initiative, MembershipRole.DRAFTER, email="beide@example.org")
    member(world.municipality, MembershipRole.REVIEWER, MembershipRole.SIGNATORY, email="beide@example.org")
    world.first_contact_pending = UserFactory(email="gevraagd@gemeente.example")
    world.invitation_pending = UserFactory(email="uitgenodigd@example.org")
    for person, organisation, first_contact, status in [
        (world.first_contact_pending, world.municipality, True, Invitation.Status.AWAITING_CONFIRMATION),
        (world.invitation_pending, world.initiative, False, Invitation.Status.PENDING),
    ]:
        Invitation.objects.create(
            organisation=organisation,
            email=person.email,
            role=MembershipRole.REVIEWER if first_contact else MembershipRole.DRAFTER,
            is_first_contact=first_contact,
            requested_by_organisation=world.initiative if first_contact else None,
            invited_by=world.drafter if first_contact else world.initiative_admin,
            status=status,
            token_hash=person.email.ljust(64, "0")[:64],
            expires_at=timezone.now() + dt.timedelta(days=14),
        )


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "state"), CASES, ids=[f"{a}-{s}" for a, s in CASES])
def test_permission_matrix(world, action, state):
    world.second_advisor_org = OrganisationFactory(advisor=True)
    add_people_of_this_round(world)
    for role in ROLES:
        agreement = AgreementFactory(
            state=state, content=True, initiative=world.initiative, municipality=world.municipality
        )
        agreement.advisors.through.objects.create(
            agreement=agreement, organisation=world.advisor_org, granted_by=world.drafter
        )
        actor = getattr(world, role)
        events_before = AuditEvent.objects.filter(agreement=agreement).count()
        expected = expected_outcome(role, action, state)
        if expected is None:
            perform(action, agreement, actor, world)
            assert AuditEvent.objects.filter(agreement__in=[agreement, *agreement.amendments.all()]).count() == (
                events_before + 1
            ), f"{role} {action} in {state}: exactly one audit event"
        else:
            with pytest.raises(expected):
                perform(action, agreement, actor, world)
            agreement.refresh_from_db()
            assert agreement.state == state, f"{role} {action} in {state} must not change the state"
            assert AuditEvent.objects.filter(agreement=agreement).count() == events_before
