"""Every transition from every state, allowed and refused; quorum and four eyes."""

import datetime as dt

import pytest
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from agreements.choices import AgreementState as S
from agreements.choices import MembershipRole
from agreements.models import Comment, Signature
from tests.factories import AgreementFactory, OrganisationFactory, member

ALL_STATES = [s.value for s in S]

# transition -> {source: target}; every other state must refuse it.
ALLOWED = {
    "submit": {S.DRAFT: S.IN_REVIEW},
    "request_changes": {S.IN_REVIEW: S.DRAFT},
    "approve": {S.IN_REVIEW: S.APPROVED},
    "reopen": {S.APPROVED: S.DRAFT},
    "sign": {S.APPROVED: S.SIGNED},
    "withdraw": {S.DRAFT: S.WITHDRAWN, S.IN_REVIEW: S.WITHDRAWN, S.APPROVED: S.WITHDRAWN},
    "supersede": {S.SIGNED: S.SUPERSEDED},
    "expire": {S.SIGNED: S.EXPIRED},
}

CASES = [(name, state) for name in ALLOWED for state in ALL_STATES]


def _agreement_in(state: str):
    agreement = AgreementFactory(state=state, content=True, valid_until=dt.date(2020, 12, 31))
    if state == S.APPROVED:
        version = agreement.frozen_version()
        for party in agreement.parties:
            signer = member(party, MembershipRole.SIGNATORY)
            Signature.objects.create(version=version, party=party, signer=signer, content_hash=version.content_hash)
    return agreement


def _fire(agreement, name: str):
    method = getattr(agreement, name)
    if name == "approve":
        method(by=agreement.created_by)
    else:
        method()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "state"), CASES, ids=[f"{n}-from-{s}" for n, s in CASES])
def test_transition_table(name, state):
    agreement = _agreement_in(state)
    before = agreement.state_changed_at
    target = ALLOWED[name].get(state)
    if target is None:
        with pytest.raises(TransitionNotAllowed):
            _fire(agreement, name)
        assert agreement.state == state
        return
    _fire(agreement, name)
    agreement.save()
    agreement.refresh_from_db()
    assert agreement.state == target
    assert agreement.state_changed_at >= before


@pytest.mark.django_db
def test_state_field_is_protected():
    agreement = AgreementFactory()
    with pytest.raises(AttributeError):
        agreement.state = S.SIGNED


@pytest.mark.django_db
def test_submit_refused_while_content_is_incomplete():
    agreement = AgreementFactory()  # empty sections, no role division
    missing = agreement.missing_for_submission()
    assert len(missing) == 9 + 2
    with pytest.raises(TransitionNotAllowed):
        agreement.submit()
    assert agreement.state == S.DRAFT


@pytest.mark.django_db
def test_submit_needs_a_carrying_role_for_each_party():
    agreement = AgreementFactory(content=True)
    version = agreement.current_version()
    version.responsibilities.filter(municipality_role="A").delete()
    assert agreement.missing_for_submission() == [
        "De rolverdeling heeft nog geen taak waarvoor de gemeente uitvoerend (R) of eindverantwoordelijk (A) is."
    ]


@pytest.mark.django_db
def test_approve_refused_while_a_comment_is_open():
    agreement = AgreementFactory(in_review=True)
    comment = Comment.objects.create(version=agreement.frozen_version(), author=agreement.created_by, body="Vraag")
    with pytest.raises(TransitionNotAllowed):
        agreement.approve(by=agreement.created_by)
    comment.resolved_at = timezone.now()
    comment.resolved_by = agreement.created_by
    comment.save()
    agreement.approve(by=agreement.created_by)
    assert agreement.state == S.APPROVED


@pytest.mark.django_db
def test_expire_refused_while_still_valid():
    agreement = AgreementFactory(signed=True, valid_until=timezone.localdate())
    with pytest.raises(TransitionNotAllowed):
        agreement.expire()
    agreement.valid_until = timezone.localdate() - dt.timedelta(days=1)
    agreement.expire()
    assert agreement.state == S.EXPIRED


def _sign(agreement, party, signer):
    version = agreement.frozen_version()
    Signature.objects.create(version=version, party=party, signer=signer, content_hash=version.content_hash)


@pytest.mark.django_db
def test_quorum_per_party():
    initiative = OrganisationFactory(signing_quorum=2)
    agreement = AgreementFactory(approved=True, initiative=initiative)
    board_1 = member(initiative, MembershipRole.SIGNATORY)
    board_2 = member(initiative, MembershipRole.SIGNATORY)
    alderman = member(agreement.municipality, MembershipRole.SIGNATORY)

    _sign(agreement, agreement.municipality, alderman)
    _sign(agreement, initiative, board_1)
    status = agreement.party_signing_status(initiative)
    assert (status["signed"], status["required"], status["complete"]) == (1, 2, False)
    with pytest.raises(TransitionNotAllowed):
        agreement.sign()

    _sign(agreement, initiative, board_2)
    agreement.sign()
    assert agreement.state == S.SIGNED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("four_eyes", "second_signatory", "complete_after_approver_signs"),
    [
        (True, True, False),  # approver cannot be the municipality's only signature
        (True, False, True),  # only one signatory: four eyes cannot apply
        (False, True, True),  # the municipality turned the setting off
    ],
)
def test_four_eyes(four_eyes, second_signatory, complete_after_approver_signs):
    municipality = OrganisationFactory(municipality=True, four_eyes_signing=four_eyes)
    agreement = AgreementFactory(approved=True, municipality=municipality)
    approver = member(municipality, MembershipRole.REVIEWER, MembershipRole.SIGNATORY)
    Agreement = type(agreement)
    Agreement.objects.filter(pk=agreement.pk).update(approved_by=approver)
    agreement.refresh_from_db()
    if second_signatory:
        member(municipality, MembershipRole.SIGNATORY)
    _sign(agreement, agreement.initiative, member(agreement.initiative, MembershipRole.SIGNATORY))
    _sign(agreement, municipality, approver)

    status = agreement.party_signing_status(municipality)
    assert status["complete"] is complete_after_approver_signs
    assert status["needs_second_pair_of_eyes"] is (not complete_after_approver_signs)
    assert agreement.signatures_complete() is complete_after_approver_signs


@pytest.mark.django_db
def test_a_signatory_whose_mandate_ended_does_not_count_for_four_eyes():
    municipality = OrganisationFactory(municipality=True)
    agreement = AgreementFactory(approved=True, municipality=municipality)
    approver = member(municipality, MembershipRole.REVIEWER, MembershipRole.SIGNATORY)
    former = member(municipality, MembershipRole.SIGNATORY)
    former.memberships.update(mandate_until=timezone.localdate() - dt.timedelta(days=1))
    type(agreement).objects.filter(pk=agreement.pk).update(approved_by=approver)
    agreement.refresh_from_db()
    _sign(agreement, municipality, approver)
    assert agreement.party_signing_status(municipality)["complete"] is True
