"""The monitoring overview for coalition advisors and municipalities, and its export.

Reads only: every figure comes from workflow.statistics, which starts from
the visibility selector. Anyone with a membership may open the page and sees
their own agreements (an initiative's members too); people without any
membership get 403, people who are not signed in go to the sign-in page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET

from agreements.choices import AgreementState, Phase, Province
from agreements.models import Membership

from .. import charts, statistics
from ..statistics import MonitoringFilters

PAGE_SIZE = 25


def _days(value: dt.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 86400


def _days_text(value: dt.timedelta | None) -> str:
    days = _days(value)
    if days is None:
        return "–"
    return _("%(days)s dagen") % {"days": number_format(days, decimal_pos=1, use_l10n=True)}


def monitoring_access(view):
    """Signed in (else to the sign-in page) and a member of at least one organisation (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not Membership.objects.filter(user=request.user).exists():
            raise PermissionDenied(_("Dit overzicht is er voor leden van een organisatie in Samenkader."))
        return view(request, *args, **kwargs)

    return wrapped


class MonitoringFilterForm(forms.Form):
    province = forms.ChoiceField(label=gettext_lazy("Provincie"), required=False)
    municipality = forms.TypedChoiceField(label=gettext_lazy("Gemeente"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    phase = forms.ChoiceField(label=gettext_lazy("Fase"), required=False)
    stalled = forms.BooleanField(label=gettext_lazy("Alleen vastgelopen afspraken"), required=False)

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", pgettext_lazy("filter", "Alle provincies")), *Province.choices]
        self.fields["municipality"].choices = [("", pgettext_lazy("filter", "Alle gemeenten"))] + [
            (m.pk, m.name) for m in municipalities
        ]
        self.fields["state"].choices = [("", pgettext_lazy("filter", "Alle statussen")), *AgreementState.choices]
        self.fields["phase"].choices = [("", pgettext_lazy("filter", "Alle fasen")), *Phase.choices]

    def filters(self) -> MonitoringFilters:
        # An invalid value (an old link, a municipality no longer visible) is
        # left out rather than refused: the rest of the filter still applies.
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return MonitoringFilters(
            province=data.get("province") or "",
            municipality_id=data.get("municipality") or None,
            state=data.get("state") or "",
            phase=data.get("phase") or "",
            stalled_only=bool(data.get("stalled")),
        )


def _filters_from(request) -> tuple[MonitoringFilterForm, MonitoringFilters]:
    municipalities = list(statistics.municipality_options(request.user))
    form = MonitoringFilterForm(request.GET or None, municipalities=municipalities)
    return form, form.filters() if form.is_bound else MonitoringFilters()


def _paginate(request, items, *, param: str, anchor: str) -> dict:
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get(param))

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
    return {"drafting": _("Opstellen"), "review": _("Beoordelen"), "signing": _("Ondertekenen")}


def _waiting_text(agreement) -> str:
    waiting = statistics.waiting_for(agreement)
    if waiting is None:
        return ""
    names = _(" en ").join(p.name for p in waiting.parties)
    if waiting.step == "submit":
        return _("%(party)s: het concept afmaken en indienen") % {"party": names}
    if waiting.step == "review":
        return _("%(party)s: de afspraak beoordelen") % {"party": names}
    return _("%(party)s: ondertekenen") % {"party": names}


def _month_label(month: dt.date) -> str:
    return f"{date_format(month, 'M')}\n{month.year}"


@require_GET
@monitoring_access
def overview(request):
    now = timezone.now()
    today = timezone.localdate(now)
    form, filters = _filters_from(request)
    agreements = statistics.monitored_agreements(request.user, filters, now=now)
    state_labels = dict(AgreementState.choices)

    counts = statistics.overview_counts(agreements, now=now)
    funnel_rows = [
        {"label": state_labels[s.value], "reached": counts.reached[s.value], "now": counts.by_state[s.value]}
        for s in statistics.FLOW_STATES
    ]
    state_rows = [{"label": state_labels[s.value], "count": counts.by_state[s.value]} for s in statistics.ALL_STATES]
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

    durations = statistics.duration_stats(agreements)
    stage_labels = _stage_labels()
    duration_rows = [
        {
            "label": stage_labels[stage],
            "median": _days_text(durations.median.get(stage)),
            "p90": _days_text(durations.p90.get(stage)),
        }
        for stage in ("total", *statistics.STAGES)
    ]

    short_labels = _short_stage_labels()
    by_municipality_time = statistics.duration_by_municipality(agreements)
    time_rows = [
        {
            "name": row["name"],
            "count": row["count"],
            "stages": [_days_text(row["median"][stage]) for stage in statistics.STAGES],
            "total": _days_text(row["median"]["total"]),
        }
        for row in by_municipality_time
    ]
    time_chart = charts.stacked_bars_svg(
        [row["name"] for row in by_municipality_time],
        [short_labels[stage] for stage in statistics.STAGES],
        [[_days(row["median"][stage]) for stage in statistics.STAGES] for row in by_municipality_time],
        chart_id="chart-time-in-stage",
        title=_("Hoe lang duurt elke stap per gemeente?"),
        description=_(
            "Mediaan in dagen van opstellen, beoordelen en ondertekenen, voor de gemeenten met de meeste "
            "ondertekende afspraken. De tabel eronder geeft dezelfde cijfers."
        ),
        empty_text=_("Er zijn nog geen ondertekende afspraken."),
        unit=_("dagen"),
    )

    per_month = statistics.signed_per_month(agreements, now=now)
    month_rows = [{"month": date_format(m, "F Y"), "count": n} for m, n in per_month]
    signed_total = sum(n for _m, n in per_month)
    month_chart = charts.columns_svg(
        [(_month_label(m), n) for m, n in per_month],
        chart_id="chart-signed-per-month",
        title=_("Ondertekende afspraken per maand"),
        description=_(
            "In de laatste 12 maanden zijn %(count)s afspraken ondertekend, van %(first)s tot en met %(last)s."
        )
        % {
            "count": signed_total,
            "first": date_format(per_month[0][0], "F Y"),
            "last": date_format(per_month[-1][0], "F Y"),
        },
        empty_text=_("Er zijn nog geen ondertekende afspraken."),
    )

    stalled_page = _paginate(
        request, statistics.stalled_agreements(agreements, now=now), param="vastgelopen", anchor="vastgelopen"
    )
    stalled_rows = [
        {
            "agreement": a,
            "state": state_labels[a.state],
            "since": a.state_changed_at,
            "days": statistics.days_since(a.state_changed_at, now=now),
            "waiting": _waiting_text(a),
        }
        for a in stalled_page["page"]
    ]

    context = {
        "form": form,
        "filters": filters,
        "query": request.GET.urlencode(),
        "export_query": urlencode({k: v for k, v in request.GET.items() if k in form.fields}),
        "counts": counts,
        "thresholds": statistics.stalled_after_days(),
        "upcoming_days": statistics.upcoming_days(),
        "funnel_rows": funnel_rows,
        "funnel_chart": funnel_chart,
        "state_rows": state_rows,
        "durations": durations,
        "duration_rows": duration_rows,
        "stage_headers": [short_labels[stage] for stage in statistics.STAGES],
        "time_rows": time_rows,
        "time_chart": time_chart,
        "month_rows": month_rows,
        "month_chart": month_chart,
        "provinces": statistics.counts_by_province(agreements, now=now),
        "municipalities": _paginate(
            request, statistics.counts_by_municipality(agreements, now=now), param="gemeenten", anchor="gemeenten"
        ),
        "stalled": stalled_page,
        "stalled_rows": stalled_rows,
        "evaluations": _paginate(
            request, statistics.upcoming_evaluations(agreements, today=today), param="evaluaties", anchor="evaluaties"
        ),
        "expiries": _paginate(
            request, statistics.upcoming_expiries(agreements, today=today), param="verloop", anchor="verloop"
        ),
        "agreements": _paginate(request, statistics.agreement_rows(agreements), param="pagina", anchor="afspraken"),
        "state_labels": state_labels,
    }
    return render(request, "monitoring/overview.html", context)


# --- export ---------------------------------------------------------------------------------

# The columns of the CSV and XLSX export, in order; README.md "Monitoring export" describes them.
EXPORT_COLUMNS = (
    "reference",
    "title",
    "initiative",
    "municipality",
    "municipality_cbs_code",
    "province",
    "phase",
    "state",
    "state_label",
    "in_state_since",
    "days_in_state",
    "stalled",
    "created_at",
    "submitted_at",
    "approved_at",
    "signed_at",
    "days_draft_to_signed",
    "evaluation_date",
    "valid_until",
)

_EXPORT_FIELDS = (
    "reference",
    "title",
    "initiative__name",
    "municipality__name",
    "municipality__cbs_code",
    "municipality__province",
    "phase",
    "state",
    "state_changed_at",
    "is_stalled",
    "created_at",
    "submitted_at",
    "approved_at",
    "signed_at",
    "evaluation_date",
    "valid_until",
)

# A cell that starts with one of these is a formula to a spreadsheet; a title
# typed by a user must never run as one.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value: str) -> str:
    return "'" + value if value and value.startswith(_FORMULA_START) else value


def _export_values(request) -> Iterator[dict]:
    now = timezone.now()
    _form, filters = _filters_from(request)
    agreements = statistics.monitored_agreements(request.user, filters, now=now)
    rows = (
        statistics.agreement_rows(agreements)
        .annotate(is_stalled=ExpressionWrapper(statistics.stalled_condition(now=now), output_field=BooleanField()))
        .values(*_EXPORT_FIELDS)
    )
    # Resolved now, in the request's language: the rows are produced later,
    # while the response streams.
    state_labels = {k: str(v) for k, v in AgreementState.choices}
    tz = timezone.get_current_timezone()
    return _export_rows(rows, state_labels=state_labels, tz=tz, now=now)


def _export_rows(rows, *, state_labels: dict[str, str], tz, now: dt.datetime) -> Iterator[dict]:
    for row in rows.iterator(chunk_size=2000):
        signed_at = row["signed_at"]
        local = {
            name: timezone.localtime(row[name], tz).replace(microsecond=0) if row[name] else None
            for name in ("state_changed_at", "created_at", "submitted_at", "approved_at", "signed_at")
        }
        yield {
            "reference": row["reference"],
            "title": _safe_text(row["title"]),
            "initiative": _safe_text(row["initiative__name"]),
            "municipality": _safe_text(row["municipality__name"]),
            "municipality_cbs_code": row["municipality__cbs_code"] or "",
            "province": row["municipality__province"],
            "phase": row["phase"],
            "state": row["state"],
            "state_label": state_labels.get(row["state"], row["state"]),
            "in_state_since": local["state_changed_at"].date() if local["state_changed_at"] else None,
            "days_in_state": statistics.days_since(row["state_changed_at"], now=now),
            "stalled": 1 if row["is_stalled"] else 0,
            "created_at": local["created_at"],
            "submitted_at": local["submitted_at"],
            "approved_at": local["approved_at"],
            "signed_at": local["signed_at"],
            "days_draft_to_signed": (signed_at - row["created_at"]).days if signed_at else None,
            "evaluation_date": row["evaluation_date"],
            "valid_until": row["valid_until"],
        }


def _export_name(extension: str) -> str:
    return f"samenkader-monitoring-{timezone.localdate():%Y-%m-%d}.{extension}"


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


@require_GET
@monitoring_access
def export_csv(request):
    """The filtered list as CSV (UTF-8, comma, one header row), streamed row by row."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(EXPORT_COLUMNS)
        for row in _export_values(request):
            yield writer.writerow([_csv_cell(row[c]) for c in EXPORT_COLUMNS])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv")}"'
    return response


@require_GET
@monitoring_access
def export_xlsx(request):
    """The same columns as the CSV, as an Excel workbook with real dates and numbers."""
    from openpyxl import Workbook  # only this view needs it

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Afspraken")[:31])
    sheet.append(list(EXPORT_COLUMNS))
    for row in _export_values(request):
        cells = []
        for column in EXPORT_COLUMNS:
            value = row[column]
            # Excel has no time zones: local wall-clock time, as in the CSV.
            if isinstance(value, dt.datetime):
                value = value.replace(tzinfo=None)
            cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("xlsx")}"'
    return response
