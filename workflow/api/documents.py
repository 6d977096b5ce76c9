"""The API's document endpoints: the sealed PDF's metadata and the file itself."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
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


class SignedDocumentFile(APIView):
    """GET /api/v1/agreements/<reference>/document.pdf: the sealed PDF itself."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, reference: str):
        document = signed_document_get_for(request.user, reference=reference)
        return pdf_response(document.file, f"{reference}-v{document.version.number}-ondertekend.pdf")
