"""Reads for the joint evaluations: an agreement's list, one evaluation as a person may see it, what waits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import AgreementState
from agreements.models import Agreement, Evaluation, EvaluationAnswer, EvaluationResponse, Organisation, User
from agreements.sections import SECTION_DEFINITIONS
from workflow.core.access import evaluating_party_for
from workflow.core.exceptions import NotFound
from workflow.core.visibility import memberships_of, visible_agreements


def evaluations_of(agreement: Agreement) -> list[Evaluation]:
    """An agreement's evaluations, newest first, with which parties have sent their answers (two queries)."""
    return list(
        Evaluation.objects.filter(agreement=agreement).prefetch_related("responses").order_by("-started_at", "-pk")
    )


def evaluation_of(agreement: Agreement, pk: int) -> Evaluation | None:
    """One evaluation of an agreement that came from the visibility selector."""
    return Evaluation.objects.filter(agreement=agreement, pk=pk).first()


def open_evaluation_of(agreement: Agreement) -> Evaluation | None:
    return Evaluation.objects.filter(agreement=agreement, completed_at__isnull=True).first()


@dataclass
class SectionRow:
    key: str
    title: str
    # Per party (initiative first): its answer, or None when it gave none (or it is not shown yet).
    answers: list[EvaluationAnswer | None]


@dataclass
class EvaluationView:
    evaluation: Evaluation
    # The party this person answers for (None: an advisor, or a member of both parties).
    party: Organisation | None
    own: EvaluationResponse | None
    other: EvaluationResponse | None
    # Side by side, per section: both parties' answers once the evaluation is complete; before that only one's own.
    rows: list[SectionRow]
    parties: tuple[Organisation, Organisation]

    @property
    def may_answer(self) -> bool:
        return (
            self.evaluation.is_open and self.party is not None and (self.own is None or self.own.submitted_at is None)
        )

    @property
    def own_sent(self) -> bool:
        return self.own is not None and self.own.submitted_at is not None

    @property
    def other_sent(self) -> bool:
        return self.other is not None and self.other.submitted_at is not None


def evaluation_view_for(user: User, *, agreement: Agreement, pk: int) -> EvaluationView:
    """One evaluation of an agreement that came from the visibility selector.

    Each party answers on its own: until the evaluation is complete, a person sees only their own party's answers
    (advisors see none); then both, side by side. Three queries.
    """
    evaluation = Evaluation.objects.filter(agreement=agreement, pk=pk).first()
    if evaluation is None:
        raise NotFound(_("Deze evaluatie bestaat niet."))
    party = evaluating_party_for(user, agreement)
    responses = {
        r.party_id: r for r in EvaluationResponse.objects.filter(evaluation=evaluation).prefetch_related("answers")
    }
    shown = set(responses) if evaluation.completed_at else ({party.pk} if party else set())
    parties = agreement.parties
    rows = []
    for definition in SECTION_DEFINITIONS:
        answers = []
        for organisation in parties:
            response = responses.get(organisation.pk)
            answer = None
            if response is not None and organisation.pk in shown:
                answer = next((a for a in response.answers.all() if a.section_key == definition.key), None)
            answers.append(answer)
        rows.append(SectionRow(key=definition.key, title=str(definition.title), answers=answers))
    other = next((p for p in parties if party is None or p.pk != party.pk), None)
    return EvaluationView(
        evaluation=evaluation,
        party=party,
        own=responses.get(party.pk) if party else None,
        other=responses.get(other.pk) if other is not None and party is not None else None,
        rows=rows,
        parties=parties,
    )


def sections_needing_change(evaluation: Evaluation) -> dict[str, list[tuple[str, str]]]:
    """Per section key: what each party wrote should change, or why it scored the section 1 or 2 ((party, text)).

    What an amendment started from this evaluation puts before its drafters (lifecycle/services/amendments.py).
    """
    needing: dict[str, list[tuple[str, str]]] = {}
    answers = (
        EvaluationAnswer.objects.filter(response__evaluation=evaluation, response__submitted_at__isnull=False)
        .filter(~Q(should_change="") | Q(score__lte=2))
        .select_related("response__party")
        .order_by("response__party__kind", "pk")
    )
    for answer in answers:
        text = answer.should_change or answer.does_not_work or _("cijfer %(score)s") % {"score": answer.score}
        needing.setdefault(answer.section_key, []).append((answer.response.party.name, text))
    return needing


# --- what waits on a person ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingEvaluation:
    agreement_id: int
    state_changed_at: dt.datetime
    started_on: dt.date


def waiting_evaluations_for(user: User) -> list[WaitingEvaluation]:
    """Open evaluations of signed agreements where the person's party has not sent its answers (one query)."""
    acting = {m.organisation_id for m in memberships_of(user) if m.organisation.suspended_at is None}
    if not acting:
        return []
    # Nobody answers for both parties of one agreement (core/access.py evaluating_party_for).
    one_party = Q(agreement__initiative_id__in=acting) ^ Q(agreement__municipality_id__in=acting)
    sent_by_mine = EvaluationResponse.objects.filter(
        evaluation=OuterRef("pk"), submitted_at__isnull=False, party_id__in=acting
    )
    rows = (
        Evaluation.objects.filter(
            one_party,
            completed_at__isnull=True,
            agreement__in=visible_agreements(user).filter(state=AgreementState.SIGNED).values("pk"),
        )
        .exclude(Exists(sent_by_mine))
        .values("agreement_id", "agreement__state_changed_at", "started_at")
    )
    return [
        WaitingEvaluation(
            agreement_id=row["agreement_id"],
            state_changed_at=row["agreement__state_changed_at"],
            started_on=timezone.localtime(row["started_at"]).date(),
        )
        for row in rows
    ]
