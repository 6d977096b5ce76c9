"""The monitoring overview and its export."""

from django.urls import path

from workflow.monitoring import export, views

app_name = "monitoring"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.csv", export.export_csv, name="export_csv"),
    path("export-excel-nl.csv", export.export_csv_excel_nl, name="export_csv_excel_nl"),
    path("export.xlsx", export.export_xlsx, name="export_xlsx"),
    path("uitvoering.csv", export.export_commitments_csv, name="export_commitments_csv"),
]
