"""The progress overview's figures and its export through the API, with the page's filters.

The same figures as ``/voortgang/`` (and the same cache): counts per state and per municipality, the
funnel, how long each stage takes, signed per month, and after signing (commitments, decision moments, evaluations,
declined signatures, open escalations); the export is the page's CSV, streamed.
Query parameters as on the page: ``province``, ``municipality`` (an id), ``state``, ``phase``, ``stalled``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.choices import AgreementState, Phase, Province
from agreements.sections import SECTION_DEFINITIONS
from workflow.api.documents import CsvRenderer, FileDownload
from workflow.core.exceptions import NotPermitted
from workflow.monitoring.export import csv_export_response
from workflow.monitoring.forms import filters_from, prepare_monitoring_request
from workflow.monitoring.overview import (
    cached_after_signing,
    cached_durations,
    cached_municipality_rows,
    cached_signed_per_month,
)
from workflow.monitoring.statistics import STAGES, monitored_agreements, overview_from

FILTERS = [
    OpenApiParameter("province", str, enum=Province.values, required=False),
    OpenApiParameter("municipality", int, required=False, description="A municipality's id."),
    OpenApiParameter("state", str, enum=AgreementState.values, required=False),
    OpenApiParameter("phase", str, enum=Phase.values, required=False),
    OpenApiParameter("stalled", bool, required=False, description="Only agreements that stalled."),
]


def _prepared(request):
    """The Django request under DRF's, set up as the page's ``monitoring_access`` does (the person is DRF's)."""
    django_request = request._request
    try:
        prepare_monitoring_request(django_request)
    except PermissionDenied as refused:
        raise NotPermitted(str(refused)) from None
    return django_request


def _days(value) -> float | None:
    return None if value is None else round(value.total_seconds() / 86400, 2)


class MonitoringFiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    stalled = serializers.IntegerField()
    by_state = serializers.DictField(child=serializers.IntegerField())
    reached = serializers.DictField(child=serializers.IntegerField(), help_text="How many ever reached each step.")
    evaluations_due = serializers.IntegerField()
    expiries_due = serializers.IntegerField()
    durations = serializers.DictField(help_text="signed: how many; median_days and p90_days per stage and in total.")
    signed_per_month = serializers.ListField(child=serializers.DictField(), help_text="month (YYYY-MM), count")
    municipalities = serializers.ListField(child=serializers.DictField(), help_text="Every count per municipality.")
    after_signing = serializers.DictField(
        help_text=(
            "The signed agreements' tasks (open, overdue, done, total) in all, per phase and per municipality id; "
            "decision moments per category (on_time, taken_late, postponed, overdue, planned, lapsed); evaluations "
            "(completed, running, overdue, missed, average score per section key); declined signatures; open "
            "escalations."
        )
    )


class MonitoringFigures(APIView):
    """GET: the figures of the progress overview, for what you may see, narrowed by the page's filters."""

    @extend_schema(parameters=FILTERS, responses=MonitoringFiguresSerializer)
    def get(self, request):
        django_request = _prepared(request)
        now = timezone.now()
        form, filters = filters_from(django_request)
        agreements = monitored_agreements(request.user, filters, now=now, scope=django_request.visibility_scope)
        rows = cached_municipality_rows(
            django_request, agreements, form=form, filters=filters, now=now, today=timezone.localdate(now)
        )
        counts = overview_from(rows)
        durations = cached_durations(django_request, agreements, form=form, filters=filters, now=now)
        per_month = cached_signed_per_month(django_request, agreements, now=now, form=form, filters=filters)
        stages = ("total", *STAGES)
        after = cached_after_signing(
            django_request, agreements, form=form, filters=filters, today=timezone.localdate(now)
        )
        return Response(
            {
                "total": counts.total,
                "stalled": counts.stalled,
                "by_state": counts.by_state,
                "reached": counts.reached,
                "evaluations_due": counts.evaluations_due,
                "expiries_due": counts.expiries_due,
                "durations": {
                    "signed": durations.count,
                    "median_days": {stage: _days(durations.median.get(stage)) for stage in stages},
                    "p90_days": {stage: _days(durations.p90.get(stage)) for stage in stages},
                },
                "signed_per_month": [{"month": f"{month:%Y-%m}", "count": n} for month, n in per_month],
                "municipalities": rows,
                "after_signing": _after_signing(after),
            }
        )


def _after_signing(figures: dict) -> dict:
    commitments, evaluations = figures["commitments"], figures["evaluations"]
    titles = {str(d.title): d.key for d in SECTION_DEFINITIONS}
    return {
        "tasks": commitments.tasks,
        "tasks_by_phase": commitments.by_phase,
        "tasks_by_municipality": commitments.by_municipality,
        "decision_moments": commitments.decisions,
        "evaluations": {
            "completed": evaluations.completed,
            "running": evaluations.running,
            "overdue": evaluations.overdue,
            "missed": evaluations.missed,
            "average_score": {titles.get(title, title): round(average, 2) for title, average, _n in evaluations.scores},
        },
        "declined_signatures": figures["declines_count"],
        "open_escalations": len(figures["escalations"]),
    }


class MonitoringExport(FileDownload):
    """GET: the page's export as CSV (RFC 4180, UTF-8), streamed: every agreement the filters keep."""

    renderer_classes = [CsvRenderer, JSONRenderer]

    @extend_schema(parameters=FILTERS, responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request):
        return csv_export_response(_prepared(request), delimiter=",", excel_nl=False)
