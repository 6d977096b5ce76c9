"""The overview's figures that depend on no clock, kept in the shared cache: for the page and the API alike.

``request`` is one that ``forms.monitoring_access`` prepared (its ``figure_key``); ``form`` the filter
form of ``forms.filters_from``, whose ``municipalities`` are the ones the viewer may filter on.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from workflow.core.figures import cached_figure
from workflow.monitoring.after_signing import (
    commitment_figures,
    declined_signatures,
    evaluation_figures,
    evaluation_overdue_days,
    open_escalations,
)
from workflow.monitoring.durations import duration_stats, medians_by_municipality
from workflow.monitoring.statistics import (
    counts_by_municipality,
    counts_until_next_stall,
    municipality_rows_from,
    signed_per_month,
    stalled_after_days,
    upcoming_days,
)


def cached_overview_figure(request, name: str, compute, *, form, filters, parts: tuple = (), valid=None):
    """A figure that depends on no clock: from the shared cache until an agreement the viewer sees changes.

    The key holds the filters, with a province written as its municipalities
    (read each time), so moving a municipality to another province is seen at once.
    The filter on stalled agreements depends on the clock: those figures are computed each time.
    """
    if filters.stalled_only:
        return compute()
    key_parts = _filter_parts(form, filters, parts)
    return cached_figure(f"monitoring-{name}", key=request.figure_key, parts=key_parts, compute=compute, valid=valid)


def _filter_parts(form, filters, parts: tuple) -> tuple:
    """The filters in a figure's cache key, a province written as its municipalities, and ``parts``."""
    province = tuple(m.pk for m in form.municipalities if m.province == filters.province) if filters.province else ()
    return (filters.province, province, filters.municipality_id, filters.state, filters.phase, *parts)


def cached_municipality_rows(request, agreements, *, form, filters, now, today) -> list[dict]:
    """Every count per municipality, from the cache until an agreement changes, the date turns or one stalls."""
    if filters.stalled_only:
        return counts_by_municipality(agreements, now=now, today=today)
    _computed_at, counts, _next_stall = cached_overview_figure(
        request,
        "counts",
        lambda: (now, *counts_until_next_stall(agreements, now=now, today=today)),
        form=form,
        filters=filters,
        parts=(today, upcoming_days(), tuple(sorted(stalled_after_days().items()))),
        valid=lambda entry: entry[0] <= now and (entry[2] is None or now < entry[2]),
    )
    return municipality_rows_from(form.municipalities, counts)


def long_run_minutes() -> int:
    return settings.MONITORING_LONG_RUN_MINUTES


def cached_long_run_figure(request, name: str, compute, *, form, filters, now: dt.datetime, parts: tuple = ()):
    """A figure of the long run (how long each step takes, signed per month): computed again at most every
    ``MONITORING_LONG_RUN_MINUTES``, not after every change to an agreement the viewer sees.

    Over thousands of agreements one more signature moves a median or a month's count by a fraction, and
    computing them is the costly part of the overview: a national advisor, whose agreements change every
    few minutes, would otherwise compute them on nearly every view. Keyed by what the viewer sees
    (``request.long_run_key``, ``core/figures.py long_run_key``: an advisor grant or a membership renews it
    at once) and the filters;
    ``request.long_run_at`` keeps when the oldest one the request shows was computed, which the page says.
    """
    if filters.stalled_only:
        return compute()
    key_parts = _filter_parts(form, filters, parts)
    max_age = dt.timedelta(minutes=long_run_minutes())
    computed_at, value = cached_figure(
        f"monitoring-long-run-{name}",
        key=request.long_run_key,
        parts=key_parts,
        compute=lambda: (now, compute()),
        valid=lambda entry: entry[0] <= now < entry[0] + max_age,
    )
    request.long_run_at = min(computed_at, getattr(request, "long_run_at", computed_at))
    return value


def cached_durations(request, agreements, *, form, filters, now: dt.datetime):
    """How long each stage took (``durations.duration_stats``): a figure of the long run."""
    return cached_long_run_figure(
        request, "durations", lambda: duration_stats(agreements), form=form, filters=filters, now=now
    )


def cached_medians_by_municipality(request, agreements, *, form, filters, now: dt.datetime):
    """The median time per stage per municipality (``durations.medians_by_municipality``): of the long run too."""
    return cached_long_run_figure(
        request, "medians", lambda: medians_by_municipality(agreements), form=form, filters=filters, now=now
    )


def cached_signed_per_month(request, agreements, *, now, form, filters) -> list:
    """Signed per month over the last twelve (``statistics.signed_per_month``): a figure of the long run, and
    computed again when the month or the time zone changes."""
    tz = timezone.get_current_timezone()
    return cached_long_run_figure(
        request,
        "per-month",
        lambda: signed_per_month(agreements, now=now),
        form=form,
        filters=filters,
        now=now,
        parts=(str(tz), timezone.localtime(now, tz).date().replace(day=1)),
    )


def cached_after_signing(request, agreements, *, form, filters, today) -> dict:
    """The figures after signing (``after_signing.py``), from the cache until an agreement the viewer sees changes
    (every update of an evaluation or escalation writes an audit row, which renews the key) or the date turns.

    The commitments' figures (tasks and decisions per phase and municipality) are a figure of the long run:
    counting every commitment of a national portfolio (eight per signed agreement) is the costliest query
    after a change, and one commitment updated moves them by a fraction.
    """
    commitments = cached_long_run_figure(
        request,
        "commitments",
        lambda: commitment_figures(agreements, today=today),
        form=form,
        filters=filters,
        now=timezone.now(),
        parts=(today,),
    )

    def compute() -> dict:
        declines_count, declines = declined_signatures(agreements)
        return {
            "evaluations": evaluation_figures(agreements, today=today),
            "declines_count": declines_count,
            "declines": declines,
            "escalations": open_escalations(agreements),
        }

    figures = cached_overview_figure(
        request,
        "after-signing",
        compute,
        form=form,
        filters=filters,
        parts=(today, evaluation_overdue_days()),
    )
    return {"commitments": commitments, **figures}
