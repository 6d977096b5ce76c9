"""The monitoring overview for coalition advisors and municipalities, and its export.

Reads only: every figure comes from workflow.monitoring.statistics, which starts from
the visibility selector. Anyone with a membership may open the page and sees
their own agreements (an initiative's members too); people without any
membership get 403, people who are not signed in go to the sign-in page."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, get_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from agreements.choices import AgreementState, Phase
from workflow.monitoring import charts, export
from workflow.monitoring.after_signing import DECISION_CATEGORIES, SLIPPED
from workflow.monitoring.durations import rank_municipalities
from workflow.monitoring.forms import filters_from, monitoring_access
from workflow.monitoring.overview import (
    cached_after_signing,
    cached_durations,
    cached_medians_by_municipality,
    cached_municipality_rows,
    cached_signed_per_month,
    long_run_minutes,
)
from workflow.monitoring.statistics import (
    ALL_STATES,
    FLOW_STATES,
    STAGES,
    agreement_rows,
    commitments_stalled_after_days,
    days_since,
    monitored_agreements,
    overview_from,
    provinces_from,
    shared_lesson_counts,
    stalled_after_days,
    stalled_agreements,
    upcoming_days,
    upcoming_evaluations,
    upcoming_expiries,
    waiting_for,
)

PAGE_SIZE = 25


DAY_SECONDS = 86400
HOUR_SECONDS = 3600


def _in(value: dt.timedelta | None, unit_seconds: int) -> float | None:
    return None if value is None else value.total_seconds() / unit_seconds


def _days_text(value: dt.timedelta | None) -> str:
    """A duration in days, or in hours when it is shorter than a day (never "0,0 dagen" for an afternoon)."""
    if value is None:
        return "–"
    # Rounded first: number_format cuts decimals off (40 minutes would read "0,6 uur").
    if value < dt.timedelta(days=1):
        return _("%(hours)s uur") % {"hours": number_format(round(_in(value, HOUR_SECONDS), 1), 1, use_l10n=True)}
    return _("%(days)s dagen") % {"days": number_format(round(_in(value, DAY_SECONDS), 1), 1, use_l10n=True)}


def _chart_unit(rows: list[dict]) -> tuple[int, str]:
    """The unit of the time chart: hours when the longest bar is under two days, days otherwise."""
    longest = max(
        (sum((row["median"][stage] or dt.timedelta()).total_seconds() for stage in STAGES) for row in rows),
        default=0,
    )
    if longest < 2 * DAY_SECONDS:
        return HOUR_SECONDS, _("uur")
    return DAY_SECONDS, _("dagen")


def _paginate(request, items, *, param: str, anchor: str, count: int | None = None) -> dict:
    paginator = Paginator(items, PAGE_SIZE)
    if count is not None:
        # Already counted in the page's one aggregate query: no COUNT(*) per list.
        paginator.__dict__["count"] = count
    page = paginator.get_page(request.GET.get(param))

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}#{anchor}"

    return {
        "page": page,
        "param": param,
        "anchor": anchor,
        "previous_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
    }


def _stage_labels() -> dict[str, str]:
    return {
        "total": _("Van concept tot ondertekend"),
        "drafting": _("Opstellen: van concept tot indienen"),
        "review": _("Beoordelen: van indienen tot goedkeuren"),
        "signing": _("Ondertekenen: van goedkeuren tot de laatste handtekening"),
    }


def _short_stage_labels() -> dict[str, str]:
    # The stages' names as in _stage_labels (a context keeps "Ondertekenen" apart from the button "Sign").
    return {
        "drafting": pgettext("monitoring stage", "Opstellen"),
        "review": pgettext("monitoring stage", "Beoordelen"),
        "signing": pgettext("monitoring stage", "Ondertekenen"),
    }


def _waiting_text(agreement) -> str:
    waiting = waiting_for(agreement)
    if waiting is None:
        return ""
    names = _(" en ").join(p.name for p in waiting.parties)
    if waiting.step == "submit":
        return _("%(party)s: het concept afmaken en indienen") % {"party": names}
    if waiting.step == "review":
        return _("%(party)s: de afspraak beoordelen") % {"party": names}
    return _("%(party)s: ondertekenen") % {"party": names}


def _month_label(month: dt.date) -> str:
    """A short month over its year; the month written as in the language's short date ("dec" in Dutch)."""
    short_month = "b" if "b" in get_format("SHORT_DATE_FORMAT") else "M"
    return f"{date_format(month, short_month)}\n{month.year}"


