"""What the overview shows after signing: commitments, decision moments, evaluations, declined signatures and
escalations, for the agreements the viewer sees with the overview's filters.

Aggregation selectors like ``statistics.py``: each starts from the same ``agreements`` queryset (the visibility
selector with the filters) and asks a fixed number of queries whatever the number of agreements (six in all).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from agreements.choices import (
    DECISION_TAKEN,
    OPEN_COMMITMENT_STATUSES,
    AgreementState,
    AuditAction,
    CommitmentKind,
    CommitmentStatus,
    EscalationStatus,
)
from agreements.models import (
    Agreement,
    AuditEvent,
    Commitment,
    Escalation,
    Evaluation,
    EvaluationAnswer,
)
from agreements.sections import SECTION_DEFINITIONS

DEFAULT_EVALUATION_OVERDUE_DAYS = 30
DECLINES_SHOWN = 10


def evaluation_overdue_days() -> int:
    return int(getattr(settings, "MONITORING_EVALUATION_OVERDUE_DAYS", DEFAULT_EVALUATION_OVERDUE_DAYS))


# The decision moments' categories, in the order the page lists them.
DECISION_CATEGORIES = ("on_time", "taken_late", "postponed", "overdue", "planned", "lapsed")
SLIPPED = ("taken_late", "postponed", "overdue")


@dataclass
class CommitmentFigures:
    # Per municipality id: {"open", "overdue", "done", "total"} of the tasks.
    by_municipality: dict[int, dict[str, int]] = field(default_factory=dict)
    # Per phase value: the same counts.
    by_phase: dict[str, dict[str, int]] = field(default_factory=dict)
    # The decision moments per category (DECISION_CATEGORIES), in all, and per municipality id.
    decisions: dict[str, int] = field(default_factory=dict)
    decisions_by_municipality: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def tasks(self) -> dict[str, int]:
        return _sum(self.by_phase.values(), ("open", "overdue", "done", "total"))

    @property
    def slipped(self) -> int:
        return sum(self.decisions.get(name, 0) for name in SLIPPED)

    @property
    def taken(self) -> int:
        return self.decisions.get("on_time", 0) + self.decisions.get("taken_late", 0)


def _sum(rows, names) -> dict[str, int]:
    totals = dict.fromkeys(names, 0)
    for row in rows:
        for name in names:
            totals[name] += row[name]
    return totals


def commitment_figures(agreements: QuerySet[Agreement], *, today: dt.date) -> CommitmentFigures:
    """The tasks and decision moments of the signed agreements among ``agreements``: one grouped query."""
    is_open = Q(status__in=OPEN_COMMITMENT_STATUSES)
    task = Q(kind=CommitmentKind.TASK)
    decision = Q(kind=CommitmentKind.DECISION)
    done = Q(status=CommitmentStatus.DONE)
    taken = Q(outcome__in=list(DECISION_TAKEN)) & done
    late = Q(signed_date__isnull=False, actual_date__gt=F("signed_date"))
    rows = (
        Commitment.objects.filter(agreement__in=agreements.filter(state=AgreementState.SIGNED).values("pk"))
        .order_by()
        .values("agreement__municipality_id", "phase")
        .annotate(
            open=Count("pk", filter=task & is_open),
            overdue=Count("pk", filter=task & is_open & Q(planned_date__lt=today)),
            done=Count("pk", filter=task & done),
            total=Count("pk", filter=task),
            on_time=Count("pk", filter=decision & taken & ~late),
            taken_late=Count("pk", filter=decision & taken & late),
            postponed=Count("pk", filter=decision & Q(status=CommitmentStatus.POSTPONED)),
            overdue_decisions=Count(
                "pk",
                filter=decision & is_open & ~Q(status=CommitmentStatus.POSTPONED) & Q(planned_date__lt=today),
            ),
            planned=Count(
                "pk",
                filter=decision
                & is_open
                & ~Q(status=CommitmentStatus.POSTPONED)
                & (Q(planned_date__gte=today) | Q(planned_date__isnull=True)),
            ),
            lapsed=Count("pk", filter=decision & Q(status=CommitmentStatus.LAPSED)),
        )
    )
    figures = CommitmentFigures()
    task_names = ("open", "overdue", "done", "total")
    for row in rows:
        municipality = row["agreement__municipality_id"]
        decisions = {
            "on_time": row["on_time"],
            "taken_late": row["taken_late"],
            "postponed": row["postponed"],
            "overdue": row["overdue_decisions"],
            "planned": row["planned"],
            "lapsed": row["lapsed"],
        }
        if row["total"]:
            for target in (
                figures.by_municipality.setdefault(municipality, dict.fromkeys(task_names, 0)),
                figures.by_phase.setdefault(row["phase"], dict.fromkeys(task_names, 0)),
            ):
                for name in task_names:
                    target[name] += row[name]
        if any(decisions.values()):
            per_municipality = figures.decisions_by_municipality.setdefault(
                municipality, dict.fromkeys(DECISION_CATEGORIES, 0)
            )
            for name, count in decisions.items():
                per_municipality[name] += count
                figures.decisions[name] = figures.decisions.get(name, 0) + count
    return figures


@dataclass
class EvaluationFigures:
    completed: int = 0
    running: int = 0
    overdue: int = 0
    # Signed agreements whose evaluation date has passed without an evaluation for it.
    missed: int = 0
    # (section title, average score, number of answers) per section that has answers.
    scores: list[tuple[str, float, int]] = field(default_factory=list)


def evaluation_figures(agreements: QuerySet[Agreement], *, today: dt.date) -> EvaluationFigures:
    """Evaluations done, running and overdue, missed evaluation dates, and the average score per section across
    the completed evaluations: three queries."""
    # Counted in whole days (from the start of the local day), so the figure holds until the date turns.
    overdue_since = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=evaluation_overdue_days()), dt.time.min)
    )
    counts = Evaluation.objects.filter(agreement__in=agreements.values("pk")).aggregate(
        completed=Count("pk", filter=Q(completed_at__isnull=False)),
        running=Count("pk", filter=Q(completed_at__isnull=True, started_at__gte=overdue_since)),
        overdue=Count("pk", filter=Q(completed_at__isnull=True, started_at__lt=overdue_since)),
    )
    for_the_date = Evaluation.objects.filter(agreement=OuterRef("pk"), scheduled_for=OuterRef("evaluation_date"))
    open_one = Evaluation.objects.filter(agreement=OuterRef("pk"), completed_at__isnull=True)
    missed = (
        agreements.filter(state=AgreementState.SIGNED, evaluation_date__lt=today)
        .exclude(Exists(for_the_date))
        .exclude(Exists(open_one))
        .count()
    )
    averages = {
        row["section_key"]: (row["average"], row["answers"])
        for row in EvaluationAnswer.objects.filter(
            response__evaluation__agreement__in=agreements.values("pk"),
            response__evaluation__completed_at__isnull=False,
            score__isnull=False,
        )
        .order_by()
        .values("section_key")
        .annotate(average=Avg("score"), answers=Count("pk"))
    }
    scores = [
        (str(d.title), float(averages[d.key][0]), averages[d.key][1]) for d in SECTION_DEFINITIONS if d.key in averages
    ]
    return EvaluationFigures(missed=missed, scores=scores, **counts)


def declined_signatures(agreements: QuerySet[Agreement]) -> tuple[int, list[AuditEvent]]:
    """How often a signatory declined to sign, and the latest DECLINES_SHOWN with their reasons (two queries)."""
    declines = AuditEvent.objects.filter(action=AuditAction.DECLINED_TO_SIGN, agreement__in=agreements.values("pk"))
    latest = list(
        declines.select_related("agreement__initiative", "agreement__municipality").order_by("-at", "-pk")[
            :DECLINES_SHOWN
        ]
    )
    return declines.count(), latest


def open_escalations(agreements: QuerySet[Agreement]) -> list[Escalation]:
    """The open escalations, oldest first, with their agreement (one query; there are few)."""
    return list(
        Escalation.objects.filter(status=EscalationStatus.OPEN, agreement__in=agreements.values("pk"))
        .select_related("agreement__initiative", "agreement__municipality", "raised_by_party")
        .order_by("raised_at", "pk")
    )
