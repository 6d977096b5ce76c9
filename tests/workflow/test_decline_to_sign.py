"""A signatory who disagrees with the approved version declines to sign, saying why.

The agreement goes back to draft for its drafters and reviewers, the reason on
top; the signatures collected so far are declared void (kept, never deleted);
one audit row and one e-mail to each drafter, reviewer and signatory of both
parties, never to the person who declined. The API has it as an action.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from agreements.audit_notes import audit_note
from agreements.choices import AgreementState as S
from agreements.choices import AuditAction
from agreements.models import Agreement, AuditEvent, Signature
from agreements.pdf import build_context
from tests.workflow.test_reopen_voids import create, edit, sign, submit_and_approve
from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from workflow.lifecycle import rules
from workflow.lifecycle.selectors.home import WaitingKind, waiting_items_for
from workflow.lifecycle.selectors.page import changes_requested_panel
from workflow.lifecycle.services.signing import agreement_decline_to_sign
from workflow.models import Notification
from workflow.notifications.events import Event
from workflow.notifications.rendering import render_email

pytestmark = pytest.mark.django_db

REASON = "De gemeente betaalt in deze versie te weinig uren. Zo tekenen wij niet."


@pytest.fixture
def approved(world) -> Agreement:
    """Approved, and one of the initiative's two signatories has signed already."""
    agreement = create(world)
    edit(world, agreement)
    submit_and_approve(world, agreement)
    sign(agreement, world.initiative_signer1)
    agreement.refresh_from_db()
    return agreement


def decline(agreement: Agreement, actor, reason: str = REASON) -> Agreement:
    agreement.refresh_from_db()
    return agreement_decline_to_sign(agreement=agreement, actor=actor, reason=reason)


def test_declining_sends_the_agreement_back_and_voids_the_signatures_collected(world, approved):
    signed_before = Signature.objects.get(version__agreement=approved)
    events_before = AuditEvent.objects.filter(agreement=approved).count()

    decline(approved, world.municipal_signer, f"  {REASON}\n")

    approved.refresh_from_db()
    assert approved.state == S.DRAFT
    assert approved.approved_at is None and approved.approved_by is None
    # Kept, not deleted: declared void by the person who declined, with their reason.
    signature = Signature.objects.get(pk=signed_before.pk)
    assert signature.is_void
    assert signature.voided_by == world.municipal_signer and signature.void_reason == REASON
    assert Signature.objects.filter(version__agreement=approved).count() == 1
    # Exactly one audit row, stamped with the moment the signatures were voided.
    new = list(AuditEvent.objects.filter(agreement=approved).order_by("pk")[events_before:])
    assert [(e.action, e.actor, e.from_state, e.to_state, e.version_number, e.note) for e in new] == [
        (AuditAction.DECLINED_TO_SIGN, world.municipal_signer, S.APPROVED, S.DRAFT, 1, REASON)
    ]
    assert new[0].at == signature.voided_at
    assert audit_note(new[0]) == f"{REASON}\n1 verzamelde handtekening is vervallen."
    assert str(AuditAction.DECLINED_TO_SIGN.label) == "ondertekening geweigerd"


def test_everyone_involved_hears_once_and_the_person_who_declined_does_not(world, approved):
    Notification.objects.all().delete()
    decline(approved, world.municipal_signer)
    rows = list(Notification.objects.all())
    assert {n.event for n in rows} == {Event.DECLINED_TO_SIGN}
    recipients = sorted(n.recipient_email for n in rows)
    # Drafters, reviewers, signatories of both parties; not the initiative's admin, not the advisor, not the actor.
    assert recipients == sorted(
        p.email
        for p in (world.drafter, world.reviewer, world.reviewer2, world.initiative_signer1, world.initiative_signer2)
    )
    assert all(n.context == {"note": REASON, "party": "Gemeente Test"} for n in rows)


def test_the_email_names_who_declined_for_whom_and_why_in_each_language(world, approved):
    decline(approved, world.municipal_signer)
    row = Notification.objects.get(event=Event.DECLINED_TO_SIGN, recipient=world.drafter)
    message = render_email(row)
    assert message.subject == f"Niet ondertekend, terug naar de opstellers: {approved.reference} {approved.title}"
    assert "Wendy Wethouder tekent niet voor Gemeente Test en heeft de afspraak teruggestuurd." in message.body
    assert REASON in message.body and f"/afspraken/{approved.reference}/" in message.body
    assert REASON in message.alternatives[0][0]
    row.language = "en"
    message = render_email(row)
    assert message.subject == f"Declined to sign, back to the drafters: {approved.reference} {approved.title}"
    assert "Wendy Wethouder does not sign for Gemeente Test and has sent the agreement back." in message.body
    assert "Reden" not in message.body and "Reason:" in message.body and REASON in message.body


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_reason_is_required_and_nothing_changes_without_one(world, approved, reason):
    events_before = AuditEvent.objects.filter(agreement=approved).count()
    notifications_before = Notification.objects.count()
    with pytest.raises(InvalidInput) as refused:
        decline(approved, world.municipal_signer, reason)
    assert refused.value.errors == {"reason": ["Schrijf op waarom u niet tekent."]}
    approved.refresh_from_db()
    assert approved.state == S.APPROVED
    assert Signature.objects.in_force().filter(version__agreement=approved).count() == 1
    assert AuditEvent.objects.filter(agreement=approved).count() == events_before
    assert Notification.objects.count() == notifications_before