def _funnel_section(counts, state_labels: dict) -> dict:
    """How far the agreements got: the funnel as a table and a chart, and the count per state."""
    steps = {
        AgreementState.DRAFT: _("Gestart"),
        AgreementState.IN_REVIEW: _("Ingediend"),
        AgreementState.APPROVED: _("Goedgekeurd"),
        AgreementState.SIGNED: _("Ondertekend"),
    }
    funnel_rows = [
        {
            "label": steps[s],
            "state": state_labels[s.value],
            "reached": counts.reached[s.value],
            "now": counts.by_state[s.value],
        }
        for s in FLOW_STATES
    ]
    funnel_chart = charts.funnel_svg(
        [(row["label"], row["reached"]) for row in funnel_rows],
        chart_id="chart-funnel",
        title=_("Hoe ver komen de afspraken?"),
        description=_(
            "Van de %(total)s afspraken zijn er %(submitted)s ingediend, %(approved)s goedgekeurd "
            "en %(signed)s ondertekend."
        )
        % {
            "total": counts.total,
            "submitted": counts.reached[AgreementState.IN_REVIEW],
            "approved": counts.reached[AgreementState.APPROVED],
            "signed": counts.reached[AgreementState.SIGNED],
        },
        empty_text=_("Er zijn nog geen afspraken."),
    )
    return {
        "funnel_rows": funnel_rows,
        "funnel_chart": funnel_chart,
        "state_rows": [{"label": state_labels[s.value], "count": counts.by_state[s.value]} for s in ALL_STATES],
    }


def _duration_section(request, agreements, *, form, filters, now) -> dict:
    """How long each stage takes: overall median and p90, and the median per municipality as table and chart."""
    durations = cached_durations(request, agreements, form=form, filters=filters, now=now)
    stage_labels = _stage_labels()
    short_labels = _short_stage_labels()
    medians = cached_medians_by_municipality(request, agreements, form=form, filters=filters, now=now)
    by_municipality = rank_municipalities(medians, {m.pk: m.name for m in form.municipalities})
    unit_seconds, unit = _chart_unit(by_municipality)
    time_chart = charts.stacked_bars_svg(
        [row["name"] for row in by_municipality],
        [short_labels[stage] for stage in STAGES],
        [[_in(row["median"][stage], unit_seconds) for stage in STAGES] for row in by_municipality],
        chart_id="chart-time-in-stage",
        title=_("Hoe lang duurt elke stap per gemeente?"),
        description=_(
            "Mediaan in %(unit)s van opstellen, beoordelen en ondertekenen, voor de gemeenten met de meeste "
            "ondertekende afspraken. De tabel eronder geeft dezelfde cijfers."
        )
        % {"unit": unit},
        empty_text=_("Er zijn nog geen ondertekende afspraken."),
        unit=unit,
    )
    return {
        "durations": durations,
        "duration_rows": [
            {
                "label": stage_labels[stage],
                "median": _days_text(durations.median.get(stage)),
                "p90": _days_text(durations.p90.get(stage)),
            }
            for stage in ("total", *STAGES)
        ],
        "stage_headers": [short_labels[stage] for stage in STAGES],
        "time_rows": [
            {
                "name": row["name"],
                "count": row["count"],
                "stages": [_days_text(row["median"][stage]) for stage in STAGES],
                "total": _days_text(row["median"]["total"]),
            }
            for row in by_municipality
        ],
        "time_chart": time_chart,
        "time_chart_caption": _(
            "Mediaan in %(unit)s. Alleen de gemeenten met de meeste ondertekende afspraken staan erin."
        )
        % {"unit": unit},
    }


