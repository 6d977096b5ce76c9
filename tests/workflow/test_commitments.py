"""Commitments after signing: made at the last signature, updated by the responsible party only, every change in
the log, carried over by an amendment, and never a change to the signed version."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agreements.choices import (
    AgreementState,
    AuditAction,
    CommitmentKind,
    CommitmentStatus,
    DecisionOutcome,
    ResponsibleParty,
)
from agreements.models import Agreement, AuditEvent, Commitment, CommitmentUpdate, User
from tests.documents.helpers import PASSWORD, meta, signed_agreement
from workflow.after_signing.ownership import decision_responsible, task_responsible
from workflow.after_signing.selectors.commitments import suggests_evaluation, waiting_commitments_for
from workflow.after_signing.services.commitments import commitment_update, decision_record
from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from workflow.lifecycle.services.amendments import agreement_amend
from workflow.lifecycle.services.drafting import agreement_update_draft
from workflow.lifecycle.services.review import agreement_approve, agreement_submit
from workflow.lifecycle.services.signing import agreement_sign
from workflow.notifications.policy import Policy

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def task(agreement: Agreement, title: str) -> Commitment:
    return Commitment.objects.get(agreement=agreement, kind=CommitmentKind.TASK, title=title)


def decision(agreement: Agreement, title: str) -> Commitment:
    return Commitment.objects.get(agreement=agreement, kind=CommitmentKind.DECISION, title=title)


@pytest.fixture
def signed(world):
    return signed_agreement(world)


# --- who keeps what up to date -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("initiative", "municipality", "third", "owner", "expected"),
    [
        ("R", "I", [], None, ResponsibleParty.INITIATIVE),
        ("C", "R", [], None, ResponsibleParty.MUNICIPALITY),
        ("R", "R", [], None, ResponsibleParty.BOTH),
        ("C", "A", [], None, ResponsibleParty.MUNICIPALITY),  # no R: the A
        ("A", "A", [], None, ResponsibleParty.BOTH),
        ("I", "C", ["R"], None, ResponsibleParty.INITIATIVE),  # a third party's R: who keeps up the relationship
        ("I", "C", ["R"], ResponsibleParty.MUNICIPALITY, ResponsibleParty.MUNICIPALITY),
        ("C", "I", ["A"], None, ResponsibleParty.INITIATIVE),
        ("A", "C", ["R"], None, ResponsibleParty.INITIATIVE),  # an R anywhere comes before an A
        ("C", "A", ["R"], None, ResponsibleParty.INITIATIVE),
        ("", "", [], None, ResponsibleParty.BOTH),  # nobody R or A: both
    ],
)
def test_a_task_belongs_to_the_party_marked_r_then_a(initiative, municipality, third, owner, expected):
    assert (
        task_responsible(
            initiative_role=initiative, municipality_role=municipality, third_party_roles=third, third_party_owner=owner
        )
        == expected
    )


def test_a_decision_belongs_to_the_party_whose_body_decides():
    assert decision_responsible(deciding_body="council") == ResponsibleParty.MUNICIPALITY
    assert decision_responsible(deciding_body="college") == ResponsibleParty.MUNICIPALITY
    assert decision_responsible(deciding_body="members_meeting") == ResponsibleParty.INITIATIVE
    assert decision_responsible(deciding_body="initiative_board") == ResponsibleParty.INITIATIVE
    assert decision_responsible(deciding_body="steering_group") == ResponsibleParty.BOTH
    assert (
        decision_responsible(deciding_body="steering_group", deciding_party=ResponsibleParty.MUNICIPALITY)
        == ResponsibleParty.MUNICIPALITY
    )


def test_the_last_signature_makes_one_commitment_per_task_and_decision_moment(signed):
    version = signed.frozen_version()
    commitments = list(Commitment.objects.filter(agreement=signed))
    tasks = [c for c in commitments if c.kind == CommitmentKind.TASK]
    decisions = [c for c in commitments if c.kind == CommitmentKind.DECISION]
    assert [c.title for c in tasks] == list(version.responsibilities.values_list("task", flat=True))
    assert [c.title for c in decisions] == list(version.decision_moments.values_list("title", flat=True))
    assert {c.status for c in commitments} == {CommitmentStatus.PLANNED}
    assert all(c.version_id == version.pk for c in commitments)
    assert task(signed, "Bewonersavonden organiseren").responsible == ResponsibleParty.INITIATIVE
    assert task(signed, "Officiële brief aan alle bewoners").responsible == ResponsibleParty.MUNICIPALITY
    assert task(signed, "Intentieovereenkomst tekenen").responsible == ResponsibleParty.BOTH
    assert task(signed, "Netcapaciteit en uitfaseren gasnet").responsible == ResponsibleParty.INITIATIVE  # Enexis R
    go = decision(signed, "Go/no-go na de haalbaarheidsstudie")
    assert (go.responsible, go.signed_date, go.planned_date) == (
        ResponsibleParty.MUNICIPALITY,
        dt.date(2027, 3, 1),
        dt.date(2027, 3, 1),
    )
    assert decision(signed, "Oprichten warmtecoöperatie").responsible == ResponsibleParty.INITIATIVE


# --- updates by role -----------------------------------------------------------------------------------


def test_only_the_responsible_partys_members_update_and_advisors_read_only(world, signed):
    from workflow.lifecycle.services.advisors import advisor_grant

    advisor_grant(agreement=signed, actor=world.drafter, advisor=world.advisor_org)
    evenings = task(signed, "Bewonersavonden organiseren")  # the initiative's
    letter = task(signed, "Officiële brief aan alle bewoners")  # the municipality's
    for person in (world.reviewer, world.municipal_signer, world.advisor):
        with pytest.raises(NotPermitted):
            commitment_update(commitment=evenings, actor=person, status=CommitmentStatus.IN_PROGRESS)
    for person in (world.drafter, world.advisor):
        with pytest.raises(NotPermitted):
            commitment_update(commitment=letter, actor=person, status=CommitmentStatus.IN_PROGRESS)
    with pytest.raises(NotFound):
        commitment_update(commitment=evenings, actor=world.outsider, status=CommitmentStatus.IN_PROGRESS)
    # Any member of the responsible party, whatever their role.
    commitment_update(commitment=evenings, actor=world.initiative_signer1, status=CommitmentStatus.IN_PROGRESS)
    commitment_update(commitment=letter, actor=world.reviewer2, status=CommitmentStatus.IN_PROGRESS)
    both = task(signed, "Intentieovereenkomst tekenen")
    commitment_update(commitment=both, actor=world.drafter, status=CommitmentStatus.IN_PROGRESS)
    commitment_update(commitment=both, actor=world.reviewer, status=CommitmentStatus.DONE, note="Getekend.")
    assert Commitment.objects.get(pk=both.pk).status == CommitmentStatus.DONE


def test_a_suspended_initiatives_members_update_nothing(world, signed):
    signed.initiative.suspended_at = timezone.now()
    signed.initiative.save(update_fields=["suspended_at"])
    drafter = User.objects.get(pk=world.drafter.pk)  # as the next request reads them
    with pytest.raises(NotPermitted):
        commitment_update(
            commitment=task(signed, "Bewonersavonden organiseren"),
            actor=drafter,
            status=CommitmentStatus.IN_PROGRESS,
        )


def test_every_change_is_a_note_and_an_audit_event_and_the_signed_version_never_changes(world, signed):
    version = signed.frozen_version()
    signed_bytes, signed_hash = version.canonical_json, version.content_hash
    before = AuditEvent.objects.filter(agreement=signed).count()
    evenings = task(signed, "Bewonersavonden organiseren")
    commitment_update(
        commitment=evenings,
        actor=world.drafter,
        status=CommitmentStatus.IN_PROGRESS,
        planned_date=TODAY + dt.timedelta(days=30),
        note="Eerste avond in het buurthuis.",
        evidence_url="https://example.org/verslag-1",
        request_meta=meta("192.0.2.10"),
    )
    commitment_update(
        commitment=evenings, actor=world.drafter, status=CommitmentStatus.DONE, actual_date=TODAY - dt.timedelta(days=1)
    )
    commitment_update(
        commitment=task(signed, "Onderzoek warmtebron (aquathermie)"),
        actor=world.drafter,
        status=CommitmentStatus.POSTPONED,
        planned_date=TODAY + dt.timedelta(days=90),
        note="Wacht op gegevens van het waterschap.",
    )
    commitment_update(
        commitment=task(signed, "Aanbesteding aannemer"),
        actor=world.drafter,
        status=CommitmentStatus.LAPSED,
        note="De gemeente besteedt zelf aan.",
    )
    decision_record(
        commitment=decision(signed, "Go/no-go na de haalbaarheidsstudie"),
        actor=world.reviewer,
        outcome=DecisionOutcome.ADJUSTED,
        decided_on=TODAY,
        note="Ja, met een kleinere eerste fase.",
    )
    decision_record(
        commitment=decision(signed, "Oprichten warmtecoöperatie"),
        actor=world.drafter,
        outcome=DecisionOutcome.POSTPONED,
        new_date=TODAY + dt.timedelta(days=40),
    )
    events = list(AuditEvent.objects.filter(agreement=signed).order_by("pk")[before:])
    assert [e.action for e in events] == [AuditAction.COMMITMENT_UPDATED] * 4 + [AuditAction.DECISION_RECORDED] * 2
    assert events[0].ip_address == "192.0.2.10" and events[0].note == "Bewonersavonden organiseren"
    assert CommitmentUpdate.objects.filter(commitment__agreement=signed).count() == 6
    evenings.refresh_from_db()
    assert (evenings.status, evenings.actual_date, evenings.updated_by) == (
        CommitmentStatus.DONE,
        TODAY - dt.timedelta(days=1),
        world.drafter,
    )
    first = evenings.updates.first()
    assert (first.note, first.evidence_url) == ("Eerste avond in het buurthuis.", "https://example.org/verslag-1")
    version.refresh_from_db()
    assert (version.canonical_json, version.content_hash) == (signed_bytes, signed_hash)


def test_bad_input_is_refused_with_a_reason_and_nothing_changes(world, signed):
    evenings = task(signed, "Bewonersavonden organiseren")
    cases = [
        ({"status": "finished"}, "status"),
        ({"status": CommitmentStatus.DONE, "actual_date": TODAY + dt.timedelta(days=1)}, "actual_date"),
        ({"status": CommitmentStatus.POSTPONED}, "planned_date"),
        ({"status": CommitmentStatus.LAPSED}, "note"),
        ({"status": CommitmentStatus.PLANNED}, "note"),  # nothing changed, nothing said
        ({"status": CommitmentStatus.IN_PROGRESS, "evidence_url": "javascript:alert(1)"}, "evidence_url"),
        ({"status": CommitmentStatus.IN_PROGRESS, "evidence_url": "ftp://example.org/x"}, "evidence_url"),
    ]
    for arguments, field in cases:
        with pytest.raises(InvalidInput) as raised:
            commitment_update(commitment=evenings, actor=world.drafter, **arguments)
        assert field in raised.value.errors, arguments
    go = decision(signed, "Go/no-go na de haalbaarheidsstudie")
    with pytest.raises(InvalidInput) as raised:
        commitment_update(commitment=go, actor=world.reviewer, status=CommitmentStatus.DONE)
    assert "status" in raised.value.errors
    for arguments, field in (
        ({"outcome": DecisionOutcome.POSTPONED}, "new_date"),
        ({"outcome": DecisionOutcome.POSTPONED, "new_date": TODAY}, "new_date"),
        ({"outcome": DecisionOutcome.YES, "decided_on": TODAY + dt.timedelta(days=2)}, "decided_on"),
        ({"outcome": "maybe"}, "outcome"),
    ):
        with pytest.raises(InvalidInput) as raised:
            decision_record(commitment=go, actor=world.reviewer, **arguments)
        assert field in raised.value.errors, arguments
    with pytest.raises(InvalidInput):
        decision_record(commitment=evenings, actor=world.drafter, outcome=DecisionOutcome.YES)
    assert not CommitmentUpdate.objects.filter(commitment__agreement=signed).exists()
    assert set(Commitment.objects.filter(agreement=signed).values_list("status", flat=True)) == {"planned"}


def test_a_stale_form_is_a_conflict(world, signed):
    evenings = task(signed, "Bewonersavonden organiseren")
    read_at = evenings.updated_at
    commitment_update(commitment=evenings, actor=world.drafter, status=CommitmentStatus.IN_PROGRESS, read_at=read_at)
    with pytest.raises(Conflict):
        commitment_update(
            commitment=evenings, actor=world.initiative_admin, status=CommitmentStatus.DONE, read_at=read_at
        )
    assert Commitment.objects.get(pk=evenings.pk).status == CommitmentStatus.IN_PROGRESS


def test_a_no_or_a_long_postponement_suggests_an_evaluation(world, signed):
    policy = Policy(decision_slip_days=60)
    go = decision(signed, "Go/no-go na de haalbaarheidsstudie")
    assert not suggests_evaluation(go, policy)
    go = decision_record(commitment=go, actor=world.reviewer, outcome=DecisionOutcome.NO, note="Te duur.")
    assert suggests_evaluation(go, policy)
    coop = decision(signed, "Oprichten warmtecoöperatie")  # signed for 2027-06-15
    coop = decision_record(
        commitment=coop, actor=world.drafter, outcome=DecisionOutcome.POSTPONED, new_date=dt.date(2027, 8, 1)
    )
    assert coop.slipped_days == 47 and not suggests_evaluation(coop, policy)
    coop = decision_record(
        commitment=coop, actor=world.drafter, outcome=DecisionOutcome.POSTPONED, new_date=dt.date(2027, 9, 1)
    )
    assert coop.slipped_days == 78 and suggests_evaluation(coop, policy)


def test_a_superseded_agreements_commitments_are_history(world, signed):
    amendment = sign_amendment(world, signed)
    assert amendment.state == AgreementState.SIGNED
    with pytest.raises(Conflict):
        commitment_update(
            commitment=task(signed, "Subsidieaanvraag opstellen"), actor=world.drafter, status=CommitmentStatus.DONE
        )


# --- an amendment carries the open ones over --------------------------------------------------------------


def sign_amendment(world, original: Agreement, *, change_rows=None) -> Agreement:
    amendment = agreement_amend(agreement=original, actor=world.drafter)
    version = amendment.current_version()
    if change_rows is not None:
        rows = [r.content_values() for r in version.responsibilities.all()]
        moments = [
            {f: getattr(d, f) for f in ("title", "planned_date", "deciding_body", "instrument")}
            for d in version.decision_moments.all()
        ]
        rows, moments = change_rows(rows, moments)
        agreement_update_draft(
            agreement=amendment,
            actor=world.drafter,
            based_on_revision=version.revision,
            responsibilities=rows,
            decision_moments=moments,
        )
    agreement_submit(agreement=amendment, actor=world.drafter)
    agreement_approve(agreement=amendment, actor=world.reviewer)
    content_hash = Agreement.objects.get(pk=amendment.pk).frozen_version().content_hash
    for signer in (world.initiative_signer1, world.initiative_signer2, world.municipal_signer):
        agreement_sign(
            agreement=amendment, actor=signer, content_hash=content_hash, password=PASSWORD, authority_confirmed=True
        )
    return Agreement.objects.get(pk=amendment.pk)


def test_an_amendment_carries_open_commitments_over_where_task_and_phase_match(world, signed):
    commitment_update(
        commitment=task(signed, "Haalbaarheidsstudie warmtenet"),
        actor=world.drafter,
        status=CommitmentStatus.IN_PROGRESS,
        planned_date=dt.date(2027, 2, 1),
        note="Bureau gekozen.",
        evidence_url="https://example.org/opdracht",
    )
    commitment_update(
        commitment=task(signed, "Bewonersavonden organiseren"), actor=world.drafter, status=CommitmentStatus.DONE
    )
    commitment_update(
        commitment=task(signed, "Onderzoek warmtebron (aquathermie)"),
        actor=world.drafter,
        status=CommitmentStatus.IN_PROGRESS,
        note="Gestart.",
    )
    decision_record(
        commitment=decision(signed, "Oprichten warmtecoöperatie"),
        actor=world.drafter,
        outcome=DecisionOutcome.POSTPONED,
        new_date=TODAY + dt.timedelta(days=20),
        note="ALV verschoven.",
    )

    def change(rows, moments):
        for row in rows:
            if row["task"] == "Onderzoek warmtebron (aquathermie)":
                row["phase"] = "realisation"  # the same task in another phase: no match
            if row["task"] == "Subsidieaanvraag opstellen":
                row["task"] = "  subsidieaanvraag   OPSTELLEN "  # case and spaces do not count
        rows = [r for r in rows if r["task"] != "Aanbesteding aannemer"]  # gone from the amendment
        return rows, moments

    amendment = sign_amendment(world, signed, change_rows=change)
    study = task(amendment, "Haalbaarheidsstudie warmtenet")
    assert (study.status, study.planned_date) == (CommitmentStatus.IN_PROGRESS, dt.date(2027, 2, 1))
    assert study.carried_from_id == task(signed, "Haalbaarheidsstudie warmtenet").pk
    assert [(u.note, u.evidence_url) for u in study.updates.all()] == [
        ("Bureau gekozen.", "https://example.org/opdracht")
    ]
    coop = decision(amendment, "Oprichten warmtecoöperatie")
    # The amendment names the signed date again; the postponement and its note carry over.
    assert (coop.status, coop.outcome) == (CommitmentStatus.POSTPONED, DecisionOutcome.POSTPONED)
    assert [u.note for u in coop.updates.all()] == ["ALV verschoven."]
    # Done ones are history, not carried: the amendment's row starts planned.
    assert task(amendment, "Bewonersavonden organiseren").status == CommitmentStatus.PLANNED
    assert task(amendment, "Bewonersavonden organiseren").carried_from_id is None
    source = Commitment.objects.get(agreement=amendment, title__startswith="  subsidie")
    assert source.carried_from_id == task(signed, "Subsidieaanvraag opstellen").pk
    # The rest of the original's open ones lapse, with a note naming the amendment.
    heat = task(signed, "Onderzoek warmtebron (aquathermie)")
    tender = task(signed, "Aanbesteding aannemer")
    for lapsed in (heat, tender):
        assert lapsed.status == CommitmentStatus.LAPSED
        assert amendment.reference in lapsed.updates.last().note
    assert task(amendment, "Onderzoek warmtebron (aquathermie)").status == CommitmentStatus.PLANNED
    assert AuditEvent.objects.filter(
        agreement=signed, action=AuditAction.COMMITMENTS_CARRIED_OVER, note=amendment.reference
    ).exists()


# --- what waits on whom --------------------------------------------------------------------------------


def test_overdue_tasks_and_due_decisions_wait_on_the_responsible_party(world, signed):
    commitment_update(
        commitment=task(signed, "Bewonersavonden organiseren"),
        actor=world.drafter,
        status=CommitmentStatus.IN_PROGRESS,
        planned_date=TODAY - dt.timedelta(days=3),
    )
    Commitment.objects.filter(pk=decision(signed, "Go/no-go na de haalbaarheidsstudie").pk).update(planned_date=TODAY)
    drafter = waiting_commitments_for(world.drafter)
    assert [(w.agreement_id, w.tasks, w.decisions) for w in drafter] == [(signed.pk, 1, 0)]
    reviewer = waiting_commitments_for(world.reviewer)
    assert [(w.agreement_id, w.tasks, w.decisions, w.earliest_decision) for w in reviewer] == [(signed.pk, 0, 1, TODAY)]
    assert waiting_commitments_for(world.advisor) == []
    assert waiting_commitments_for(world.outsider) == []


# --- reminders for decision moments ----------------------------------------------------------------------


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _decision_reminders(now: dt.datetime) -> list[tuple[str, str, str]]:
    from workflow.notifications.reminders import due_reminders

    return sorted(
        (item.kind, item.recipient.email, item.context["decision"])
        for item in due_reminders(now=now)
        if item.kind.startswith("decision")
    )


def test_a_decision_moment_reminds_its_deciding_party_before_and_after_its_date_once_per_period(world, signed):
    from workflow.models import Notification
    from workflow.notifications.reminders import send_due_reminders
    from workflow.notifications.rendering import render_email

    go_date = dt.date(2027, 3, 1)  # the college decides: the municipality's reviewers are reminded
    go = "Go/no-go na de haalbaarheidsstudie"
    reviewers = ["reviewer2@example.org", "reviewer@example.org"]
    assert _decision_reminders(_at(go_date - dt.timedelta(days=15))) == []
    before = _at(go_date - dt.timedelta(days=14))
    assert _decision_reminders(before) == [("decision_due", email, go) for email in reviewers]
    assert send_due_reminders(now=before) == 2
    assert send_due_reminders(now=_at(go_date - dt.timedelta(days=3))) == 0  # once before the date
    mail = render_email(Notification.objects.filter(event="reminder_decision_due").first())
    assert "Besluitmoment komt eraan" in mail.subject
    assert f"/afspraken/{signed.reference}/uitvoering/" in mail.body
    assert go in mail.body
    # After the date without an outcome: once a period (7 days).
    assert send_due_reminders(now=_at(go_date + dt.timedelta(days=1))) == 2
    assert send_due_reminders(now=_at(go_date + dt.timedelta(days=5))) == 0
    assert [k for k, _e, _d in _decision_reminders(_at(go_date + dt.timedelta(days=8)))] == ["decision_overdue"] * 2
    # The ALV is the initiative's: its drafter is reminded, nobody at the municipality.
    alv_date = dt.date(2027, 6, 15)
    assert _decision_reminders(_at(alv_date - dt.timedelta(days=2))) == [
        ("decision_due", "drafter@example.org", "Oprichten warmtecoöperatie")
    ] + [("decision_overdue", email, go) for email in reviewers]


def test_an_outcome_stops_the_reminders_and_a_postponement_reminds_again_before_the_new_date(world, signed):
    go = decision(signed, "Go/no-go na de haalbaarheidsstudie")
    Commitment.objects.filter(pk=go.pk).update(planned_date=TODAY - dt.timedelta(days=2))  # the date has passed
    now = timezone.now()
    assert [k for k, _e, _d in _decision_reminders(now)] == ["decision_overdue"] * 2
    decision_record(
        commitment=go, actor=world.reviewer, outcome=DecisionOutcome.POSTPONED, new_date=TODAY + dt.timedelta(days=20)
    )
    assert _decision_reminders(now) == []
    assert _decision_reminders(now + dt.timedelta(days=5)) == []
    assert [k for k, _e, _d in _decision_reminders(now + dt.timedelta(days=6))] == ["decision_due"] * 2
    decision_record(commitment=go, actor=world.reviewer, outcome=DecisionOutcome.YES, note="Besloten in het college.")
    assert _decision_reminders(now + dt.timedelta(days=30)) == []


def test_the_drafters_choices_decide_who_keeps_a_third_partys_task_and_records_a_decision(world):
    def choose(draft: Agreement) -> None:
        version = draft.current_version()
        rows = [r.content_values() for r in version.responsibilities.all()]
        for row in rows:
            if row["task"] == "Netcapaciteit en uitfaseren gasnet":  # Enexis is R
                row["third_party_owner"] = ResponsibleParty.MUNICIPALITY
        moments = [d.content_values() for d in version.decision_moments.all()]
        moments[1]["deciding_party"] = ResponsibleParty.BOTH  # the ALV's decision, recorded by either party
        agreement_update_draft(
            agreement=draft,
            actor=world.drafter,
            based_on_revision=version.revision,
            responsibilities=rows,
            decision_moments=moments,
            escalation_steps=[{"level": "Stuurgroep", "involved": "", "days": 28}],
        )

    signed = signed_agreement(world, prepare=choose)
    assert task(signed, "Netcapaciteit en uitfaseren gasnet").responsible == ResponsibleParty.MUNICIPALITY
    assert task(signed, "Toezegging huurwoningen").responsible == ResponsibleParty.INITIATIVE  # not chosen: initiative
    assert decision(signed, "Oprichten warmtecoöperatie").responsible == ResponsibleParty.BOTH
    assert [(e.level, e.days) for e in signed.frozen_version().escalation_steps.all()] == [("Stuurgroep", 28)]
