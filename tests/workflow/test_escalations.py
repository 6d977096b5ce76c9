"""Escalations follow the agreed ladder: raised by a party, each step ended solved or up to the next one, reminders
once when a step's time runs out, the history kept on the agreement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agreements.choices import AuditAction, EscalationStatus
from agreements.models import Agreement, AuditEvent, Escalation
from tests.documents.helpers import LADDER, agreeing_a_ladder, signed_agreement
from workflow.after_signing.services.escalations import escalation_raise, escalation_step_end
from workflow.core.exceptions import Conflict, InvalidInput, NotPermitted
from workflow.lifecycle.services.advisors import advisor_grant
from workflow.notifications.reminders import due_reminders, send_due_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(world):
    agreement = signed_agreement(world, prepare=agreeing_a_ladder(world))
    advisor_grant(agreement=agreement, actor=world.drafter, advisor=world.advisor_org)
    return agreement


def step_reminders(now=None) -> list[tuple[str, str]]:
    return sorted(
        (item.recipient.email, item.context["level"])
        for item in due_reminders(now=now)
        if item.kind == "escalation_step_due"
    )


def run_out(escalation: Escalation) -> None:
    """Let the current step's time run out (started longer ago than its term)."""
    days = escalation.ladder[escalation.step]["days"]
    Escalation.objects.filter(pk=escalation.pk).update(step_started_at=timezone.now() - dt.timedelta(days=days + 1))


def test_an_escalation_walks_two_steps_of_its_ladder_with_reminders_sent_once(world, signed):
    escalation = escalation_raise(
        agreement=signed,
        actor=world.reviewer,
        subject="Bijdrage aan de haalbaarheidsstudie",
        description="De gemeente wil de helft, het initiatief rekende op alles.",
        informed="Projectleiders per e-mail.",
    )
    assert (escalation.step, escalation.ladder, escalation.ladder_agreed) == (0, LADDER, True)
    assert escalation.step_due == timezone.localdate() + dt.timedelta(days=14)
    assert step_reminders() == []  # its time has not run out

    run_out(escalation)
    everyone = ["drafter@example.org", "reviewer2@example.org", "reviewer@example.org"]
    assert step_reminders() == [(email, "Projectteam") for email in everyone]
    assert send_due_reminders() == 3
    assert step_reminders() == []  # once per step
    assert step_reminders(now=timezone.now() + dt.timedelta(days=30)) == []

    escalation = escalation_step_end(
        escalation=escalation,
        actor=world.drafter,
        step=0,
        outcome="Geen overeenstemming in het projectteam.",
        solved=False,
        informed_next="De stuurgroep, per brief.",
    )
    assert (escalation.step, escalation.status) == (1, EscalationStatus.OPEN)
    run_out(escalation)
    assert step_reminders() == [(email, "Stuurgroep") for email in everyone]
    assert send_due_reminders() == 3
    assert step_reminders() == []

    escalation = escalation_step_end(
        escalation=escalation, actor=world.reviewer, step=1, outcome="De stuurgroep besloot: 75 procent.", solved=True
    )
    assert (escalation.status, escalation.closed_at is not None) == (EscalationStatus.RESOLVED, True)
    records = list(escalation.steps.order_by("position"))
    assert [(r.level, r.informed, r.outcome, r.ended_by) for r in records] == [
        ("Projectteam", "Projectleiders per e-mail.", "Geen overeenstemming in het projectteam.", world.drafter),
        ("Stuurgroep", "De stuurgroep, per brief.", "De stuurgroep besloot: 75 procent.", world.reviewer),
    ]
    assert [e.action for e in AuditEvent.objects.filter(agreement=signed, action__startswith="escalation")] == [
        AuditAction.ESCALATION_RAISED,
        AuditAction.ESCALATION_STEPPED_UP,
        AuditAction.ESCALATION_CLOSED,
    ]
    with pytest.raises(Conflict):
        escalation_step_end(escalation=escalation, actor=world.reviewer, step=1, outcome="Nog iets.", solved=True)


def test_past_the_last_step_it_closes_without_a_solution(world, signed):
    escalation = escalation_raise(agreement=signed, actor=world.drafter, subject="Tarieven")
    for step in range(3):
        escalation = escalation_step_end(
            escalation=escalation, actor=world.drafter, step=step, outcome="Geen oplossing.", solved=False
        )
    assert escalation.status == EscalationStatus.UNRESOLVED and escalation.steps.count() == 3


def test_who_may_raise_and_end_a_step_and_a_stale_step_is_a_conflict(world, signed):
    with pytest.raises(NotPermitted):
        escalation_raise(agreement=signed, actor=world.advisor, subject="Iets")
    with pytest.raises(InvalidInput):
        escalation_raise(agreement=signed, actor=world.drafter, subject="  ")
    escalation = escalation_raise(agreement=signed, actor=world.drafter, subject="Planning")
    with pytest.raises(NotPermitted):
        escalation_step_end(escalation=escalation, actor=world.advisor, step=0, outcome="x", solved=True)
    with pytest.raises(InvalidInput):
        escalation_step_end(escalation=escalation, actor=world.reviewer, step=0, outcome=" ", solved=True)
    escalation_step_end(escalation=escalation, actor=world.reviewer, step=0, outcome="Naar boven.", solved=False)
    with pytest.raises(Conflict):  # the form showed step 0
        escalation_step_end(escalation=escalation, actor=world.drafter, step=0, outcome="Opgelost.", solved=True)


def test_an_agreement_signed_without_a_ladder_follows_the_suggested_one(world):
    signed = signed_agreement(world)
    escalation = escalation_raise(agreement=signed, actor=world.drafter, subject="Communicatie")
    assert escalation.ladder_agreed is False
    assert [step["level"] for step in escalation.ladder] == [
        "Projectteam",
        "Stuurgroep",
        "Wethouder en bestuur",
        "Onafhankelijke bemiddelaar",
    ]


def test_evaluating_and_escalating_leave_the_signed_version_as_it_is(world, signed):
    from tests.workflow.test_evaluations import answers
    from workflow.after_signing.services.evaluations import evaluation_answer, evaluation_start

    version = signed.frozen_version()
    signed_bytes, signed_hash = version.canonical_json, version.content_hash
    evaluation = evaluation_start(agreement=signed, actor=world.drafter, reason="request")
    evaluation_answer(evaluation=evaluation, actor=world.drafter, answers=answers(), send=True)
    evaluation_answer(evaluation=evaluation, actor=world.reviewer, answers=answers(), send=True)
    escalation = escalation_raise(agreement=signed, actor=world.drafter, subject="Planning")
    escalation_step_end(escalation=escalation, actor=world.reviewer, step=0, outcome="Opgelost.", solved=True)
    version.refresh_from_db()
    assert (version.canonical_json, version.content_hash) == (signed_bytes, signed_hash)
    assert Agreement.objects.get(pk=signed.pk).state == "signed"
