"""Joint evaluations: started on the evaluation date or by a party, answered by each party on its own, shown side by
side once both sent, reminders to the party that has not answered, and an amendment started from the outcome."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agreements.choices import AgreementState, AuditAction, EvaluationReason, MembershipRole
from agreements.models import Agreement, AuditEvent, Evaluation, Membership, User
from agreements.sections import SECTION_ORDER
from tests.documents.helpers import signed_agreement
from workflow.after_signing.selectors.evaluations import evaluation_view_for, waiting_evaluations_for
from workflow.after_signing.services.evaluations import evaluation_answer, evaluation_start, evaluations_start_due
from workflow.core.exceptions import Conflict, ContentIncomplete, InvalidInput, NotPermitted
from workflow.lifecycle.services.advisors import advisor_grant
from workflow.lifecycle.services.amendments import agreement_amend
from workflow.lifecycle.services.review import agreement_submit
from workflow.notifications.reminders import due_reminders

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def answers(score: int = 4, **changes) -> dict[str, dict]:
    given = {
        key: {"works": f"Over {key}: het overleg loopt goed.", "does_not_work": "", "should_change": "", "score": score}
        for key in SECTION_ORDER
    }
    for key, values in changes.items():
        given[key] = {**given[key], **values}
    return given


@pytest.fixture
def signed(world):
    agreement = signed_agreement(world)
    advisor_grant(agreement=agreement, actor=world.drafter, advisor=world.advisor_org)
    return agreement


@pytest.fixture
def started(world, signed):
    return evaluation_start(agreement=signed, actor=world.drafter, reason=EvaluationReason.PHASE_CHANGE)


def test_a_party_member_starts_one_evaluation_at_a_time(world, signed):
    with pytest.raises(NotPermitted):
        evaluation_start(agreement=signed, actor=world.advisor, reason=EvaluationReason.REQUEST)
    with pytest.raises(InvalidInput):
        evaluation_start(agreement=signed, actor=world.reviewer, reason=EvaluationReason.SCHEDULED)
    evaluation = evaluation_start(
        agreement=signed, actor=world.reviewer, reason=EvaluationReason.DECISION, note="Het college zei nee."
    )
    assert (evaluation.reason, evaluation.started_by, evaluation.version_id) == (
        EvaluationReason.DECISION,
        world.reviewer,
        signed.frozen_version().pk,
    )
    with pytest.raises(Conflict):
        evaluation_start(agreement=signed, actor=world.drafter, reason=EvaluationReason.REQUEST)
    assert AuditEvent.objects.filter(agreement=signed, action=AuditAction.EVALUATION_STARTED).count() == 1


def test_a_draft_is_not_evaluated(world):
    from tests.factories import AgreementFactory

    draft = AgreementFactory(initiative=world.initiative, municipality=world.municipality, created_by=world.drafter)
    with pytest.raises(Conflict):
        evaluation_start(agreement=draft, actor=world.drafter, reason=EvaluationReason.REQUEST)


def test_the_evaluation_date_starts_one_evaluation_once(world, signed):
    Agreement.objects.filter(pk=signed.pk).update(evaluation_date=TODAY + dt.timedelta(days=1))
    assert evaluations_start_due(today=TODAY) == 0
    Agreement.objects.filter(pk=signed.pk).update(evaluation_date=TODAY)
    assert evaluations_start_due(today=TODAY) == 1
    assert evaluations_start_due(today=TODAY + dt.timedelta(days=1)) == 0
    evaluation = Evaluation.objects.get(agreement=signed)
    assert (evaluation.reason, evaluation.scheduled_for, evaluation.started_by) == (
        EvaluationReason.SCHEDULED,
        TODAY,
        None,
    )


def test_each_party_answers_on_its_own_then_both_are_shown_side_by_side(world, signed, started):
    # A draft: saved without scores, seen by the party's own members only.
    evaluation_answer(
        evaluation=started,
        actor=world.drafter,
        answers=answers(score=None, communication={"should_change": "Vaker samen naar buiten."}),
        send=False,
    )
    own = evaluation_view_for(world.initiative_signer1, agreement=signed, pk=started.pk)
    assert own.rows[SECTION_ORDER.index("communication")].answers[0].should_change == "Vaker samen naar buiten."
    other = evaluation_view_for(world.reviewer, agreement=signed, pk=started.pk)
    assert all(row.answers == [None, None] for row in other.rows)
    assert all(
        row.answers == [None, None] for row in evaluation_view_for(world.advisor, agreement=signed, pk=started.pk).rows
    )
    # Sending needs a score for every section.
    with pytest.raises(InvalidInput) as raised:
        evaluation_answer(evaluation=started, actor=world.drafter, answers=answers(score=None), send=True)
    assert set(raised.value.errors) == {f"{key}-score" for key in SECTION_ORDER}
    with pytest.raises(InvalidInput):
        evaluation_answer(evaluation=started, actor=world.drafter, answers=answers(score=6), send=True)
    evaluation_answer(
        evaluation=started,
        actor=world.initiative_signer1,
        answers=answers(communication={"should_change": "Vaker samen naar buiten.", "score": 2}),
        send=True,
    )
    with pytest.raises(Conflict):  # sent is final
        evaluation_answer(evaluation=started, actor=world.drafter, answers=answers(), send=False)
    assert all(
        row.answers == [None, None] for row in evaluation_view_for(world.reviewer, agreement=signed, pk=started.pk).rows
    )
    evaluation_answer(
        evaluation=started,
        actor=world.reviewer,
        answers=answers(score=3, resources={"does_not_work": "Uren zijn op.", "score": 1}),
        send=True,
    )
    started.refresh_from_db()
    assert started.completed_at is not None
    for person in (world.drafter, world.reviewer, world.advisor):
        view = evaluation_view_for(person, agreement=signed, pk=started.pk)
        communication = view.rows[SECTION_ORDER.index("communication")].answers
        assert [a.score for a in communication] == [2, 3]
        resources = view.rows[SECTION_ORDER.index("resources")].answers
        assert resources[1].does_not_work == "Uren zijn op."
    actions = list(
        AuditEvent.objects.filter(agreement=signed, action__startswith="evaluation").values_list("action", "note")
    )
    assert actions == [
        (AuditAction.EVALUATION_STARTED, world.initiative.name),
        (AuditAction.EVALUATION_ANSWERED, world.initiative.name),
        (AuditAction.EVALUATION_ANSWERED, world.municipality.name),
        (AuditAction.EVALUATION_COMPLETED, ""),
    ]
    with pytest.raises(Conflict):
        evaluation_answer(evaluation=started, actor=world.reviewer, answers=answers(), send=True)


def test_advisors_and_members_of_both_parties_do_not_answer(world, signed, started):
    with pytest.raises(NotPermitted):
        evaluation_answer(evaluation=started, actor=world.advisor, answers=answers(), send=True)
    Membership.objects.create(user=world.drafter, organisation=world.municipality, role=MembershipRole.REVIEWER)
    both = User.objects.get(pk=world.drafter.pk)
    with pytest.raises(NotPermitted):
        evaluation_answer(evaluation=started, actor=both, answers=answers(), send=True)


def test_the_party_that_has_not_answered_is_reminded_once_a_period_and_sees_it_waiting(world, signed, started):
    assert waiting_evaluations_for(world.drafter)[0].agreement_id == signed.pk
    assert waiting_evaluations_for(world.reviewer)[0].agreement_id == signed.pk
    assert waiting_evaluations_for(world.advisor) == []
    assert [r for r in due_reminders() if r.kind == "evaluation_answer"] == []  # nobody answered yet
    evaluation_answer(evaluation=started, actor=world.drafter, answers=answers(), send=True)
    assert waiting_evaluations_for(world.drafter) == []
    due = [r for r in due_reminders() if r.kind == "evaluation_answer"]
    assert sorted(r.recipient.email for r in due) == ["reviewer2@example.org", "reviewer@example.org"]
    from workflow.notifications.reminders import send_due_reminders

    assert send_due_reminders() >= 2
    assert [r for r in due_reminders() if r.kind == "evaluation_answer"] == []
    later = [r for r in due_reminders(now=timezone.now() + dt.timedelta(days=7)) if r.kind == "evaluation_answer"]
    assert len(later) == 2
    evaluation_answer(evaluation=started, actor=world.reviewer, answers=answers(), send=True)
    assert [r for r in due_reminders(now=timezone.now() + dt.timedelta(days=14)) if r.kind == "evaluation_answer"] == []


def test_an_amendment_from_the_evaluation_puts_what_should_change_under_its_sections(world, signed, started):
    evaluation_answer(
        evaluation=started,
        actor=world.drafter,
        answers=answers(communication={"should_change": "Vaker samen naar buiten."}),
        send=True,
    )
    evaluation_answer(
        evaluation=started,
        actor=world.reviewer,
        answers=answers(resources={"does_not_work": "De uren zijn op.", "score": 1}),
        send=True,
    )
    started.refresh_from_db()
    amendment = agreement_amend(agreement=signed, actor=world.drafter, evaluation=started)
    started.refresh_from_db()
    assert started.amendment_id == amendment.pk
    version = amendment.current_version()
    bodies = dict(version.sections.values_list("key", "body"))
    signed_bodies = dict(signed.frozen_version().sections.values_list("key", "body"))
    assert bodies["communication"].startswith(signed_bodies["communication"])
    assert "[[Verwerk de evaluatie van" in bodies["communication"]
    assert f"- {world.initiative.name}: Vaker samen naar buiten." in bodies["communication"]
    assert f"- {world.municipality.name}: De uren zijn op." in bodies["resources"]
    assert bodies["aim"] == signed_bodies["aim"]  # nothing to change there
    amendment = Agreement.objects.get(pk=amendment.pk)
    missing = [reason for reason in amendment.missing_for_submission() if "Verwerk de evaluatie" in reason]
    assert len(missing) == 2  # communication and resources
    with pytest.raises(ContentIncomplete):  # the placeholders keep it from being submitted
        agreement_submit(agreement=amendment, actor=world.drafter)
    assert Agreement.objects.get(pk=amendment.pk).state == AgreementState.DRAFT


def test_an_open_evaluation_is_no_starting_point_for_an_amendment(world, signed, started):
    with pytest.raises(Conflict):
        agreement_amend(agreement=signed, actor=world.drafter, evaluation=started)
