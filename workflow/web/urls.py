"""Pages that belong to no concern: the health check and the statements in the footer."""

from django.urls import path

from workflow.web import pages
from workflow.web.health import healthz, readyz
from workflow.web.metrics import metrics

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("toegankelijkheid/", pages.accessibility, name="accessibility"),
    path("privacy/", pages.privacy, name="privacy"),
]
