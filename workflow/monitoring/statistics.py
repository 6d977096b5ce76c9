"""Progress statistics for the monitoring overview: aggregation selectors.

Everything starts from the visibility selector, so a figure never counts an
agreement the viewer may not see. Each function issues a fixed number of
queries, whatever the number of agreements: the database counts and groups.

Durations are measured on the agreement's own milestone timestamps
(``created_at``, ``submitted_at``, ``approved_at``, ``signed_at``), not on the
audit log. For an agreement that reached ``signed`` they are always set and
ordered, and reading them costs one pass over the agreements (no join with
the much larger log). The stages are those of the path that led to the
signature:

- drafting: created -> last submission (earlier rounds that were sent back
  with "request changes" or "reopen" count here, because a new submission
  overwrites ``submitted_at``);
- review: last submission -> approval;
- signing: approval -> last required signature.

The three stages add up to the whole time from draft to signed.

Percentiles are ``percentile_cont`` (linear interpolation between the two
nearest values). On PostgreSQL the database computes them; on SQLite (the
embedded default, small data) the same formula runs in Python over one query."""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from functools import reduce

from django.conf import settings
from django.db import connections
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from agreements.choices import (
    OPEN_COMMITMENT_STATUSES,
    OPEN_STATES,
    AgreementState,
    LessonTopic,
    MembershipRole,
    Phase,
    Province,
)
from agreements.models import (
    Agreement,
    Commitment,
    Lesson,
    Membership,
    Organisation,
    Signature,
    User,
    current_mandate,
)
from workflow.core.figures import cached_figure, long_run_key
from workflow.core.visibility import VisibilityScope, scoped_agreements, visibility_scope

# The states in the order an agreement moves through them, then the ends.
FLOW_STATES = (AgreementState.DRAFT, AgreementState.IN_REVIEW, AgreementState.APPROVED, AgreementState.SIGNED)


END_STATES = (AgreementState.WITHDRAWN, AgreementState.SUPERSEDED, AgreementState.EXPIRED)


ALL_STATES = FLOW_STATES + END_STATES


# Only an open agreement can stall: it waits for somebody.
STALLABLE_STATES = OPEN_STATES


STAGES = ("drafting", "review", "signing")


DEFAULT_STALLED_AFTER_DAYS = {"draft": 60, "in_review": 21, "approved": 30}


DEFAULT_UPCOMING_DAYS = 90


def stalled_after_days() -> dict[str, int]:
    configured = getattr(settings, "MONITORING_STALLED_AFTER_DAYS", {}) or {}
    return {state: int(configured.get(state, days)) for state, days in DEFAULT_STALLED_AFTER_DAYS.items()}


# A signed agreement stalls when none of its open commitments moved in this many days.
DEFAULT_COMMITMENTS_STALLED_DAYS = 90


def commitments_stalled_after_days() -> int:
    return int(getattr(settings, "MONITORING_STALLED_COMMITMENTS_DAYS", DEFAULT_COMMITMENTS_STALLED_DAYS))


def commitments_stalled_since(*, now: dt.datetime | None = None) -> dt.datetime:
    """The start of the local day N days ago: a commitment that moved after it still moves. Counted in whole
    days, so whether a signed agreement stalled changes only when the date turns (or a commitment moves)."""
    today = timezone.localdate(now) if now else timezone.localdate()
    start = dt.datetime.combine(today - dt.timedelta(days=commitments_stalled_after_days()), dt.time.min)
    return timezone.make_aware(start)


def upcoming_days() -> int:
    return int(getattr(settings, "MONITORING_UPCOMING_DAYS", DEFAULT_UPCOMING_DAYS))


REACHED_SIGNED = Q(signed_at__isnull=False)


@dataclass(frozen=True)
class MonitoringFilters:
    province: str = ""
    municipality_id: int | None = None
    state: str = ""
    phase: str = ""
    stalled_only: bool = False

    def is_empty(self) -> bool:
        return not (self.province or self.municipality_id or self.state or self.phase or self.stalled_only)


