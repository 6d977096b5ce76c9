"""The monitoring export: the overview's agreements as CSV (streamed; standard, or for Dutch Excel) or XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agreements.choices import OPEN_COMMITMENT_STATUSES, AgreementState
from agreements.models import Commitment
from workflow.monitoring.forms import filters_from, monitoring_access
from workflow.monitoring.statistics import agreement_rows, monitored_agreements, stalled_condition

# openpyxl writes about 2,000 rows a second: past this an Excel file would keep a
# web process busy too long. The CSV export streams and has no limit.
XLSX_MAX_ROWS = 10_000

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
    "initiative_name",
    "municipality_name",
    "cbs_code",
    "province",
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


def _export_listing(agreements, *, now: dt.datetime):
    """The agreements with the export's columns, in _EXPORT_FIELDS order; the parties' columns under a name of
    their own, so the SQL that writes the lines (``_sql_csv_blocks``) can refer to them."""
    return (
        agreement_rows(agreements)
        .annotate(
            is_stalled=ExpressionWrapper(stalled_condition(now=now), output_field=BooleanField()),
            initiative_name=F("initiative__name"),
            municipality_name=F("municipality__name"),
            cbs_code=F("municipality__cbs_code"),
            province=F("municipality__province"),
        )
        .values_list(*_EXPORT_FIELDS)
    )


# A cell that starts with one of these is a formula to a spreadsheet; a title
# typed by a user must never run as one.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value: str) -> str:
    return "'" + value if value and value.startswith(_FORMULA_START) else value


def _export_values(request) -> Iterator[tuple]:
    """The export's rows, as tuples in EXPORT_COLUMNS order."""
    now = timezone.now()
    _form, filters = filters_from(request)
    agreements = monitored_agreements(request.user, filters, now=now, scope=request.visibility_scope)
    rows = _export_listing(agreements, now=now)
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


# On PostgreSQL the database writes each CSV line itself: parsing every timestamp into Python
# and formatting it again took most of a 100,000-row export. The SQL writes exactly what the
# csv module writes from _export_rows (a test compares them): text quoted with doubled quotes,
# formulas neutralised as in _safe_text, whole numbers bare, an empty cell as "". Under the
# session's time zone (the request's, for the transaction) to_char gives the ISO 8601 moment
# to the second with its offset, as _csv_cell(local(value)) does.
EXPORT_WORK_MEM = "64MB"


def _text(sql: str) -> str:
    return "'\"' || replace(" + sql + ", '\"', '\"\"') || '\"'"


def _safe(sql: str) -> str:
    starts = ", ".join(f"'{c}'" for c in _FORMULA_START if c.isprintable()) + ", chr(9), chr(13)"
    return f"CASE WHEN left({sql}, 1) IN ({starts}) THEN '''' || {sql} ELSE {sql} END"


def _moment(column: str) -> str:
    return _text("COALESCE(to_char(listed." + column + ", 'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM'), '')")


def _date(column: str) -> str:
    return _text(f"COALESCE(to_char(listed.{column}, 'YYYY-MM-DD'), '')")


_CELLS = (
    _text("listed.reference"),
    _text(_safe("listed.title")),
    _text(_safe("listed.initiative_name")),
    _text(_safe("listed.municipality_name")),
    _text("COALESCE(listed.cbs_code, '')"),
    _text("listed.province"),
    _text("listed.phase"),
    _text("listed.state"),
    _text("COALESCE(%s::jsonb ->> listed.state, listed.state)"),
    _date("state_changed_at"),
    "GREATEST(0, FLOOR(EXTRACT(EPOCH FROM (%s - listed.state_changed_at)) / 86400))::integer::text",
    "CASE WHEN listed.is_stalled THEN '1' ELSE '0' END",
    *(_moment(name) for name in ("created_at", "submitted_at", "approved_at", "signed_at")),
    "COALESCE(FLOOR(EXTRACT(EPOCH FROM (listed.signed_at - listed.created_at)) / 86400)::integer::text, '\"\"')",
    _date("evaluation_date"),
    _date("valid_until"),
)
_LINE_SQL = "concat_ws(%s, " + ", ".join(_CELLS) + ")"


def _sql_csv_blocks(request, *, delimiter: str) -> Iterator[str]:
    """The export's lines, written by PostgreSQL, in blocks of 5,000; call inside a transaction.

    The list is sorted with its plain columns first and formatted after: the
    sort moves narrow rows, in memory.
    """
    now = timezone.now()
    _form, filters = filters_from(request)
    agreements = monitored_agreements(request.user, filters, now=now, scope=request.visibility_scope)
    listed = _export_listing(agreements, now=now)
    inner, params = listed.query.sql_with_params()
    state_labels = json.dumps({k: str(v) for k, v in AgreementState.choices})
    settings = "SELECT set_config('TimeZone', %s, true), set_config('work_mem', %s, true)"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('TimeZone'), current_setting('work_mem')")
        previous = cursor.fetchone()
        # The request's time zone, and room to sort the list in memory, while the lines are read.
        cursor.execute(settings, [str(timezone.get_current_timezone()), EXPORT_WORK_MEM])
    try:
        with connection.chunked_cursor() as cursor:
            # The SQL is ours (a constant and the ORM's compiled query); every value goes in as a parameter.
            line_sql = f"SELECT {_LINE_SQL} FROM ({inner}) listed"  # nosec B608 # no user text in the SQL
            cursor.execute(line_sql, (delimiter, state_labels, now, *params))
            while rows := cursor.fetchmany(5000):
                yield "".join(line + "\r\n" for (line,) in rows)
    finally:
        # Put back at once: inside an outer transaction the setting would outlive this one, and
        # Django reads every timestamp as the connection's time zone (UTC).
        with connection.cursor() as cursor:
            cursor.execute(settings, list(previous))


