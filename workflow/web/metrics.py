"""/metrics in Prometheus's text format, for an allow-listed address or with the token.

Request latency by route comes from django-prometheus (per process; with
PROMETHEUS_MULTIPROC_DIR set, gunicorn's workers are added up); the database's
figures from ``core.metrics``. Anyone else gets a 404: the page does not exist
for them.
"""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess

from workflow.core.metrics import DatabaseFiguresCollector
from workflow.web.ratelimit import client_address

_database_figures = CollectorRegistry(auto_describe=False)
_database_figures.register(DatabaseFiguresCollector())


def metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    offered = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    return client_address(request) in settings.METRICS_ALLOWED_IPS


def _process_registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


@never_cache
@require_GET
def metrics(request):
    if not metrics_allowed(request):
        raise Http404
    body = generate_latest(_process_registry()) + generate_latest(_database_figures)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
