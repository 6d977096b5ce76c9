"""How long agreements take per stage: median and p90 (percentile_cont on PostgreSQL, Python elsewhere).

Stage durations come from the agreement's milestone timestamps, not the log.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    QuerySet,
)

from agreements.models import Agreement
from workflow.monitoring.statistics import REACHED_SIGNED


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(p) WITHIN GROUP (ORDER BY expr)``.

    With several fractions, ``percentile_cont(ARRAY[p1, p2])`` sorts once and
    returns a list in the same order.
    """

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(p)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, p: float | tuple[float, ...], **extra):
        fractions = tuple(float(f) for f in (p if isinstance(p, tuple | list) else (p,)))
        if not fractions or not all(0.0 <= f <= 1.0 for f in fractions):
            raise ValueError("A percentile lies between 0 and 1.")
        # Float literals, validated above, so they are safe in the SQL text.
        literal = repr(fractions[0]) if len(fractions) == 1 else "ARRAY[" + ",".join(map(repr, fractions)) + "]"
        super().__init__(expression, p=literal, output_field=DurationField(), **extra)


def percentile_cont(values: list[dt.timedelta], p: float) -> dt.timedelta | None:
    """The same interpolation as PostgreSQL's percentile_cont, for SQLite's small data."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * p
    lower = math.floor(position)
    upper = math.ceil(position)
    if lower == upper:
        return ordered[lower]
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _uses_sql_percentiles() -> bool:
    return connection.vendor == "postgresql"


def _duration(end: str, start: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


STAGE_BOUNDS = {
    "total": ("created_at", "signed_at"),
    "drafting": ("created_at", "submitted_at"),
    "review": ("submitted_at", "approved_at"),
    "signing": ("approved_at", "signed_at"),
}


@dataclass
class DurationStats:
    """Median and 90th percentile per stage over the agreements that reached signed."""

    count: int = 0
    median: dict[str, dt.timedelta | None] = field(default_factory=dict)
    p90: dict[str, dt.timedelta | None] = field(default_factory=dict)


def _python_stats(rows: list[tuple]) -> DurationStats:
    """rows: (created_at, submitted_at, approved_at, signed_at) of agreements that reached signed."""
    index = {"created_at": 0, "submitted_at": 1, "approved_at": 2, "signed_at": 3}
    stats = DurationStats(count=len(rows))
    for stage, (start, end) in STAGE_BOUNDS.items():
        values = [
            row[index[end]] - row[index[start]]
            for row in rows
            if row[index[end]] is not None and row[index[start]] is not None
        ]
        stats.median[stage] = percentile_cont(values, 0.5)
        stats.p90[stage] = percentile_cont(values, 0.9)
    return stats


def duration_stats(agreements: QuerySet[Agreement]) -> DurationStats:
    """Median and p90 of the time from draft to signed, and per stage: one query."""
    signed = agreements.order_by().filter(REACHED_SIGNED)
    if _uses_sql_percentiles():
        row = signed.aggregate(
            count=Count("pk"),
            **{
                stage: PercentileCont(_duration(end, start), (0.5, 0.9)) for stage, (start, end) in STAGE_BOUNDS.items()
            },
        )
        # With no signed agreement at all, the whole array is NULL.
        pairs = {stage: row[stage] or [None, None] for stage in STAGE_BOUNDS}
        return DurationStats(
            count=row["count"],
            median={stage: pairs[stage][0] for stage in STAGE_BOUNDS},
            p90={stage: pairs[stage][1] for stage in STAGE_BOUNDS},
        )
    return _python_stats(list(signed.values_list("created_at", "submitted_at", "approved_at", "signed_at")))


def duration_by_municipality(agreements: QuerySet[Agreement], *, limit: int = 12) -> list[dict]:
    """Median time per stage for the ``limit`` municipalities with the most signed agreements: one query.

    Each row: municipality_id, name, count, and the median per stage (timedelta or None).
    """
    signed = agreements.order_by().filter(REACHED_SIGNED)
    if _uses_sql_percentiles():
        medians = {stage: PercentileCont(_duration(end, start), 0.5) for stage, (start, end) in STAGE_BOUNDS.items()}
        rows = (
            signed.values("municipality_id", "municipality__name")
            .annotate(count=Count("pk"), **medians)
            .order_by("-count", "municipality__name", "municipality_id")[:limit]
        )
        return [
            {
                "municipality_id": row["municipality_id"],
                "name": row["municipality__name"],
                "count": row["count"],
                "median": {stage: row[stage] for stage in STAGE_BOUNDS},
            }
            for row in rows
        ]
    grouped: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    for municipality_id, name, *times in signed.values_list(
        "municipality_id", "municipality__name", "created_at", "submitted_at", "approved_at", "signed_at"
    ):
        grouped[(municipality_id, name)].append(tuple(times))
    result = []
    for (municipality_id, name), rows in grouped.items():
        stats = _python_stats(rows)
        result.append({"municipality_id": municipality_id, "name": name, "count": stats.count, "median": stats.median})
    result.sort(key=lambda r: (-r["count"], r["name"], r["municipality_id"]))
    return result[:limit]


def medians_by_municipality(agreements: QuerySet[Agreement]) -> dict[int, dict]:
    """For every municipality with signed agreements: their number and the median per stage; one query.

    Grouped by the municipality's id alone, without its name: ``rank_municipalities``
    adds the names and picks the municipalities to show, so this part can be cached.
    """
    signed = agreements.order_by().filter(REACHED_SIGNED)
    if _uses_sql_percentiles():
        medians = {stage: PercentileCont(_duration(end, start), 0.5) for stage, (start, end) in STAGE_BOUNDS.items()}
        rows = signed.values("municipality_id").annotate(count=Count("pk"), **medians).order_by()
        return {
            row["municipality_id"]: {"count": row["count"], "median": {stage: row[stage] for stage in STAGE_BOUNDS}}
            for row in rows
        }
    grouped: dict[int, list[tuple]] = defaultdict(list)
    for municipality_id, *times in signed.values_list(
        "municipality_id", "created_at", "submitted_at", "approved_at", "signed_at"
    ):
        grouped[municipality_id].append(tuple(times))
    result = {}
    for municipality_id, rows in grouped.items():
        stats = _python_stats(rows)
        result[municipality_id] = {"count": stats.count, "median": stats.median}
    return result


def rank_municipalities(medians: dict[int, dict], names: dict[int, str], *, limit: int = 12) -> list[dict]:
    """The rows of ``duration_by_municipality`` from ``medians_by_municipality`` and the municipalities' names."""
    rows = [
        {"municipality_id": pk, "name": names.get(pk, ""), "count": row["count"], "median": row["median"]}
        for pk, row in medians.items()
    ]
    rows.sort(key=lambda r: (-r["count"], r["name"], r["municipality_id"]))
    return rows[:limit]
