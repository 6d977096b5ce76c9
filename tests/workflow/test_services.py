"""What each service writes, and how it refuses."""

import datetime as dt

import pytest
from django.utils import timezone

from agreements.audit_notes import audit_note
from agreements.choices import AgreementState as S
from agreements.choices import AuditAction, MembershipRole
from agreements.models import Agreement, AgreementVersion, AuditEvent, Signature, User
from tests.factories import PASSWORD, AgreementFactory, member
from workflow.core.exceptions import Conflict, ContentIncomplete, InvalidInput, NotPermitted, StaleRevision
from workflow.core.request_meta import RequestMeta
from workflow.lifecycle.services.amendments import agreement_amend
from workflow.lifecycle.services.comments import comment_add, comment_resolve
from workflow.lifecycle.services.drafting import agreement_create, agreement_update_draft
from workflow.lifecycle.services.expiry import agreement_expire
from workflow.lifecycle.services.review import (
    agreement_approve,
    agreement_reopen,
    agreement_request_changes,
    agreement_submit,
    agreement_withdraw,
)
from workflow.lifecycle.services.signing import agreement_sign


@pytest.fixture
def draft(world):
    return agreement_create(
        actor=world.drafter,
        initiative=world.initiative,
        municipality=world.municipality,
        title="Warmtenet Oost",
        form="letter_of_intent",
        phase="orientation",
        neighbourhoods=[{"name": "Oost", "cbs_code": "WK019301"}],
    )


def fill(agreement, actor, revision):
    return agreement_update_draft(
        agreement=agreement,
        actor=actor,
        based_on_revision=revision,
        sections={key: f"Tekst voor {key}" for key in ("aim", "roles", "process", "resources", "communication")}
        | {key: f"Tekst voor {key}" for key in ("information", "escalation", "evaluation", "duration")},
        responsibilities=[
            {"task": "Buurt betrekken", "phase": "orientation", "initiative_role": "R", "municipality_role": "C"},
            {"task": "Besluit college", "phase": "orientation", "initiative_role": "I", "municipality_role": "A"},
        ],
        decision_moments=[{"title": "Go/no-go", "deciding_body": "college", "planned_date": dt.date(2027, 1, 1)}],
    )


def submitted(world, draft):
    fill(draft, world.drafter, 1)
    return agreement_submit(agreement=draft, actor=world.drafter)


def test_create_makes_reference_version_one_and_one_audit_event(world, draft):
    assert draft.reference.startswith(f"SK-{timezone.localdate().year}-")
    assert draft.state == S.DRAFT
    version = draft.current_version()
    assert (version.number, version.revision, version.is_frozen) == (1, 1, False)
    assert version.sections.count() == 9
    assert list(draft.audit_events.values_list("action", flat=True)) == [AuditAction.CREATED]
    second = agreement_create(
        actor=world.drafter,
        initiative=world.initiative,
        municipality=world.municipality,
        title="Tweede",
        form="ground_rules",
        phase="orientation",
    )
    assert int(second.reference[-4:]) == int(draft.reference[-4:]) + 1


def test_only_a_drafter_of_the_initiative_creates(world):
    with pytest.raises(NotPermitted):
        agreement_create(
            actor=world.reviewer,
            initiative=world.initiative,
            municipality=world.municipality,
            title="x",
            form="ground_rules",
            phase="orientation",
        )
    with pytest.raises(InvalidInput):
        agreement_create(
            actor=world.drafter,
            initiative=world.initiative,
            municipality=world.other_initiative,
            title="x",
            form="ground_rules",
            phase="orientation",
        )


def test_stale_revision_is_a_conflict_and_writes_nothing(world, draft):
    fill(draft, world.drafter, 1)  # revision 1 -> 2
    with pytest.raises(StaleRevision) as caught:
        agreement_update_draft(
            agreement=draft, actor=world.drafter, based_on_revision=1, sections={"aim": "Overschreven?"}
        )
    assert caught.value.current_revision == 2
    assert draft.current_version().sections.get(key="aim").body == "Tekst voor aim"


def test_submit_lists_what_is_missing(world, draft):
    with pytest.raises(ContentIncomplete) as caught:
        agreement_submit(agreement=draft, actor=world.drafter)
    assert len(caught.value.missing) == 11
    draft.refresh_from_db()
    assert draft.state == S.DRAFT


