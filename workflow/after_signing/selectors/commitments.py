"""Reads for the commitments after signing: the agreement's list, one commitment, what waits on a person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import (
    OPEN_COMMITMENT_STATUSES,
    AgreementState,
    CommitmentKind,
    CommitmentStatus,
    DecisionOutcome,
    Phase,
    ResponsibleParty,
)
from agreements.models import Agreement, Commitment, User
from workflow.core.exceptions import NotFound
from workflow.core.visibility import memberships_of, visible_agreements
from workflow.notifications.policy import Policies, Policy


@dataclass
class PhaseGroup:
    phase: str
    label: str
    commitments: list[Commitment] = field(default_factory=list)


@dataclass
class CommitmentOverview:
    tasks_by_phase: list[PhaseGroup]
    decisions: list[Commitment]
    counts: dict[str, int]
    overdue: int
    total: int

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        """(label, count) of each status that has commitments, in the statuses' order."""
        return [(label, self.counts[value]) for value, label in CommitmentStatus.choices if self.counts[value]]


def commitments_of(agreement: Agreement, *, today: dt.date | None = None) -> CommitmentOverview:
    """Every commitment of a visible agreement, tasks by phase and decision moments by date (one query)."""
    today = today or timezone.localdate()
    commitments = list(Commitment.objects.filter(agreement=agreement).order_by("kind", "position"))
    groups = {value: PhaseGroup(value, label) for value, label in Phase.choices}
    decisions = []
    counts = dict.fromkeys(CommitmentStatus.values, 0)
    for commitment in commitments:
        counts[commitment.status] += 1
        commitment.overdue = commitment.overdue_on(today)
        if commitment.kind == CommitmentKind.TASK:
            groups[commitment.phase].commitments.append(commitment)
        else:
            decisions.append(commitment)
    decisions.sort(key=lambda d: (d.planned_date or dt.date.max, d.position))
    return CommitmentOverview(
        tasks_by_phase=[group for group in groups.values() if group.commitments],
        decisions=decisions,
        counts=counts,
        overdue=sum(1 for c in commitments if c.overdue),
        total=len(commitments),
    )


def commitment_of(agreement: Agreement, pk: int) -> Commitment:
    """A commitment of an agreement that came from the visibility selector, with its notes."""
    commitment = Commitment.objects.filter(agreement=agreement, pk=pk).prefetch_related("updates__author").first()
    if commitment is None:
        raise NotFound(_("Deze afspraak in uitvoering bestaat niet."))
    commitment.overdue = commitment.overdue_on(timezone.localdate())
    return commitment


def suggests_evaluation(commitment: Commitment, policy: Policy) -> bool:
    """A decision that came out "no", or was postponed by more than the policy's days past the signed date."""
    if not commitment.is_decision:
        return False
    if commitment.outcome == DecisionOutcome.NO:
        return True
    return commitment.outcome == DecisionOutcome.POSTPONED and commitment.slipped_days > policy.decision_slip_days


def policy_for(agreement: Agreement) -> Policy:
    return Policies().for_municipality(agreement.municipality_id)


# --- what waits on a person (the home page's "Wacht op u") -------------------------------------------------


@dataclass(frozen=True)
class WaitingCommitments:
    """Per agreement: open tasks past their date, and decision moments whose date came without an outcome."""

    agreement_id: int
    state_changed_at: dt.datetime
    tasks: int
    decisions: int
    earliest_task: dt.date | None
    earliest_decision: dt.date | None


def _responsible_for(organisation_ids: set[int]) -> Q:
    """Commitments a member of these organisations keeps up to date (``core/access.py may_update_commitment``)."""
    return Q(
        responsible__in=[ResponsibleParty.INITIATIVE, ResponsibleParty.BOTH],
        agreement__initiative_id__in=organisation_ids,
    ) | Q(
        responsible__in=[ResponsibleParty.MUNICIPALITY, ResponsibleParty.BOTH],
        agreement__municipality_id__in=organisation_ids,
    )


def waiting_commitments_for(user: User, *, today: dt.date | None = None) -> list[WaitingCommitments]:
    """One grouped query: the signed agreements where commitments this person keeps are due (their date has
    passed, or a decision moment's date is today)."""
    today = today or timezone.localdate()
    acting = {m.organisation_id for m in memberships_of(user) if m.organisation.suspended_at is None}
    if not acting:
        return []
    rows = (
        Commitment.objects.filter(
            _responsible_for(acting),
            agreement__in=visible_agreements(user).filter(state=AgreementState.SIGNED).values("pk"),
            status__in=OPEN_COMMITMENT_STATUSES,
        )
        .filter(
            Q(kind=CommitmentKind.TASK, planned_date__lt=today)
            | Q(kind=CommitmentKind.DECISION, planned_date__lte=today)
        )
        .values("agreement_id", "agreement__state_changed_at")
        .annotate(
            tasks=Count("pk", filter=Q(kind=CommitmentKind.TASK)),
            decisions=Count("pk", filter=Q(kind=CommitmentKind.DECISION)),
            earliest_task=Min("planned_date", filter=Q(kind=CommitmentKind.TASK)),
            earliest_decision=Min("planned_date", filter=Q(kind=CommitmentKind.DECISION)),
        )
        .order_by()
    )
    return [
        WaitingCommitments(
            agreement_id=row["agreement_id"],
            state_changed_at=row["agreement__state_changed_at"],
            tasks=row["tasks"],
            decisions=row["decisions"],
            earliest_task=row["earliest_task"],
            earliest_decision=row["earliest_decision"],
        )
        for row in rows
    ]