def _export_name(extension: str) -> str:
    return f"samenkader-monitoring-{timezone.localdate():%Y-%m-%d}.{extension}"


def _csv_cell(value) -> str | int:
    if value is None:
        return ""
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    return value


def _csv_blocks(buffer: io.StringIO, writer, rows) -> Iterator[str]:
    """Write ``rows`` through ``writer`` into ``buffer``, handing out what it holds every 2,000 rows (the caller
    hands out the rest)."""
    for number, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(value) for value in row])
        if number % 2000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()


def csv_export_response(request, *, delimiter: str, excel_nl: bool) -> StreamingHttpResponse:
    """The filtered list as CSV (UTF-8, one header row of EXPORT_COLUMNS), streamed in blocks of rows.

    Every text cell is quoted, numbers are not: a `;` or `,` in a title never
    starts a new cell, whichever separator a spreadsheet assumes.
    """

    def blocks() -> Iterator[str]:
        buffer = io.StringIO()
        if excel_nl:
            # The byte order mark tells Excel the file is UTF-8 (ë, €); without it Excel reads Windows-1252.
            buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_NONNUMERIC)
        writer.writerow(EXPORT_COLUMNS)
        # Inside a transaction the rows come from a cursor as the response
        # streams, instead of being materialised first.
        with transaction.atomic():
            if connection.vendor == "postgresql":
                yield buffer.getvalue()
                yield from _sql_csv_blocks(request, delimiter=delimiter)
                return
            yield from _csv_blocks(buffer, writer, _export_values(request))
        yield buffer.getvalue()

    response = StreamingHttpResponse(blocks(), content_type="text/csv; charset=utf-8")
    name = _export_name("excel-nl.csv" if excel_nl else "csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@monitoring_access
def export_csv(request):
    """Standard CSV (RFC 4180): comma-separated UTF-8 without a byte order mark, for scripts and most tools."""
    return csv_export_response(request, delimiter=",", excel_nl=False)


@require_GET
@monitoring_access
def export_csv_excel_nl(request):
    """The same CSV for Excel with Dutch regional settings: `;` between cells and a UTF-8 byte order mark.

    Dutch Excel splits on `;` (the comma is its decimal sign) and reads a file
    without a byte order mark as Windows-1252, which garbles ë and €.
    """
    return csv_export_response(request, delimiter=";", excel_nl=True)


@require_GET
@monitoring_access
def export_xlsx(request):
    """The same columns as the CSV, as an Excel workbook with real dates and numbers."""
    from openpyxl import Workbook  # only this view needs it

    _form, filters = filters_from(request)
    if monitored_agreements(request.user, filters, scope=request.visibility_scope).count() > XLSX_MAX_ROWS:
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


# --- after signing: one row per commitment of the signed agreements ------------------------------------

# The columns of the commitments export, in order; README.md "Monitoring export" describes them.
COMMITMENT_COLUMNS = (
    "reference",
    "title",
    "municipality",
    "municipality_cbs_code",
    "kind",
    "commitment",
    "phase",
    "deciding_body",
    "responsible",
    "status",
    "outcome",
    "signed_date",
    "planned_date",
    "actual_date",
    "overdue",
    "last_updated",
)


def _commitment_values(request) -> Iterator[tuple]:
    """The commitments of the signed agreements the overview shows with its filters, as COMMITMENT_COLUMNS."""
    now = timezone.now()
    today = timezone.localdate(now)
    _form, filters = filters_from(request)
    agreements = monitored_agreements(request.user, filters, now=now, scope=request.visibility_scope)
    rows = (
        Commitment.objects.filter(agreement__in=agreements.filter(state=AgreementState.SIGNED).values("pk"))
        .order_by("agreement__reference", "kind", "position")
        .values_list(
            "agreement__reference",
            "agreement__title",
            "agreement__municipality__name",
            "agreement__municipality__cbs_code",
            "kind",
            "title",
            "phase",
            "deciding_body",
            "responsible",
            "status",
            "outcome",
            "signed_date",
            "planned_date",
            "actual_date",
            "updated_at",
        )
    )
    tz = timezone.get_current_timezone()
    is_open = {status.value for status in OPEN_COMMITMENT_STATUSES}
    for (
        reference,
        title,
        municipality,
        cbs_code,
        kind,
        commitment,
        phase,
        body,
        responsible,
        status,
        outcome,
        signed_date,
        planned_date,
        actual_date,
        updated_at,
    ) in rows.iterator(chunk_size=2000):
        overdue = status in is_open and planned_date is not None and planned_date < today
        yield (
            reference,
            _safe_text(title),
            _safe_text(municipality),
            cbs_code or "",
            kind,
            _safe_text(commitment),
            phase,
            body,
            responsible,
            status,
            outcome,
            signed_date,
            planned_date,
            actual_date,
            int(overdue),
            updated_at.astimezone(tz).replace(microsecond=0),
        )


@require_GET
@monitoring_access
def export_commitments_csv(request):
    """Every commitment of the signed agreements in the overview (its filters), as standard CSV, streamed."""

    def blocks() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
        writer.writerow(COMMITMENT_COLUMNS)
        with transaction.atomic():  # a server-side cursor on PostgreSQL while the response streams
            yield from _csv_blocks(buffer, writer, _commitment_values(request))
        yield buffer.getvalue()

    response = StreamingHttpResponse(blocks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name("uitvoering.csv")}"'
    return response