def test_submit_freezes_the_version_with_its_hash(world, draft):
    agreement = submitted(world, draft)
    version = agreement.current_version()
    assert agreement.state == S.IN_REVIEW
    assert version.is_frozen and len(version.content_hash) == 64
    assert version.canonical_bytes().decode() == version.canonical_json


def test_request_changes_needs_a_note(world, draft):
    agreement = submitted(world, draft)
    with pytest.raises(InvalidInput) as caught:
        agreement_request_changes(agreement=agreement, actor=world.reviewer, note="  ")
    assert "note" in caught.value.errors


def test_after_request_changes_the_first_edit_starts_a_copy(world, draft):
    agreement = submitted(world, draft)
    v1 = agreement.current_version()
    frozen_hash = v1.content_hash
    agreement_request_changes(agreement=agreement, actor=world.reviewer, note="Meer over middelen.")
    v2 = agreement_update_draft(
        agreement=agreement, actor=world.drafter, based_on_revision=v1.revision, sections={"resources": "Meer geld"}
    )
    assert v2.number == 2 and not v2.is_frozen
    assert v2.sections.get(key="resources").body == "Meer geld"
    assert v2.sections.get(key="aim").body == v1.sections.get(key="aim").body
    assert v2.responsibilities.count() == v1.responsibilities.count() == 2
    assert v2.decision_moments.count() == 1
    v1 = AgreementVersion.objects.get(pk=v1.pk)
    assert v1.sections.get(key="resources").body == "Tekst voor resources"
    assert v1.content_hash == frozen_hash
    assert v1.canonical_bytes() == v1.canonical_json.encode()
    # A second form loaded from version 1 is now stale.
    with pytest.raises(StaleRevision):
        agreement_update_draft(
            agreement=agreement, actor=world.drafter, based_on_revision=v1.revision, sections={"aim": "x"}
        )


def test_approve_needs_every_comment_resolved(world, draft):
    agreement = submitted(world, draft)
    comment = comment_add(agreement=agreement, actor=world.reviewer, body="Vraag")
    with pytest.raises(Conflict) as caught:
        agreement_approve(agreement=agreement, actor=world.reviewer)
    assert "nog 1 open" in caught.value.message
    with pytest.raises(NotPermitted):
        comment_resolve(comment=comment, actor=world.initiative_signer1)
    comment_resolve(comment=comment, actor=world.drafter)
    with pytest.raises(Conflict):
        comment_resolve(comment=comment, actor=world.drafter)
    approved = agreement_approve(agreement=agreement, actor=world.reviewer)
    assert approved.state == S.APPROVED and approved.approved_by == world.reviewer


def test_a_second_approval_is_a_conflict_that_names_the_state(world, draft):
    agreement = submitted(world, draft)
    agreement_approve(agreement=agreement, actor=world.reviewer)
    with pytest.raises(Conflict) as caught:
        agreement_approve(agreement=agreement, actor=world.reviewer2)
    assert caught.value.state == S.APPROVED
    assert "goedgekeurd" in caught.value.message


def approve(world, draft):
    agreement = submitted(world, draft)
    return agreement_approve(agreement=agreement, actor=world.reviewer)


def sign(agreement, actor):
    agreement.refresh_from_db()
    return agreement_sign(
        password=PASSWORD,
        authority_confirmed=True,
        agreement=agreement,
        actor=actor,
        content_hash=agreement.frozen_version().content_hash,
    )


def test_signing_until_every_quorum_is_met(world, draft):
    agreement = approve(world, draft)
    sign(agreement, world.initiative_signer1)
    sign(agreement, world.municipal_signer)
    agreement.refresh_from_db()
    assert agreement.state == S.APPROVED  # the initiative needs two
    with pytest.raises(Conflict):
        sign(agreement, world.initiative_signer1)  # once per person
    signature = sign(agreement, world.initiative_signer2)
    agreement.refresh_from_db()
    assert agreement.state == S.SIGNED and agreement.signed_at is not None
    assert signature.content_hash == agreement.frozen_version().content_hash
    last = agreement.audit_events.last()
    assert (last.action, last.from_state, last.to_state) == (AuditAction.SIGNED_BY, S.APPROVED, S.SIGNED)


