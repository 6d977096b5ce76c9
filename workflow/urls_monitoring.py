"""The monitoring overview and its export (included from workflow/urls.py)."""

from django.urls import path

from .views import monitoring

app_name = "monitoring"

urlpatterns = [
    path("", monitoring.overview, name="overview"),
    path("export.csv", monitoring.export_csv, name="export_csv"),
    path("export.xlsx", monitoring.export_xlsx, name="export_xlsx"),
]
