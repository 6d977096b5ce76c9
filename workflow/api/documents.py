"""The API's document endpoints: the sealed PDF's metadata and the file itself."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from workflow.documents.selectors import signed_document_get_for
from workflow.web.responses import pdf_response


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
        document = signed_document_get_for(request.user, reference=reference)
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
                    reverse("api-agreement-document-pdf", kwargs={"reference": reference})
                ),
            }
        )


class PdfRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; the view answers with the file itself."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class SignedDocumentFile(APIView):
    """GET /api/v1/agreements/<reference>/document.pdf: the sealed PDF itself.

    Accepts ``application/pdf`` as well as JSON (and ``*/*``); an error is always JSON, in the API's shape.
    """

    renderer_classes = [PdfRenderer, JSONRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and isinstance(getattr(response, "accepted_renderer", None), PdfRenderer):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, reference: str):
        document = signed_document_get_for(request.user, reference=reference)
        return pdf_response(document.file, f"{reference}-v{document.version.number}-ondertekend.pdf")
