"""The signed record's pages: downloads, draft previews and the public verification page."""

from django.urls import path

from workflow.documents.views import downloads, verify

app_name = "documents"

urlpatterns = [
    path("afspraken/<str:reference>/ondertekend.pdf", downloads.signed_download, name="signed"),
    path("afspraken/<str:reference>/voorbeeld-pdf/", downloads.preview, name="preview"),
    path("afspraken/<str:reference>/voorbeeld-pdf/<int:pk>.pdf", downloads.preview_download, name="preview_download"),
    path("afspraken/<str:reference>/dossier/", downloads.dossier, name="dossier"),
    path("afspraken/<str:reference>/dossier/<int:pk>.zip", downloads.dossier_download, name="dossier_download"),
    path("controleren/", verify.verify, name="verify"),
]
