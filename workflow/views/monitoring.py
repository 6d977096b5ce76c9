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
from django.db import transaction
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
# openpyxl writes about 2,000 rows a second: past this an Excel file would keep a
# web process busy too long. The CSV export streams and has no limit.
XLSX_MAX_ROWS = 10_000


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

    municipality_rows = statistics.counts_by_municipality(agreements, now=now, today=today)
    counts = statistics.overview_from(municipality_rows)
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
        request,
        statistics.stalled_agreements(agreements, now=now),
        param="vastgelopen",
        anchor="vastgelopen",
        count=counts.stalled,
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
        "provinces": statistics.provinces_from(municipality_rows),
        "municipalities": _paginate(request, municipality_rows, param="gemeenten", anchor="gemeenten"),
        "stalled": stalled_page,
        "stalled_rows": stalled_rows,
        "evaluations": _paginate(
            request,
            statistics.upcoming_evaluations(agreements, today=today),
            param="evaluaties",
            anchor="evaluaties",
            count=counts.evaluations_due,
        ),
        "expiries": _paginate(
            request,
            statistics.upcoming_expiries(agreements, today=today),
            param="verloop",
            anchor="verloop",
            count=counts.expiries_due,
        ),
        "agreements": _paginate(
            request, statistics.agreement_rows(agreements), param="pagina", anchor="afspraken", count=counts.total
        ),
        "state_labels": state_labels,
        "xlsx_max_rows": XLSX_MAX_ROWS,
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


def _export_values(request) -> Iterator[tuple]:
    """The export's rows, as tuples in EXPORT_COLUMNS order."""
    now = timezone.now()
    _form, filters = _filters_from(request)
    agreements = statistics.monitored_agreements(request.user, filters, now=now)
    rows = (
        statistics.agreement_rows(agreements)
        .annotate(is_stalled=ExpressionWrapper(statistics.stalled_condition(now=now), output_field=BooleanField()))
        .values_list(*_EXPORT_FIELDS)
    )
    # Resolved now, in the request's language: the rows are produced later,
    # while the response streams.
    state_labels = {k: str(v) for k, v in AgreementState.choices}
    tz = timezone.get_current_timezone()
    return _export_rows(rows, state_labels=state_labels, tz=tz, now=now)


def _export_rows(rows, *, state_labels: dict[str, str], tz, now: dt.datetime) -> Iterator[tuple]:
    def local(moment: dt.datetime | None) -> dt.datetime | None:
        return moment.astimezone(tz).replace(microsecond=0) if moment else None

    for (
        reference,
        title,
        initiative,
        municipality,
        cbs_code,
        province,
        phase,
        state,
        state_changed_at,
        is_stalled,
        created_at,
        submitted_at,
        approved_at,
        signed_at,
        evaluation_date,
        valid_until,
    ) in rows.iterator(chunk_size=2000):
        yield (
            reference,
            _safe_text(title),
            _safe_text(initiative),
            _safe_text(municipality),
            cbs_code or "",
            province,
            phase,
            state,
            state_labels.get(state, state),
            state_changed_at.astimezone(tz).date(),
            max(0, (now - state_changed_at).days),
            1 if is_stalled else 0,
            local(created_at),
            local(submitted_at),
            local(approved_at),
            local(signed_at),
            (signed_at - created_at).days if signed_at else None,
            evaluation_date,
            valid_until,
        )


def _export_name(extension: str) -> str:
    return f"samenkader-monitoring-{timezone.localdate():%Y-%m-%d}.{extension}"


def _csv_cell(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    return value


@require_GET
@monitoring_access
def export_csv(request):
    """The filtered list as CSV (UTF-8, comma, one header row), streamed in blocks of rows."""

    def blocks() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        # Inside a transaction the rows come from a cursor as the response
        # streams, instead of being materialised first.
        with transaction.atomic():
            for number, row in enumerate(_export_values(request), start=1):
                writer.writerow([_csv_cell(value) for value in row])
                if number % 1000 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    response = StreamingHttpResponse(blocks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv")}"'
    return response


@require_GET
@monitoring_access
def export_xlsx(request):
    """The same columns as the CSV, as an Excel workbook with real dates and numbers."""
    from openpyxl import Workbook  # only this view needs it

    _form, filters = _filters_from(request)
    if statistics.monitored_agreements(request.user, filters).count() > XLSX_MAX_ROWS:
        message = _("Een Excel-bestand kan tot %(max)s afspraken bevatten. Kies meer filters, of download als CSV.") % {
            "max": XLSX_MAX_ROWS
        }
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Afspraken")[:31])
    sheet.append(list(EXPORT_COLUMNS))
    with transaction.atomic():
        for row in _export_values(request):
            # Excel has no time zones: local wall-clock time, as in the CSV.
            sheet.append([v.replace(tzinfo=None) if isinstance(v, dt.datetime) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("xlsx")}"'
    return response