def _monthly_section(request, agreements, *, now, form, filters) -> dict:
    """Signed agreements per month over the last twelve months."""
    per_month = cached_signed_per_month(request, agreements, now=now, form=form, filters=filters)
    month_chart = charts.columns_svg(
        [(_month_label(m), n) for m, n in per_month],
        chart_id="chart-signed-per-month",
        title=_("Ondertekende afspraken per maand"),
        description=_(
            "In de laatste 12 maanden zijn %(count)s afspraken ondertekend, van %(first)s tot en met %(last)s."
        )
        % {
            "count": sum(n for _m, n in per_month),
            "first": date_format(per_month[0][0], "F Y"),
            "last": date_format(per_month[-1][0], "F Y"),
        },
        empty_text=_("Er zijn nog geen ondertekende afspraken."),
    )
    return {
        "month_rows": [{"month": date_format(m, "F Y"), "count": n} for m, n in per_month],
        "month_chart": month_chart,
    }


def _stalled_row(agreement, *, now, state_labels: dict) -> dict:
    """A stalled agreement: since when, and for whom it waits; a signed one since its commitments last moved."""
    if agreement.state == AgreementState.SIGNED:
        since = agreement.commitments_moved_at or agreement.signed_at
        waiting = _("%(parties)s: de uitvoering staat stil") % {
            "parties": _(" en ").join(p.name for p in agreement.parties)
        }
    else:
        since, waiting = agreement.state_changed_at, _waiting_text(agreement)
    return {
        "agreement": agreement,
        "state": state_labels[agreement.state],
        "since": since,
        "days": days_since(since, now=now),
        "waiting": waiting,
    }


def _stalled_section(request, agreements, *, counts, now, state_labels: dict) -> dict:
    """Stalled agreements, a page at a time, with how long and for whom they wait."""
    stalled_page = _paginate(
        request,
        stalled_agreements(agreements, now=now),
        param="vastgelopen",
        anchor="vastgelopen",
        count=counts.stalled,
    )
    return {
        "stalled": stalled_page,
        "stalled_rows": [_stalled_row(a, now=now, state_labels=state_labels) for a in stalled_page["page"]],
    }


def _lists_section(request, agreements, municipality_rows: list, *, counts, today) -> dict:
    """The paginated lists: municipalities, upcoming evaluations and expiries, and every agreement."""
    return {
        "provinces": provinces_from(municipality_rows),
        "municipalities": _paginate(request, municipality_rows, param="gemeenten", anchor="gemeenten"),
        "evaluations": _paginate(
            request,
            upcoming_evaluations(agreements, today=today),
            param="evaluaties",
            anchor="evaluaties",
            count=counts.evaluations_due,
        ),
        "expiries": _paginate(
            request,
            upcoming_expiries(agreements, today=today),
            param="verloop",
            anchor="verloop",
            count=counts.expiries_due,
        ),
        "agreements": _paginate(
            request, agreement_rows(agreements), param="pagina", anchor="afspraken", count=counts.total
        ),
    }


def _decision_labels() -> dict[str, str]:
    return {
        "on_time": _("genomen, op tijd"),
        "taken_late": _("genomen, later dan afgesproken"),
        "postponed": _("uitgesteld naar een nieuwe datum"),
        "overdue": _("datum voorbij, nog geen uitkomst"),
        "planned": _("nog gepland"),
        "lapsed": pgettext("commitment status", "vervallen"),
    }