def test_signing_a_changed_text_is_a_conflict(world, draft):
    agreement = approve(world, draft)
    with pytest.raises(Conflict):
        agreement_sign(
            password=PASSWORD,
            authority_confirmed=True,
            agreement=agreement,
            actor=world.municipal_signer,
            content_hash="0" * 64,
        )
    assert not Signature.objects.exists()


def test_a_signatory_whose_mandate_ended_may_not_sign(world, draft):
    agreement = approve(world, draft)
    world.municipal_signer.memberships.update(mandate_until=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(NotPermitted):
        sign(agreement, world.municipal_signer)


def test_four_eyes_through_the_services(world, draft):
    approver = world.municipal_signer
    approver.memberships.create(organisation=world.municipality, role=MembershipRole.REVIEWER)
    second = member(world.municipality, MembershipRole.SIGNATORY)
    agreement = submitted(world, draft)
    agreement_approve(agreement=agreement, actor=approver)
    for signer in (world.initiative_signer1, world.initiative_signer2, approver):
        sign(agreement, signer)
    agreement.refresh_from_db()
    assert agreement.state == S.APPROVED
    assert agreement.party_signing_status(world.municipality)["needs_second_pair_of_eyes"]
    sign(agreement, second)
    agreement.refresh_from_db()
    assert agreement.state == S.SIGNED


def test_reopen_voids_collected_signatures(world, draft):
    # Before, reopening deleted the signatures collected so far; now they stay on record, declared void.
    agreement = approve(world, draft)
    sign(agreement, world.initiative_signer1)
    reopened = agreement_reopen(agreement=agreement, actor=world.reviewer, note="Nieuwe wethouder.")
    assert reopened.state == S.DRAFT
    signature = Signature.objects.get(version__agreement=agreement)
    assert signature.is_void and signature.voided_by == world.reviewer
    assert signature.void_reason == "Nieuwe wethouder."
    assert not Signature.objects.in_force().filter(version__agreement=agreement).exists()
    event = reopened.audit_events.last()
    assert event.action == AuditAction.REOPENED
    assert audit_note(event) == "Nieuwe wethouder.\n1 verzamelde handtekening is vervallen."


def test_withdraw_with_a_note(world, draft):
    withdrawn = agreement_withdraw(agreement=draft, actor=world.drafter, note="Gestopt.")
    assert withdrawn.state == S.WITHDRAWN and withdrawn.withdrawn_at is not None


def test_expire_only_after_validity(world):
    agreement = AgreementFactory(signed=True, valid_until=timezone.localdate())
    with pytest.raises(Conflict):
        agreement_expire(agreement=agreement)
    Agreement.objects.filter(pk=agreement.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    expired = agreement_expire(agreement=agreement.pk)
    assert expired.state == S.EXPIRED
    assert AuditEvent.objects.filter(agreement=agreement, action=AuditAction.EXPIRED, actor=None).count() == 1


def test_audit_event_records_where_the_action_came_from(world, draft):
    meta = RequestMeta(ip_address="192.0.2.10", user_agent="Firefox")
    fill(draft, world.drafter, 1)
    agreement_submit(agreement=draft, actor=world.drafter, request_meta=meta)
    event = draft.audit_events.get(action=AuditAction.SUBMITTED)
    assert (event.ip_address, event.user_agent, event.actor) == ("192.0.2.10", "Firefox", world.drafter)
    assert (event.from_state, event.to_state, event.version_number) == (S.DRAFT, S.IN_REVIEW, 1)


class TestAmendmentChain:
    def signed_original(self, world, draft):
        agreement = approve(world, draft)
        for signer in (world.initiative_signer1, world.initiative_signer2, world.municipal_signer):
            sign(agreement, signer)
        agreement.refresh_from_db()
        return agreement

    def test_the_original_stays_signed_until_the_amendment_is_signed(self, world, draft):
        original = self.signed_original(world, draft)
        signed_hash = original.frozen_version().content_hash
        amendment = agreement_amend(agreement=original, actor=world.drafter)
        assert amendment.supersedes == original and amendment.state == S.DRAFT
        assert amendment.current_version().sections.get(key="aim").body == "Tekst voor aim"
        with pytest.raises(Conflict):
            agreement_amend(agreement=original, actor=world.drafter)  # one open amendment at most

        agreement_update_draft(
            agreement=amendment,
            actor=world.drafter,
            based_on_revision=amendment.current_version().revision,
            sections={"evaluation": "Twee keer per jaar."},
        )
        agreement_submit(agreement=amendment, actor=world.drafter)
        agreement_approve(agreement=amendment, actor=world.reviewer)
        for signer in (world.initiative_signer1, world.initiative_signer2):
            sign(amendment, signer)
        original.refresh_from_db()
        assert original.state == S.SIGNED
        assert original.frozen_version().content_hash == signed_hash

        sign(amendment, world.municipal_signer)
        original.refresh_from_db()
        amendment.refresh_from_db()
        assert amendment.state == S.SIGNED
        assert original.state == S.SUPERSEDED and original.superseded_at is not None
        assert original.frozen_version().content_hash == signed_hash
        # Superseded, then its open commitments carried over to the amendment (workflow/after_signing/).
        assert [e.action for e in original.audit_events.order_by("at", "pk")][-2:] == [
            AuditAction.SUPERSEDED,
            AuditAction.COMMITMENTS_CARRIED_OVER,
        ]

    def test_a_withdrawn_amendment_frees_the_slot(self, world, draft):
        original = self.signed_original(world, draft)
        first = agreement_amend(agreement=original, actor=world.drafter)
        agreement_withdraw(agreement=first, actor=world.drafter)
        second = agreement_amend(agreement=original, actor=world.drafter)
        assert second.state == S.DRAFT and second.pk != first.pk

    def test_only_a_signed_agreement_can_be_amended(self, world, draft):
        with pytest.raises(Conflict):
            agreement_amend(agreement=draft, actor=world.drafter)


def test_signing_checks_the_password_and_authority_after_permission(world, draft):
    agreement = approve(world, draft)
    content_hash = agreement.frozen_version().content_hash

    def attempt(actor, **proof):
        return agreement_sign(agreement=agreement, actor=actor, content_hash=content_hash, **proof)

    # Someone who may not sign learns nothing about the password: refused before it is looked at.
    with pytest.raises(NotPermitted):
        attempt(world.drafter, password="wrong", authority_confirmed=False)
    with pytest.raises(InvalidInput) as wrong:
        attempt(world.municipal_signer, password="wrong", authority_confirmed=True)
    assert list(wrong.value.errors) == ["password"]
    with pytest.raises(InvalidInput) as unconfirmed:
        attempt(world.municipal_signer, password=PASSWORD, authority_confirmed=False)
    assert list(unconfirmed.value.errors) == ["authorised"]
    assert not Signature.objects.exists()
    attempt(world.municipal_signer, password=PASSWORD, authority_confirmed=True)
    assert Signature.objects.filter(signer=world.municipal_signer).count() == 1


def test_nobody_acts_for_both_parties_of_one_agreement(world, draft, client):
    # Before, a drafter who was also the municipality's reviewer and signatory approved and signed
    # their own submission (and signed for the initiative).
    both = member(world.initiative, MembershipRole.DRAFTER, email="beide@example.org")
    member(world.municipality, MembershipRole.REVIEWER, MembershipRole.SIGNATORY, email="beide@example.org")
    both = User.objects.get(pk=both.pk)  # the second member() call saved the account again
    fill(draft, world.drafter, 1)
    agreement = agreement_submit(agreement=draft, actor=both)
    assert agreement.submitted_by == both
    with pytest.raises(NotPermitted) as refused:
        agreement_approve(agreement=agreement, actor=both)
    assert "beide partijen" in refused.value.message
    client.force_login(both)
    response = client.get(f"/afspraken/{agreement.reference}/")
    assert response.status_code == 200
    assert f"/afspraken/{agreement.reference}/goedkeuren/" not in response.content.decode()
    client.force_login(world.reviewer)
    assert (
        f"/afspraken/{agreement.reference}/goedkeuren/"
        in client.get(f"/afspraken/{agreement.reference}/").content.decode()
    )
    client.force_login(both)
    agreement = agreement_approve(agreement=agreement, actor=world.reviewer)
    with pytest.raises(NotPermitted) as refused:
        sign(agreement, both)
    assert "beide partijen" in refused.value.message
    response = client.get(f"/afspraken/{agreement.reference}/ondertekenen/")
    assert response.status_code == 403 and "beide partijen" in response.content.decode()


def test_whoever_submitted_cannot_approve(world, draft):
    agreement = submitted(world, draft)
    # A reviewer named as the submitter (an account that moved from the initiative to the municipality).
    Agreement.objects.filter(pk=agreement.pk).update(submitted_by=world.reviewer)
    with pytest.raises(NotPermitted) as refused:
        agreement_approve(agreement=agreement, actor=world.reviewer)
    assert "zelf ingediend" in refused.value.message
    agreement_approve(agreement=agreement, actor=world.reviewer2)


def test_a_resolved_thread_with_replies_no_longer_blocks_approval(world, draft):
    # Before, a reply (which has no resolve button) kept approval blocked for good.
    agreement = submitted(world, draft)
    question = comment_add(agreement=agreement, actor=world.reviewer, body="Hoeveel uur per kwartaal?")
    comment_add(agreement=agreement, actor=world.drafter, body="Zestien.", parent=question)
    comment_add(agreement=agreement, actor=world.reviewer, body="Dank u.", parent=question)
    with pytest.raises(Conflict):
        agreement_approve(agreement=agreement, actor=world.reviewer)
    comment_resolve(comment=question, actor=world.drafter)
    assert agreement_approve(agreement=agreement, actor=world.reviewer).state == S.APPROVED


# A line break in a title ends up in an e-mail header; every other control character is as unwelcome.
NOT_ONE_LINE = ["Warmte\nBcc: iemand@example.org", "Warmte\r\nOost", "Warmte\tOost", "Warmte\x00", "Warmte\u2028Oost"]


def _single_line_refusal(error) -> str:
    (messages,) = error.value.errors.values()
    return " ".join(str(m) for m in messages)


@pytest.mark.parametrize("bad", NOT_ONE_LINE)
def test_titles_and_names_are_one_line(world, draft, bad):
    start = {
        "actor": world.drafter,
        "initiative": world.initiative,
        "municipality": world.municipality,
        "form": "ground_rules",
        "phase": "orientation",
    }
    with pytest.raises(InvalidInput) as error:
        agreement_create(**start, title=bad)
    assert list(error.value.errors) == ["title"]
    assert "één regel" in _single_line_refusal(error)
    with pytest.raises(InvalidInput) as error:
        agreement_create(**start, title="Goed", neighbourhoods=[{"name": bad}])
    assert list(error.value.errors) == ["neighbourhoods"]
    assert Agreement.objects.count() == 1

    revision = draft.current_version().revision
    edits = [
        ({"fields": {"title": bad}}, "title"),
        ({"neighbourhoods": [{"name": bad, "cbs_code": ""}]}, "neighbourhoods"),
        ({"responsibilities": [{"task": bad, "phase": "orientation"}]}, "responsibilities"),
        (
            {"responsibilities": [{"task": "Taak", "phase": "orientation", "third_party_name": bad}]},
            "responsibilities",
        ),
        ({"decision_moments": [{"title": bad, "deciding_body": "college"}]}, "decision_moments"),
    ]
    for edit, field in edits:
        with pytest.raises(InvalidInput) as error:
            agreement_update_draft(agreement=draft, actor=world.drafter, based_on_revision=revision, **edit)
        assert list(error.value.errors) == [field], edit
        assert "één regel" in _single_line_refusal(error)
    draft.refresh_from_db()
    assert draft.title == "Warmtenet Oost"
    assert [n.name for n in draft.neighbourhoods.all()] == ["Oost"]
    assert draft.current_version().revision == revision


def test_text_fields_keep_their_line_breaks(world, draft):
    version = agreement_update_draft(
        agreement=draft, actor=world.drafter, based_on_revision=1, sections={"aim": "Eerste regel.\n\nTweede alinea."}
    )
    assert version.sections.get(key="aim").body == "Eerste regel.\n\nTweede alinea."
    comment = comment_add(agreement=draft, actor=world.reviewer, body="Een vraag.\nEn nog een.")
    assert comment.body == "Een vraag.\nEn nog een."


def test_the_record_refuses_control_characters_in_names_typed_in_the_admin(world):
    from django.core.exceptions import ValidationError

    world.municipality.name = "Gemeente\nZwolle"
    with pytest.raises(ValidationError) as error:
        world.municipality.full_clean()
    assert "name" in error.value.message_dict
    world.drafter.full_name = "Dirk\rDrafter"
    with pytest.raises(ValidationError) as error:
        world.drafter.full_clean()
    assert "full_name" in error.value.message_dict