def stalled_condition(*, now: dt.datetime | None = None) -> Q:
    """In an open state for longer than that state's threshold (settings); or signed, with open commitments of
    which none moved in ``commitments_stalled_after_days`` (the collaboration stopped after signing)."""
    now = now or timezone.now()
    conditions = [
        Q(state=state, state_changed_at__lt=now - dt.timedelta(days=days))
        for state, days in stalled_after_days().items()
    ]
    return reduce(operator.or_, conditions) | commitments_stalled_condition(now=now)


def commitments_stalled_condition(*, now: dt.datetime | None = None) -> Q:
    since = commitments_stalled_since(now=now)
    open_ones = Commitment.objects.filter(agreement=OuterRef("pk"), status__in=OPEN_COMMITMENT_STATUSES)
    moved = Commitment.objects.filter(agreement=OuterRef("pk"), updated_at__gte=since)
    return Q(state=AgreementState.SIGNED, signed_at__lt=since) & Q(Exists(open_ones)) & ~Q(Exists(moved))


def monitored_agreements(
    user: User,
    filters: MonitoringFilters | None = None,
    *,
    now: dt.datetime | None = None,
    scope: VisibilityScope | None = None,
) -> QuerySet[Agreement]:
    """The agreements this user may see, narrowed by the overview's filters; unordered.

    ``scope`` is the user's ``visibility_scope`` when the caller already has it.
    """
    filters = filters or MonitoringFilters()
    agreements = scoped_agreements(user, scope)
    if filters.province:
        agreements = agreements.filter(municipality__province=filters.province)
    if filters.municipality_id:
        agreements = agreements.filter(municipality_id=filters.municipality_id)
    if filters.state:
        agreements = agreements.filter(state=filters.state)
    if filters.phase:
        agreements = agreements.filter(phase=filters.phase)
    if filters.stalled_only:
        agreements = agreements.filter(stalled_condition(now=now))
    return agreements.order_by()


def municipality_options(
    user: User, *, scope: VisibilityScope | None = None, key: tuple | None = None
) -> QuerySet[Organisation]:
    """The municipalities of the agreements this user may see (for the filter).

    Which ones they are is kept in the shared cache until what the user sees changes (``key``: the request's
    ``long_run_key``, core/figures.py: renewed by a new agreement, an advisor grant, a membership or a merger);
    their names and provinces are read each time.
    """

    scope = scope if scope is not None else visibility_scope(user)
    key = key if key is not None else long_run_key(scope.organisation_ids)

    def visible_municipalities() -> list[int]:
        return sorted(scoped_agreements(user, scope).order_by().values_list("municipality_id", flat=True).distinct())

    ids = cached_figure("municipalities", key=key, parts=(), compute=visible_municipalities)
    return Organisation.objects.filter(pk__in=ids).order_by("name", "pk")


# The figures counted per municipality; every total on the page is a sum of these.
COUNTED = (
    *(f"state_{s.value}" for s in ALL_STATES),
    "total",
    "stalled",
    "reached_submitted",
    "reached_approved",
    "reached_signed",
    "evaluations_due",
    "expiries_due",
)


def _counters(now: dt.datetime | None, today: dt.date | None) -> dict:
    if today is None:
        today = timezone.localdate(now) if now else timezone.localdate()
    until = today + dt.timedelta(days=upcoming_days())
    counters = {f"state_{s.value}": Count("pk", filter=Q(state=s)) for s in ALL_STATES}
    counters.update(
        total=Count("pk"),
        stalled=Count("pk", filter=stalled_condition(now=now)),
        reached_submitted=Count("pk", filter=Q(submitted_at__isnull=False) | REACHED_SIGNED),
        reached_approved=Count("pk", filter=Q(approved_at__isnull=False) | REACHED_SIGNED),
        reached_signed=Count("pk", filter=REACHED_SIGNED),
        evaluations_due=Count(
            "pk", filter=Q(state=AgreementState.SIGNED, evaluation_date__gte=today, evaluation_date__lte=until)
        ),
        expiries_due=Count("pk", filter=Q(state=AgreementState.SIGNED, valid_until__gte=today, valid_until__lte=until)),
    )
    return counters


