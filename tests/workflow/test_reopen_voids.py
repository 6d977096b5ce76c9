"""Reopening declares the signatures collected so far void: kept on record, never counted again.

Before, reopening deleted them. Now each stays with who voided it, when and why,
and everything that counts signatures counts only the ones in force: the
signing status, the sign check, the home page, reminders, recipients,
monitoring, the PDF, the verification page and the API. The same people sign
again after a new approval, on the same version when it was resubmitted
unchanged, or on the next version when it was edited.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.audit_notes import audit_note
from agreements.choices import AgreementState as S
from agreements.choices import AuditAction
from agreements.models import Agreement, AuditEvent, Section, Signature, SignedDocument
from agreements.pdf import build_context, render_html
from tests.factories import PASSWORD, AgreementFactory
from workflow.documents.verification import _signers
from workflow.lifecycle import rules
from workflow.lifecycle.selectors.home import WaitingKind, waiting_items_for
from workflow.lifecycle.selectors.page import own_signature, signing_status, void_signatures
from workflow.lifecycle.services.drafting import agreement_create, agreement_update_draft
from workflow.lifecycle.services.review import (
    agreement_approve,
    agreement_reopen,
    agreement_request_changes,
    agreement_submit,
)
from workflow.lifecycle.services.signing import agreement_sign
from workflow.monitoring.statistics import stalled_agreements, waiting_for
from workflow.notifications.recipients import signatories_still_to_sign
from workflow.notifications.reminders import due_reminders

pytestmark = pytest.mark.django_db

NOTE = "Nieuwe wethouder, de gemeente tekent opnieuw."


def create(world) -> Agreement:
    return agreement_create(
        actor=world.drafter,
        initiative=world.initiative,
        municipality=world.municipality,
        title="Warmtenet Oost",
        form="letter_of_intent",
        phase="orientation",
    )


def edit(world, agreement: Agreement, **sections: str) -> None:
    agreement.refresh_from_db()
    agreement_update_draft(
        agreement=agreement,
        actor=world.drafter,
        based_on_revision=agreement.current_version().revision,
        sections={key: f"Tekst voor {key}" for key in ("aim", "roles", "process", "resources", "communication")}
        | {key: f"Tekst voor {key}" for key in ("information", "escalation", "evaluation", "duration")}
        | sections,
        responsibilities=[
            {"task": "Buurt betrekken", "phase": "orientation", "initiative_role": "R", "municipality_role": "C"},
            {"task": "Besluit college", "phase": "orientation", "initiative_role": "I", "municipality_role": "A"},
        ],
        decision_moments=[{"title": "Go/no-go", "deciding_body": "college", "planned_date": dt.date(2027, 1, 1)}],
    )


def submit_and_approve(world, agreement: Agreement) -> Agreement:
    agreement_submit(agreement=agreement, actor=world.drafter)
    return agreement_approve(agreement=agreement, actor=world.reviewer)


def sign(agreement: Agreement, actor) -> Signature:
    agreement.refresh_from_db()
    return agreement_sign(
        agreement=agreement,
        actor=actor,
        content_hash=agreement.frozen_version().content_hash,
        password=PASSWORD,
        authority_confirmed=True,
    )


@pytest.fixture
def reopened(world) -> Agreement:
    """Approved, signed by one signatory of each party, then reopened by the reviewer, then approved again as is."""
    agreement = create(world)
    edit(world, agreement)
    submit_and_approve(world, agreement)
    sign(agreement, world.initiative_signer1)
    sign(agreement, world.municipal_signer)
    agreement_reopen(agreement=agreement, actor=world.reviewer, note=NOTE)
    agreement.refresh_from_db()
    return agreement


def test_reopening_keeps_the_signatures_and_declares_them_void(world, reopened):
    assert reopened.state == S.DRAFT
    signatures = list(Signature.objects.filter(version__agreement=reopened).order_by("pk"))
    assert [s.signer for s in signatures] == [world.initiative_signer1, world.municipal_signer]
    for signature in signatures:
        assert signature.is_void
        assert signature.voided_by == world.reviewer
        assert signature.void_reason == NOTE
        assert signature.voided_at is not None and signature.voided_at >= signature.signed_at
    event = reopened.audit_events.last()
    # The row keeps the reason as typed; the log counts the void signatures when it is read.
    assert event.action == AuditAction.REOPENED and event.note == NOTE
    assert audit_note(event) == f"{NOTE}\n2 verzamelde handtekeningen zijn vervallen."
    assert [s.pk for s in void_signatures(reopened)] == [s.pk for s in signatures]


def test_reopening_without_a_note_still_says_why(world):
    agreement = create(world)
    edit(world, agreement)
    submit_and_approve(world, agreement)
    sign(agreement, world.initiative_signer1)
    agreement_reopen(agreement=agreement, actor=world.drafter)
    signature = Signature.objects.get(version__agreement=agreement)
    assert signature.voided_by == world.drafter and signature.void_reason == "De afspraak is heropend."


def test_void_signatures_no_longer_count_anywhere(world, reopened, settings):
    submit_and_approve(world, reopened)  # resubmitted unchanged: the same version is up for signing again
    reopened.refresh_from_db()
    version = reopened.frozen_version()
    assert version.number == 1 and version.signatures.count() == 2

    # The signing rule and the checks built on it.
    for party in reopened.parties:
        assert reopened.party_signing_status(party)["signed"] == 0
    assert not reopened.signatures_complete()
    assert rules.check_sign(world.initiative_signer1, reopened) == world.initiative
    assert own_signature(world.initiative_signer1, reopened) is None
    assert [s["signatures"] for s in signing_status(reopened)] == [[], []]

    # Who is asked to sign: e-mail recipients, the home page, reminders.
    assert {world.initiative_signer1, world.municipal_signer} <= set(signatories_still_to_sign(reopened))
    assert (reopened, WaitingKind.SIGN) in [(i.agreement, i.kind) for i in waiting_items_for(world.initiative_signer1)]
    settings.REMINDERS = {**settings.REMINDERS, "enabled": True, "signature_after_days": 5}
    Agreement.objects.filter(pk=reopened.pk).update(state_changed_at=timezone.now() - dt.timedelta(days=6))
    reminded = {i.recipient for i in due_reminders() if i.agreement.pk == reopened.pk}
    assert {world.initiative_signer1, world.municipal_signer} <= reminded

    # Monitoring: both parties still have to sign.
    rows = stalled_agreements(Agreement.objects.filter(pk=reopened.pk), now=timezone.now() + dt.timedelta(days=90))
    row = rows.get()
    assert (row.initiative_signatures, row.municipality_signatures, row.approver_signatures) == (0, 0, 0)
    assert waiting_for(row).parties == (world.initiative, world.municipality)

    # The API.
    api = APIClient()
    api.force_authenticate(world.drafter)
    signing = api.get(f"/api/v1/agreements/{reopened.reference}/").json()["signing"]
    assert [(s["signed"], s["complete"]) for s in signing] == [(0, False), (0, False)]


def test_the_same_people_sign_the_same_version_again(world, reopened):
    submit_and_approve(world, reopened)
    for signer in (world.initiative_signer1, world.initiative_signer2, world.municipal_signer):
        sign(reopened, signer)
    reopened.refresh_from_db()
    assert reopened.state == S.SIGNED
    version = reopened.frozen_version()
    assert version.number == 1
    # One void and one signature in force for each person who signed twice.
    assert version.signatures.filter(signer=world.initiative_signer1).count() == 2
    assert version.signatures.in_force().filter(signer=world.initiative_signer1).count() == 1
    assert version.signatures.in_force().count() == 3 and version.signatures.voided().count() == 2

    # The signed document lists the signatures in force; its trail marks the earlier ones void.
    context = build_context(version)
    on_the_signature_page = [s["name"] for party in context["parties"] for s in party["signatures"]]
    assert sorted(on_the_signature_page) == sorted(["Bea Bestuur", "Bart Bestuur", "Wendy Wethouder"])
    signed_by = str(AuditAction.SIGNED_BY.label)
    trail = [(row.who, row.what) for row in context["trail"]]
    assert trail.count(("Bea Bestuur", f"{signed_by} (vervallen)")) == 1
    assert trail.count(("Bea Bestuur", signed_by)) == 1
    assert trail.count(("Wendy Wethouder", f"{signed_by} (vervallen)")) == 1
    assert trail[-1] == ("Wendy Wethouder", f"{signed_by} ({AuditAction.SIGNED.label})")
    assert render_html(version).count(f"{signed_by} (vervallen)".capitalize()) == 2
    signers = _signers(SignedDocument(version=version))
    assert sorted(s.name for s in signers) == sorted(["Bea Bestuur", "Bart Bestuur", "Wendy Wethouder"])


def test_an_edited_version_is_signed_as_the_next_version(world, reopened):
    edit(world, reopened, aim="Een warmtenet voor heel Oost.")
    submit_and_approve(world, reopened)
    reopened.refresh_from_db()
    assert reopened.frozen_version().number == 2
    sign(reopened, world.initiative_signer1)
    assert reopened.frozen_version().signatures.in_force().count() == 1
    assert Signature.objects.voided().filter(version__agreement=reopened, version__number=1).count() == 2


def test_the_database_holds_one_signature_in_force_per_person_and_version(world, reopened):
    submit_and_approve(world, reopened)
    version = reopened.frozen_version()
    first = sign(reopened, world.initiative_signer1)  # beside the void one: allowed
    with pytest.raises(IntegrityError), transaction.atomic():
        Signature.objects.create(
            version=version, party=world.initiative, signer=world.initiative_signer1, content_hash=first.content_hash
        )


def test_the_agreement_page_shows_void_signatures_with_who_and_why(world, reopened, client):
    client.force_login(world.drafter)
    html = client.get(f"/afspraken/{reopened.reference}/").content.decode()
    assert "Vervallen handtekeningen" in html
    assert html.count("data-void-signature") == 2
    assert "Bea Bestuur voor Buurtwarmte Test-Oost, versie 1" in html
    assert "Rik Ambtenaar" in html and NOTE in html

    submit_and_approve(world, reopened)
    client.force_login(world.initiative_signer1)
    html = client.get(f"/afspraken/{reopened.reference}/").content.decode()
    assert "0 van 2 handtekeningen" in html and "Vervallen handtekeningen" in html
    sign_page = client.get(f"/afspraken/{reopened.reference}/ondertekenen/").content.decode()
    assert 'name="password"' in sign_page  # not "already signed": the void signature does not count


# --- the whole journey ---------------------------------------------------------------------------


def journey(world) -> Agreement:
    """Create, edit, submit, request changes, edit again, submit, approve, sign, reopen, resubmit, sign."""
    agreement = create(world)
    edit(world, agreement)
    agreement_submit(agreement=agreement, actor=world.drafter)
    agreement_request_changes(agreement=agreement, actor=world.reviewer, note="Meer over de evaluatie.")
    edit(world, agreement, evaluation="Twee keer per jaar.")
    submit_and_approve(world, agreement)
    sign(agreement, world.initiative_signer1)
    agreement_reopen(agreement=agreement, actor=world.drafter, note="Een taak vergeten.")
    submit_and_approve(world, agreement)
    for signer in (world.initiative_signer1, world.initiative_signer2, world.municipal_signer):
        sign(agreement, signer)
    agreement.refresh_from_db()
    return agreement


def test_the_whole_journey(world):
    agreement = journey(world)
    assert agreement.state == S.SIGNED
    version = agreement.frozen_version()
    assert version.number == 2
    assert version.sections.get(key="evaluation").body == "Twee keer per jaar."
    assert agreement.versions.get(number=1).sections.get(key="evaluation").body == "Tekst voor evaluation"
    assert list(agreement.audit_events.values_list("action", flat=True)) == [
        AuditAction.CREATED,
        AuditAction.DRAFT_UPDATED,
        AuditAction.SUBMITTED,
        AuditAction.CHANGES_REQUESTED,
        AuditAction.DRAFT_UPDATED,
        AuditAction.SUBMITTED,
        AuditAction.APPROVED,
        AuditAction.SIGNED_BY,
        AuditAction.REOPENED,
        AuditAction.SUBMITTED,
        AuditAction.APPROVED,
        AuditAction.SIGNED_BY,
        AuditAction.SIGNED_BY,
        AuditAction.SIGNED_BY,
    ]
    assert version.signatures.in_force().count() == 3
    assert version.signatures.voided().get().signer == world.initiative_signer1


@pytest.mark.postgres
def test_the_whole_journey_on_postgresql_and_its_record_is_then_fixed(world):
    agreement = journey(world)
    assert connection.vendor == "postgresql" and agreement.state == S.SIGNED
    version = agreement.frozen_version()
    for rows, change in [
        (AuditEvent.objects.filter(agreement=agreement), {"note": "herschreven"}),
        (Section.objects.filter(version=version, key="aim"), {"body": "Stiekem veranderd"}),
        (Signature.objects.filter(version=version), {"voided_at": timezone.now()}),
    ]:
        with pytest.raises(Exception, match="refused") as refused, transaction.atomic():
            rows.update(**change)
        assert not isinstance(refused.value, IntegrityError)
        with pytest.raises(Exception, match="refused"), transaction.atomic():
            rows.delete()


def test_a_trail_without_its_log_still_shows_a_void_signature(world):
    # Records imported without their log: the trail is made from the signatures themselves.
    agreement = AgreementFactory(initiative=world.initiative, municipality=world.municipality, approved=True)
    version = agreement.frozen_version()
    signature = Signature.objects.create(
        version=version, party=world.initiative, signer=world.initiative_signer1, content_hash=version.content_hash
    )
    signature.void(by=world.reviewer, reason=NOTE)
    context = build_context(version)
    assert context["parties"][0]["signatures"] == []
    assert [(row.who, row.what, row.note) for row in context["trail"]] == [
        ("Bea Bestuur", str(AuditAction.SIGNED_BY.label), "Buurtwarmte Test-Oost"),
        ("Rik Ambtenaar", "Handtekening vervallen", f"Bea Bestuur, Buurtwarmte Test-Oost: {NOTE}"),
    ]