def _after_signing_section(request, agreements, *, form, filters, today) -> dict:
    """Commitments, decision moments, evaluations, declined signatures and escalations: figures, tables, charts."""
    figures = cached_after_signing(request, agreements, form=form, filters=filters, today=today)
    commitments = figures["commitments"]
    names = {m.pk: m.name for m in form.municipalities}
    phase_labels = dict(Phase.choices)
    phase_rows = [
        {"label": str(phase_labels[phase]).capitalize(), **commitments.by_phase[phase]}
        for phase in Phase.values
        if phase in commitments.by_phase
    ]
    municipality_ids = set(commitments.by_municipality) | set(commitments.decisions_by_municipality)
    empty_tasks = {"open": 0, "overdue": 0, "done": 0, "total": 0}
    municipality_rows = sorted(
        (
            {
                "name": names.get(pk, ""),
                **commitments.by_municipality.get(pk, empty_tasks),
                "slipped": sum(commitments.decisions_by_municipality.get(pk, {}).get(name, 0) for name in SLIPPED),
            }
            for pk in municipality_ids
        ),
        key=lambda row: (-row["overdue"], row["name"]),
    )
    labels = _decision_labels()
    decision_rows = [
        {"label": labels[name], "count": commitments.decisions.get(name, 0)} for name in DECISION_CATEGORIES
    ]
    evaluations = figures["evaluations"]
    commitments_chart = charts.stacked_bars_svg(
        [row["label"] for row in phase_rows],
        [_("gedaan"), _("open, op tijd"), _("open, te laat")],
        [[row["done"], row["open"] - row["overdue"], row["overdue"]] for row in phase_rows],
        chart_id="chart-commitments",
        title=_("Taken per fase"),
        description=_("Per fase het aantal taken dat gedaan is, open en op tijd, en open en te laat."),
        empty_text=_("Er zijn nog geen taken van ondertekende afspraken."),
        unit=_("taken"),
        value_format=lambda v: number_format(v, 0),
    )
    decisions_chart = charts.stacked_bars_svg(
        [row["label"] for row in decision_rows],
        [_("besluitmomenten")],
        [[row["count"]] for row in decision_rows],
        chart_id="chart-decisions",
        title=_("Besluitmomenten"),
        description=_("Het aantal besluitmomenten per stand: op tijd, later, uitgesteld, over datum, gepland."),
        empty_text=_("Er zijn nog geen besluitmomenten van ondertekende afspraken."),
        unit=_("aantal"),
        value_format=lambda v: number_format(v, 0),
        label_width=250,
    )
    scores_chart = charts.stacked_bars_svg(
        [title for title, _average, _n in evaluations.scores],
        [_("gemiddeld cijfer")],
        [[average] for _title, average, _n in evaluations.scores],
        chart_id="chart-scores",
        title=_("Gemiddeld cijfer per onderdeel"),
        description=_("Het gemiddelde cijfer (1 tot 5) dat de partijen elk onderdeel gaven in afgeronde evaluaties."),
        empty_text=_("Er zijn nog geen afgeronde evaluaties."),
        unit=_("cijfer"),
        value_format=lambda v: number_format(v, 1),
        label_width=270,
    )
    # Under one name: the page's other sections have their own "evaluations" (the upcoming evaluation dates).
    return {
        "commitments": commitments,
        "commitment_phase_rows": phase_rows,
        "commitment_municipality_rows": municipality_rows,
        "decision_rows": decision_rows,
        "evaluations": evaluations,
        "declines_count": figures["declines_count"],
        "declines": figures["declines"],
        "escalations": figures["escalations"],
        "commitments_chart": commitments_chart,
        "decisions_chart": decisions_chart,
        "scores_chart": scores_chart,
        "today": today,
    }


@require_GET
@monitoring_access
def overview(request):
    now = timezone.now()
    today = timezone.localdate(now)
    form, filters = filters_from(request)
    agreements = monitored_agreements(request.user, filters, now=now, scope=request.visibility_scope)
    state_labels = dict(AgreementState.choices)
    municipality_rows = cached_municipality_rows(request, agreements, form=form, filters=filters, now=now, today=today)
    counts = overview_from(municipality_rows)
    context = {
        "form": form,
        "filters": filters,
        "query": request.GET.urlencode(),
        "export_query": urlencode({k: v for k, v in request.GET.items() if k in form.fields}),
        "counts": counts,
        "thresholds": stalled_after_days(),
        "upcoming_days": upcoming_days(),
        "state_labels": state_labels,
        "xlsx_max_rows": export.XLSX_MAX_ROWS,
        **_funnel_section(counts, state_labels),
        **_duration_section(request, agreements, form=form, filters=filters, now=now),
        **_monthly_section(request, agreements, now=now, form=form, filters=filters),
        **_stalled_section(request, agreements, counts=counts, now=now, state_labels=state_labels),
        **_lists_section(request, agreements, municipality_rows, counts=counts, today=today),
        # Lessons the parties shared, by topic and phase: one grouped query over the same agreements.
        "lessons": shared_lesson_counts(agreements),
        "after_signing": _after_signing_section(request, agreements, form=form, filters=filters, today=today),
        "commitments_stalled_days": commitments_stalled_after_days(),
    }
    # When the figures of the long run shown were computed (overview.cached_long_run_figure), for the page to say.
    context["long_run_at"] = getattr(request, "long_run_at", None)
    context["long_run_minutes"] = long_run_minutes()
    return render(request, "monitoring/overview.html", context)