def counts_until_next_stall(
    agreements: QuerySet[Agreement], *, now: dt.datetime, today: dt.date
) -> tuple[dict[int, dict], dt.datetime | None]:
    """Every count of COUNTED per municipality id, and the moment they stop being true: one query.

    Only the passing of time changes ``stalled`` without a change to an
    agreement: when an open agreement reaches its state's threshold. The
    second value is the first such moment after ``now`` (None when no open
    agreement is left to stall). Until then, and while no agreement changes
    and the date is the same, the counts hold, so the page keeps them in the
    shared cache. Grouped by the id alone: the names are joined to the few
    hundred rows, never sorted over every agreement.
    """
    thresholds = stalled_after_days()
    not_yet_stalled = {
        f"first_open_{state}": Min(
            "state_changed_at", filter=Q(state=state, state_changed_at__gte=now - dt.timedelta(days=days))
        )
        for state, days in thresholds.items()
    }
    rows = agreements.order_by().values("municipality_id").annotate(**_counters(now, today), **not_yet_stalled)
    counts: dict[int, dict] = {}
    next_stall = None
    for row in rows:
        for state, days in thresholds.items():
            first = row.pop(f"first_open_{state}")
            if first is not None:
                moment = first + dt.timedelta(days=days)
                next_stall = moment if next_stall is None else min(next_stall, moment)
        counts[row.pop("municipality_id")] = row
    return counts, next_stall


def municipality_rows_from(municipalities: list[Organisation], counts: dict[int, dict]) -> list[dict]:
    """The rows of ``counts_by_municipality`` from ``counts_until_next_stall``, in the order of ``municipalities``."""
    return [
        {
            "municipality_id": m.pk,
            "name": m.name,
            "cbs_code": m.cbs_code or "",
            "province": m.province or "",
            **{name: counts[m.pk][name] for name in COUNTED},
        }
        for m in municipalities
        if m.pk in counts
    ]


