"""Downloads of the signed record: the sealed PDF, and draft previews made by the worker.

Who may download: the parties' members and granted advisors (the visibility
selector); for everyone else the agreement does not exist (404).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.models import DocumentPreview

from .. import documents
from ..exceptions import ServiceError
from ..selectors import agreement_get_for
from .errors import service_error_response


def _pdf_response(file, filename: str) -> FileResponse:
    response = FileResponse(file.open("rb"), content_type="application/pdf", as_attachment=True, filename=filename)
    # The record is private to the parties: never in a shared cache.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_GET
@login_required
def signed_download(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        document = documents.signed_document_get_for(request.user, reference=reference)
    except ServiceError as error:
        return service_error_response(request, error)
    return _pdf_response(document.file, f"{reference}-v{document.version.number}-ondertekend.pdf")


# --- Previews ---------------------------------------------------------------------------------


def _preview_context(preview: DocumentPreview | None, agreement) -> dict:
    current = agreement.current_version()
    outdated = bool(preview and current and (preview.version_id != current.pk or preview.revision != current.revision))
    return {
        "agreement": agreement,
        "preview": preview,
        "outdated": outdated,
        "busy": bool(preview and preview.status in (DocumentPreview.Status.PENDING, DocumentPreview.Status.RENDERING)),
        "ready": bool(preview and preview.status == DocumentPreview.Status.READY),
        "failed": bool(preview and preview.status == DocumentPreview.Status.FAILED),
        "can_request": agreement.state in documents.PREVIEW_STATES,
    }


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def preview(request: HttpRequest, reference: str) -> HttpResponse:
    """GET: the state of the newest preview. POST: ask the worker for one (never rendered in this request)."""
    try:
        agreement = agreement_get_for(request.user, reference=reference)
        if request.method == "POST":
            made = documents.document_preview_request(agreement=agreement, actor=request.user)
            return redirect(reverse("documents:preview", kwargs={"reference": reference}) + f"?id={made.pk}")
        latest = documents.document_preview_latest_for(request.user, agreement=agreement)
    except ServiceError as error:
        return service_error_response(request, error)
    context = _preview_context(latest, agreement)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(
            {
                "status": latest.status if latest else None,
                "busy": context["busy"],
                "ready": context["ready"],
                "failed": context["failed"],
                "outdated": context["outdated"],
                "download_url": reverse("documents:preview_download", kwargs={"reference": reference, "pk": latest.pk})
                if context["ready"]
                else "",
            }
        )
    return render(request, "documents/preview.html", context)


@never_cache
@require_GET
@login_required
def preview_download(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    try:
        made = documents.document_preview_get_for(request.user, reference=reference, preview_id=pk)
    except ServiceError as error:
        return service_error_response(request, error)
    if made.status != DocumentPreview.Status.READY or not made.file:
        raise Http404
    return _pdf_response(made.file, f"{reference}-v{made.version.number}-concept.pdf")


# --- API ----------------------------------------------------------------------------------------


class SignedDocumentMeta(APIView):
    """GET /api/v1/agreements/<reference>/document/: what the sealed PDF is (hash, size, certificate)."""

    @extend_schema(
        responses=inline_serializer(
            "SignedDocument",
            {
                "reference": serializers.CharField(),
                "version": serializers.IntegerField(),
                "sha256": serializers.CharField(),
                "size": serializers.IntegerField(),
                "variant": serializers.CharField(),
                "certificate_fingerprint": serializers.CharField(),
                "created_at": serializers.DateTimeField(),
                "download_url": serializers.URLField(),
            },
        )
    )
    def get(self, request, reference: str):
        document = documents.signed_document_get_for(request.user, reference=reference)
        return Response(
            {
                "reference": reference,
                "version": document.version.number,
                "sha256": document.sha256,
                "size": document.size,
                "variant": document.variant,
                "certificate_fingerprint": document.certificate_fingerprint,
                "created_at": document.created_at.isoformat(),
                "download_url": request.build_absolute_uri(
                    reverse("documents:api_signed_pdf", kwargs={"reference": reference})
                ),
            }
        )


class SignedDocumentFile(APIView):
    """GET /api/v1/agreements/<reference>/document.pdf: the sealed PDF itself."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, reference: str):
        document = documents.signed_document_get_for(request.user, reference=reference)
        return _pdf_response(document.file, f"{reference}-v{document.version.number}-ondertekend.pdf")