def test_who_may_decline_in_the_usual_order(world, approved):
    # Cannot see it, even without a reason: NotFound first.
    with pytest.raises(NotFound):
        decline(approved, world.outsider, "")
    # Sees it but is no signatory (a drafter, a reviewer, an admin): NotPermitted, before the reason.
    for person in (world.drafter, world.reviewer, world.initiative_admin):
        with pytest.raises(NotPermitted, match="Alleen ondertekenaars"):
            decline(approved, person, "")
    # A signatory who signed already may not decline: they no longer may sign now.
    with pytest.raises(Conflict, match="al ondertekend"):
        decline(approved, world.initiative_signer1)
    assert not {"sign", "decline"} & rules.available_actions(world.initiative_signer1, approved)["actions"]
    assert {"sign", "decline"} <= rules.available_actions(world.initiative_signer2, approved)["actions"]
    # Not in a state where signing is possible: Conflict naming the state.
    decline(approved, world.municipal_signer)
    with pytest.raises(Conflict, match="'concept'"):
        decline(approved, world.initiative_signer2)
    assert AuditEvent.objects.filter(agreement=approved, action=AuditAction.DECLINED_TO_SIGN).count() == 1


def test_the_reason_is_on_top_for_the_drafters_until_they_submit_again(world, approved):
    decline(approved, world.municipal_signer)
    approved.refresh_from_db()
    panel = changes_requested_panel(world.drafter, approved)
    assert panel.title == "Een ondertekenaar weigert te tekenen"
    assert panel.actor == world.municipal_signer and panel.reason == REASON and panel.version_number == 1
    # "Mijn afspraken" asks the drafter to revise it.
    assert (approved, WaitingKind.REVISE) in [(i.agreement, i.kind) for i in waiting_items_for(world.drafter)]
    submit_and_approve(world, approved)  # resubmitted unchanged
    approved.refresh_from_db()
    assert changes_requested_panel(world.drafter, approved) is None


def test_after_a_revision_everyone_signs_and_the_trail_marks_the_void_signature(world, approved):
    decline(approved, world.municipal_signer)
    edit(world, approved, resources="De gemeente betaalt 200 uur.")
    submit_and_approve(world, approved)
    for signer in (world.initiative_signer1, world.initiative_signer2, world.municipal_signer):
        sign(approved, signer)
    approved.refresh_from_db()
    assert approved.state == S.SIGNED
    version = approved.frozen_version()
    assert version.number == 2 and version.signatures.in_force().count() == 3
    assert Signature.objects.voided().get(version__agreement=approved).signer == world.initiative_signer1
    # The signed PDF's trail lists the refusal, and the signature before it as void.
    trail = [(row.who, row.what, row.note) for row in build_context(version)["trail"]]
    signed_by = str(AuditAction.SIGNED_BY.label)
    assert ("Bea Bestuur", f"{signed_by} (vervallen)", "Getekend voor Buurtwarmte Test-Oost") in trail
    assert (
        "Wendy Wethouder",
        "ondertekening geweigerd",
        f"{REASON}\n1 verzamelde handtekening is vervallen.",
    ) in trail


# --- the API -------------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_action_mirrors_the_others(world, approved):
    url = f"/api/v1/agreements/{approved.reference}/decline/"
    assert api(world.outsider).post(url, {"reason": REASON}).status_code == 404
    refused = api(world.drafter).post(url, {"reason": REASON})
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert api(world.drafter).post(url, {}).status_code == 403  # permission before the reason
    missing = api(world.municipal_signer).post(url, {"reason": " "}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"reason": ["Schrijf op waarom u niet tekent."]}
    assert api(world.municipal_signer).post(url, {}, format="json").status_code == 400

    done = api(world.municipal_signer).post(url, {"reason": REASON}, format="json")
    assert done.status_code == 200 and done.json()["state"] == S.DRAFT
    again = api(world.initiative_signer2).post(url, {"reason": REASON}, format="json")
    assert again.status_code == 409 and again.json()["state"] == S.DRAFT
    timeline = api(world.drafter).get(f"/api/v1/agreements/{approved.reference}/timeline/").json()
    assert [(e["action"], e["note"]) for e in timeline if e["action"] == AuditAction.DECLINED_TO_SIGN] == [
        (AuditAction.DECLINED_TO_SIGN, REASON)
    ]


def test_the_schema_has_the_decline_action_and_stays_valid(tmp_path):
    import yaml
    from django.core.management import call_command

    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    operation = schema["paths"]["/api/v1/agreements/{reference}/decline/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "reason" in schema["components"]["schemas"][body]["properties"]