def counts_by_municipality(
    agreements: QuerySet[Agreement], *, now: dt.datetime | None = None, today: dt.date | None = None
) -> list[dict]:
    """One row per municipality (at most a few hundred): every count of the page, in one query.

    Each row has municipality_id, name, cbs_code, province and the COUNTED
    figures. The page sums these rows for the totals, the funnel and the
    provinces, so the visibility filter runs once for all of them.
    """
    # Grouped by the id alone (a hash of a few hundred groups), the municipality joined to the few
    # hundred results: grouping by its name would sort every agreement.
    grouped = agreements.order_by().values("municipality_id").annotate(**_counters(now, today))
    inner, params = grouped.query.sql_with_params()
    connection = connections[grouped.db]
    organisations = connection.ops.quote_name(Organisation._meta.db_table)
    # The ORM's compiled query and a quoted table name; the filter values stay parameters.
    sql = (
        f"SELECT o.name, o.cbs_code, o.province, counted.* FROM ({inner}) counted "  # nosec B608 # no user text
        f"JOIN {organisations} o ON o.id = counted.municipality_id ORDER BY o.name, o.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        fetched = cursor.fetchall()
    rows = []
    for values in fetched:
        row = dict(zip(columns, values, strict=True))
        rows.append(
            {
                "municipality_id": row.pop("municipality_id"),
                "name": row.pop("name"),
                "cbs_code": row.pop("cbs_code") or "",
                "province": row.pop("province") or "",
                **{name: row[name] for name in COUNTED},
            }
        )
    return rows


@dataclass
class Overview:
    total: int
    stalled: int
    by_state: dict[str, int]
    # How many ever reached each step of the flow (the funnel).
    reached: dict[str, int]
    evaluations_due: int = 0
    expiries_due: int = 0


def overview_from(rows: list[dict]) -> Overview:
    """The totals of the per-municipality rows."""
    sums = {name: sum(row[name] for row in rows) for name in COUNTED}
    return Overview(
        total=sums["total"],
        stalled=sums["stalled"],
        by_state={s.value: sums[f"state_{s.value}"] for s in ALL_STATES},
        reached={
            AgreementState.DRAFT.value: sums["total"],
            AgreementState.IN_REVIEW.value: sums["reached_submitted"],
            AgreementState.APPROVED.value: sums["reached_approved"],
            AgreementState.SIGNED.value: sums["reached_signed"],
        },
        evaluations_due=sums["evaluations_due"],
        expiries_due=sums["expiries_due"],
    )


def provinces_from(rows: list[dict]) -> list[dict]:
    """The per-municipality rows summed per province (at most twelve), in province order."""
    labels = dict(Province.choices)
    by_province: dict[str, dict] = {}
    for row in rows:
        target = by_province.setdefault(
            row["province"],
            {"province": row["province"], "label": labels.get(row["province"], ""), **dict.fromkeys(COUNTED, 0)},
        )
        for name in COUNTED:
            target[name] += row[name]
    return [by_province[code] for code in sorted(by_province)]


def overview_counts(
    agreements: QuerySet[Agreement], *, now: dt.datetime | None = None, today: dt.date | None = None
) -> Overview:
    """Counts per state, the funnel, the number stalled and due: one query."""
    return overview_from(counts_by_municipality(agreements, now=now, today=today))


def counts_by_province(
    agreements: QuerySet[Agreement], *, now: dt.datetime | None = None, today: dt.date | None = None
) -> list[dict]:
    return provinces_from(counts_by_municipality(agreements, now=now, today=today))


def _signature_count(party_field: str) -> Coalesce:
    # An agreement in "approved" has never been signed (an amendment is a new
    # agreement) and reopening declares collected signatures void, so every
    # signature in force it has belongs to the version now being signed.
    counted = (
        Signature.objects.in_force()
        .filter(version__agreement_id=OuterRef("pk"), party_id=OuterRef(party_field))
        .order_by()
        .values("version__agreement_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def stalled_agreements(agreements: QuerySet[Agreement], *, now: dt.datetime | None = None) -> QuerySet[Agreement]:
    """Stalled agreements, longest waiting first, with what a page needs to say what they wait for."""
    return (
        agreements.filter(stalled_condition(now=now))
        .select_related("initiative", "municipality")
        .annotate(
            # For a signed agreement: when its commitments last moved.
            commitments_moved_at=Subquery(
                Commitment.objects.filter(agreement_id=OuterRef("pk"))
                .order_by()
                .values("agreement_id")
                .annotate(moved=Max("updated_at"))
                .values("moved")
            ),
            initiative_signatures=_signature_count("initiative_id"),
            municipality_signatures=_signature_count("municipality_id"),
            # A count, not EXISTS: PostgreSQL may run an EXISTS in the select list as one hashed pass over every
            # signature (12 ms at 20,000 agreements) where the page needs it for its 25 rows.
            approver_signatures=Coalesce(
                Subquery(
                    Signature.objects.in_force()
                    .filter(
                        version__agreement_id=OuterRef("pk"),
                        party_id=OuterRef("municipality_id"),
                        signer_id=OuterRef("approved_by_id"),
                    )
                    .order_by()
                    .values("version__agreement_id")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            municipality_active_signatories=Coalesce(
                Subquery(
                    Membership.objects.filter(
                        organisation_id=OuterRef("municipality_id"), role=MembershipRole.SIGNATORY
                    )
                    .filter(current_mandate())
                    .order_by()
                    .values("organisation_id")
                    .annotate(n=Count("user_id", distinct=True))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
        )
        .order_by("state_changed_at", "pk")
    )


@dataclass(frozen=True)
class Waiting:
    """Who an open agreement waits for; ``parties`` are organisations that still have to act."""

    step: str  # "submit", "review" or "sign"
    parties: tuple[Organisation, ...]


def waiting_for(agreement: Agreement) -> Waiting | None:
    if agreement.state == AgreementState.DRAFT:
        return Waiting("submit", (agreement.initiative,))
    if agreement.state == AgreementState.IN_REVIEW:
        return Waiting("review", (agreement.municipality,))
    if agreement.state == AgreementState.APPROVED:
        counts = {
            agreement.initiative_id: getattr(agreement, "initiative_signatures", 0),
            agreement.municipality_id: getattr(agreement, "municipality_signatures", 0),
        }
        only_the_approver = counts[agreement.municipality_id] == 1 and getattr(agreement, "approver_signatures", 0) > 0
        missing = tuple(
            party
            for party in agreement.parties
            if not agreement.quorum_met_by_count(
                party,
                signed=counts[party.pk],
                only_the_approver_signed=party.pk == agreement.municipality_id and only_the_approver,
                active_signatories=lambda: getattr(agreement, "municipality_active_signatories", 0),
            )[0]
        )
        # Both complete yet still approved: the last signature is on its way; the municipality acts last.
        return Waiting("sign", missing or (agreement.municipality,))
    return None


def days_since(moment: dt.datetime, *, now: dt.datetime | None = None) -> int:
    return max(0, ((now or timezone.now()) - moment).days)


def _month_start(day: dt.date, months_back: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def signed_per_month(
    agreements: QuerySet[Agreement], *, months: int = 12, now: dt.datetime | None = None
) -> list[tuple[dt.date, int]]:
    """Agreements signed per calendar month (local time), the last ``months`` months, oldest first: one query."""
    tz = timezone.get_current_timezone()
    today = timezone.localtime(now or timezone.now(), tz).date()
    first = _month_start(today, months - 1)
    since = timezone.make_aware(dt.datetime.combine(first, dt.time.min), tz)
    rows = (
        agreements.order_by()
        .filter(signed_at__gte=since)
        .annotate(month=TruncMonth("signed_at", tzinfo=tz))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    counted = {}
    for month, n in rows:
        key = month.date() if isinstance(month, dt.datetime) else month
        counted[key] = counted.get(key, 0) + n
    return [(m, counted.get(m, 0)) for m in (_month_start(today, back) for back in range(months - 1, -1, -1))]


def upcoming_evaluations(
    agreements: QuerySet[Agreement], *, today: dt.date | None = None, days: int | None = None
) -> QuerySet[Agreement]:
    """Signed agreements whose evaluation date falls within the next ``days`` days (today included)."""
    today = today or timezone.localdate()
    until = today + dt.timedelta(days=upcoming_days() if days is None else days)
    return (
        agreements.filter(state=AgreementState.SIGNED, evaluation_date__gte=today, evaluation_date__lte=until)
        .select_related("initiative", "municipality")
        .order_by("evaluation_date", "pk")
    )


def upcoming_expiries(
    agreements: QuerySet[Agreement], *, today: dt.date | None = None, days: int | None = None
) -> QuerySet[Agreement]:
    """Signed agreements whose validity ends within the next ``days`` days (today included)."""
    today = today or timezone.localdate()
    until = today + dt.timedelta(days=upcoming_days() if days is None else days)
    return (
        agreements.filter(state=AgreementState.SIGNED, valid_until__gte=today, valid_until__lte=until)
        .select_related("initiative", "municipality")
        .order_by("valid_until", "pk")
    )


def agreement_rows(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """The filtered list itself (page and export), newest state change first."""
    return agreements.select_related("initiative", "municipality").order_by("-state_changed_at", "-pk")


PHASES = tuple(Phase)


def shared_lesson_counts(agreements: QuerySet[Agreement]) -> dict:
    """Shared lessons of these agreements by topic and phase: one grouped query.

    Returns {"rows": [(topic label, [count per phase], total)], "phases": [labels], "total": n}.
    """
    counts = {
        (row["topic"], row["phase"]): row["n"]
        for row in Lesson.objects.filter(shared=True, agreement__in=agreements)
        .order_by()
        .values("topic", "phase")
        .annotate(n=Count("pk"))
    }
    rows = []
    for topic in LessonTopic:
        per_phase = [counts.get((topic.value, phase.value), 0) for phase in Phase]
        if any(per_phase):
            rows.append((topic.label, per_phase, sum(per_phase)))
    return {"rows": rows, "phases": [phase.label for phase in Phase], "total": sum(counts.values())}
