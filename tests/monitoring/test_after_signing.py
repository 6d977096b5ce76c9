"""The overview after signing: every figure equals what was done by hand, through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from agreements.choices import CommitmentKind, CommitmentStatus, DecisionOutcome, EvaluationReason
from agreements.models import Agreement, Commitment
from agreements.sections import SECTION_ORDER
from tests.documents.helpers import draft_agreement, signed_agreement
from workflow.after_signing.services.commitments import commitment_update, decision_record
from workflow.after_signing.services.escalations import escalation_raise
from workflow.after_signing.services.evaluations import evaluation_answer, evaluation_start, evaluations_start_due
from workflow.lifecycle.services.advisors import advisor_grant
from workflow.lifecycle.services.review import agreement_approve, agreement_submit
from workflow.lifecycle.services.signing import agreement_decline_to_sign
from workflow.monitoring.after_signing import commitment_figures, declined_signatures, evaluation_figures
from workflow.monitoring.statistics import monitored_agreements, stalled_agreements

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def c(agreement, title) -> Commitment:
    return Commitment.objects.get(agreement=agreement, title=title)


@pytest.fixture
def story(world):
    signed = signed_agreement(world)
    commitment_update(commitment=c(signed, "Bewonersavonden organiseren"), actor=world.drafter, status="done")
    commitment_update(
        commitment=c(signed, "Haalbaarheidsstudie warmtenet"),
        actor=world.drafter,
        status="in_progress",
        planned_date=TODAY - dt.timedelta(days=10),
    )
    commitment_update(
        commitment=c(signed, "Onderzoek warmtebron (aquathermie)"),
        actor=world.drafter,
        status="postponed",
        planned_date=TODAY + dt.timedelta(days=30),
    )
    decision_record(commitment=c(signed, "Go/no-go na de haalbaarheidsstudie"), actor=world.reviewer, outcome="yes")
    decision_record(
        commitment=c(signed, "Oprichten warmtecoöperatie"),
        actor=world.drafter,
        outcome=DecisionOutcome.POSTPONED,
        new_date=dt.date(2027, 9, 1),
    )
    Commitment.objects.filter(agreement=signed, title="Wijk opnemen in het warmteprogramma").update(
        planned_date=TODAY - dt.timedelta(days=3)
    )
    evaluation = evaluation_start(agreement=signed, actor=world.drafter, reason=EvaluationReason.REQUEST)
    scores = {key: {"score": 4} for key in SECTION_ORDER} | {"communication": {"score": 2}}
    evaluation_answer(evaluation=evaluation, actor=world.drafter, answers=scores, send=True)
    evaluation_answer(
        evaluation=evaluation, actor=world.reviewer, answers={key: {"score": 3} for key in SECTION_ORDER}, send=True
    )
    escalation_raise(agreement=signed, actor=world.reviewer, subject="Bijdrage aan de studie")

    declined = draft_agreement(world, title="Warmte voor Holtenbroek")
    agreement_submit(agreement=declined, actor=world.drafter)
    agreement_approve(agreement=declined, actor=world.reviewer)
    agreement_decline_to_sign(agreement=declined, actor=world.municipal_signer, reason="De bijdrage is te laag.")
    for agreement in (signed, declined):
        advisor_grant(agreement=agreement, actor=world.drafter, advisor=world.advisor_org)
    return signed


def test_commitments_and_decision_moments_equal_the_hand_count(world, story):
    figures = commitment_figures(monitored_agreements(world.advisor), today=TODAY)
    assert figures.tasks == {"open": 11, "overdue": 1, "done": 1, "total": 12}
    assert figures.by_phase == {
        "orientation": {"open": 3, "overdue": 0, "done": 1, "total": 4},
        "development": {"open": 5, "overdue": 1, "done": 0, "total": 5},
        "realisation": {"open": 2, "overdue": 0, "done": 0, "total": 2},
        "operation": {"open": 1, "overdue": 0, "done": 0, "total": 1},
    }
    assert figures.by_municipality == {world.municipality.pk: {"open": 11, "overdue": 1, "done": 1, "total": 12}}
    assert figures.decisions == {
        "on_time": 1,
        "taken_late": 0,
        "postponed": 1,
        "overdue": 1,
        "planned": 0,
        "lapsed": 0,
    }
    assert (figures.taken, figures.slipped) == (1, 2)
    # A decision taken after its signed date is late.
    Commitment.objects.filter(agreement=story, kind=CommitmentKind.DECISION, outcome="yes").update(
        signed_date=TODAY - dt.timedelta(days=1)
    )
    figures = commitment_figures(monitored_agreements(world.advisor), today=TODAY)
    assert (figures.decisions["on_time"], figures.decisions["taken_late"], figures.slipped) == (0, 1, 3)


def test_evaluations_declines_and_their_scores_equal_the_hand_count(world, story):
    agreements = monitored_agreements(world.advisor)
    figures = evaluation_figures(agreements, today=TODAY)
    assert (figures.completed, figures.running, figures.overdue, figures.missed) == (1, 0, 0, 0)
    scores = {title: (average, n) for title, average, n in figures.scores}
    assert len(scores) == len(SECTION_ORDER)
    assert scores["Communicatie met bewoners"] == (2.5, 2)
    assert scores["Doel en ambitie"] == (3.5, 2)
    # The evaluation date passed without an evaluation for it: missed, until the daily task starts one.
    Agreement.objects.filter(pk=story.pk).update(evaluation_date=TODAY - dt.timedelta(days=1))
    assert evaluation_figures(agreements, today=TODAY).missed == 1
    assert evaluations_start_due(today=TODAY) == 1
    figures = evaluation_figures(agreements, today=TODAY)
    assert (figures.missed, figures.running, figures.overdue) == (0, 1, 0)
    assert evaluation_figures(agreements, today=TODAY + dt.timedelta(days=31)).overdue == 1
    count, latest = declined_signatures(agreements)
    assert count == 1 and latest[0].note == "De bijdrage is te laag."


def test_a_signed_agreement_whose_commitments_stopped_moving_is_stalled(world, story):
    agreements = monitored_agreements(world.advisor)
    assert story.pk not in {a.pk for a in stalled_agreements(agreements)}
    long_ago = timezone.now() - dt.timedelta(days=200)
    Agreement.objects.filter(pk=story.pk).update(signed_at=long_ago)
    Commitment.objects.filter(agreement=story).update(updated_at=long_ago)
    stalled = {a.pk: a for a in stalled_agreements(agreements)}
    assert story.pk in stalled and stalled[story.pk].commitments_moved_at == long_ago
    # One update and it moves again.
    commitment_update(
        commitment=c(story, "Subsidieaanvraag opstellen"), actor=world.drafter, status=CommitmentStatus.IN_PROGRESS
    )
    assert story.pk not in {a.pk for a in stalled_agreements(agreements)}


def test_the_overview_page_tells_the_story(client, world, story):
    cache.clear()
    client.force_login(world.advisor)
    html = " ".join(client.get(reverse("monitoring:overview")).content.decode().split())
    assert "Na de ondertekening" in html
    assert "<dt>Taken te laat</dt><dd>1</dd>" in html
    assert "<dt>Besluitmomenten opgeschoven</dt><dd>2</dd>" in html
    assert "<dt>Evaluaties afgerond</dt><dd>1</dd>" in html
    assert "<dt>Ondertekening geweigerd</dt><dd>1</dd>" in html
    assert "<dt>Open escalaties</dt><dd>1</dd>" in html
    assert "De bijdrage is te laag." in html and "Bijdrage aan de studie" in html
    assert f'href="/afspraken/{story.reference}/escalaties/' in html


def test_the_commitments_csv_lists_every_commitment_with_the_filters(client, world, story):
    import csv
    import io

    client.force_login(world.advisor)
    response = client.get(reverse("monitoring:export_commitments_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 15  # 12 tasks and 3 decision moments of the one signed agreement
    study = next(row for row in rows if row["commitment"] == "Haalbaarheidsstudie warmtenet")
    assert (study["reference"], study["status"], study["overdue"], study["responsible"]) == (
        story.reference,
        "in_progress",
        "1",
        "initiative",
    )
    other = client.get(reverse("monitoring:export_commitments_csv") + "?state=draft")
    assert len(list(csv.DictReader(io.StringIO(b"".join(other.streaming_content).decode())))) == 0


def test_the_api_gives_the_same_figures_after_signing(world, story):
    from tests.workflow.test_api_monitoring import as_token

    cache.clear()
    figures = as_token(world.advisor).get("/api/v1/monitoring/").json()["after_signing"]
    assert figures["tasks"] == {"open": 11, "overdue": 1, "done": 1, "total": 12}
    assert figures["tasks_by_phase"]["development"] == {"open": 5, "overdue": 1, "done": 0, "total": 5}
    assert figures["decision_moments"]["postponed"] == 1 and figures["decision_moments"]["overdue"] == 1
    assert figures["evaluations"]["completed"] == 1
    assert figures["evaluations"]["average_score"]["communication"] == 2.5
    assert (figures["declined_signatures"], figures["open_escalations"]) == (1, 1)
