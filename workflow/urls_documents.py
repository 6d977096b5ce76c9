"""The signed record's pages: downloads, draft previews, the public verification page, and the API download."""

from django.urls import path

from .views import documents, verify

app_name = "documents"

urlpatterns = [
    path("afspraken/<str:reference>/ondertekend.pdf", documents.signed_download, name="signed"),
    path("afspraken/<str:reference>/voorbeeld-pdf/", documents.preview, name="preview"),
    path("afspraken/<str:reference>/voorbeeld-pdf/<int:pk>.pdf", documents.preview_download, name="preview_download"),
    path("controleren/", verify.verify, name="verify"),
    path("api/v1/agreements/<str:reference>/document/", documents.SignedDocumentMeta.as_view(), name="api_signed"),
    path(
        "api/v1/agreements/<str:reference>/document.pdf", documents.SignedDocumentFile.as_view(), name="api_signed_pdf"
    ),
]
