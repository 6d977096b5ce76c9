"""The API's document endpoints: the sealed PDF (its description and the file), and previews of the draft."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.models import DocumentPreview
from workflow.core.exceptions import NotFound
from workflow.core.visibility import agreement_get_for
from workflow.documents.dossier import dossier_latest_for, dossier_request
from workflow.documents.previews import document_preview_request
from workflow.documents.selectors import document_preview_get_for, document_preview_status_for, signed_document_get_for
from workflow.models import DossierExport
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


class FileRenderer(BaseRenderer):
    """Lets a client ask for a file's own media type (``Accept: application/pdf``); the view answers with the
    file itself, so this renders nothing but what it is given."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class PdfRenderer(FileRenderer):
    media_type = "application/pdf"
    format = "pdf"


class ZipRenderer(FileRenderer):
    media_type = "application/zip"
    format = "zip"


class CsvRenderer(FileRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"


class FileDownload(APIView):
    """A download that accepts its file's media type as well as JSON (and ``*/*``); an error is always JSON, in
    the API's shape, whatever the client asked for. Subclasses name their file's renderer first."""

    renderer_classes = [PdfRenderer, JSONRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and isinstance(getattr(response, "accepted_renderer", None), FileRenderer):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response


class SignedDocumentFile(FileDownload):
    """GET /api/v1/agreements/<reference>/document.pdf: the sealed PDF itself."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, reference: str):
        document = signed_document_get_for(request.user, reference=reference)
        return pdf_response(document.file, f"{reference}-v{document.version.number}-ondertekend.pdf")


class PreviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=DocumentPreview.Status.choices, allow_null=True)
    marking = serializers.ChoiceField(choices=DocumentPreview.Marking.choices, allow_null=True)
    version = serializers.IntegerField(allow_null=True)
    revision = serializers.IntegerField(allow_null=True)
    outdated = serializers.BooleanField(help_text="The draft changed after this preview was made: ask again.")
    download_url = serializers.URLField(allow_null=True, help_text="Once ready: the PDF.")


def _preview_body(request, reference: str, status: dict) -> dict:
    preview = status["preview"]
    return {
        "id": preview.pk if preview else None,
        "status": preview.status if preview else None,
        "marking": preview.marking if preview else None,
        "version": preview.version.number if preview else None,
        "revision": preview.revision if preview else None,
        "outdated": status["outdated"],
        "download_url": request.build_absolute_uri(
            reverse("api-agreement-preview-pdf", kwargs={"reference": reference, "preview_id": preview.pk})
        )
        if status["ready"]
        else None,
    }


class Preview(APIView):
    """A PDF of the draft (marked CONCEPT) or of the approved version, made by the worker; never the signed record.

    POST asks for one (202; asking again for the same revision gives the same preview), GET says how far it is.
    """

    @extend_schema(responses=PreviewSerializer)
    def get(self, request, reference: str):
        agreement = agreement_get_for(request.user, reference=reference)
        return Response(
            _preview_body(request, reference, document_preview_status_for(request.user, agreement=agreement))
        )

    @extend_schema(request=None, responses={202: PreviewSerializer})
    def post(self, request, reference: str):
        agreement = agreement_get_for(request.user, reference=reference)
        document_preview_request(agreement=agreement, actor=request.user)
        status = document_preview_status_for(request.user, agreement=agreement)
        return Response(_preview_body(request, reference, status), status=202)


class PreviewFile(FileDownload):
    """GET: a preview's PDF once the worker made it (404 before)."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, reference: str, preview_id: int):
        preview = document_preview_get_for(request.user, reference=reference, preview_id=preview_id)
        if preview.status != DocumentPreview.Status.READY or not preview.file:
            raise NotFound(_("Dit voorbeeld is nog niet klaar."))
        return pdf_response(preview.file, f"{reference}-v{preview.version.number}-{preview.file_word}.pdf")


class DossierSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=DossierExport.Status.choices, allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    sha256 = serializers.CharField(allow_blank=True, help_text="Of the ZIP; the manifest in it lists each file's.")
    size = serializers.IntegerField()
    download_url = serializers.URLField(allow_null=True)


def _dossier_body(request, reference: str, export) -> dict:
    ready = export is not None and export.status == DossierExport.Status.READY
    return {
        "id": export.pk if export else None,
        "status": export.status if export else None,
        "finished_at": export.finished_at if export else None,
        "sha256": export.sha256 if export else "",
        "size": export.size if export else 0,
        "download_url": request.build_absolute_uri(
            reverse("api-agreement-dossier-zip", kwargs={"reference": reference, "export_id": export.pk})
        )
        if ready
        else None,
    }


class Dossier(APIView):
    """The whole dossier as one ZIP with a manifest (for the parties' members): POST asks the worker to make it
    as it is now (202; nothing changed since the last one: the same export), GET says how far it is."""

    @extend_schema(responses=DossierSerializer)
    def get(self, request, reference: str):
        agreement = agreement_get_for(request.user, reference=reference)
        return Response(_dossier_body(request, reference, dossier_latest_for(request.user, agreement=agreement)))

    @extend_schema(request=None, responses={202: DossierSerializer})
    def post(self, request, reference: str):
        agreement = agreement_get_for(request.user, reference=reference)
        export = dossier_request(agreement=agreement, actor=request.user)
        return Response(_dossier_body(request, reference, export), status=202)


class DossierFile(FileDownload):
    """GET: the dossier's ZIP once the worker made it."""

    renderer_classes = [ZipRenderer, JSONRenderer]

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request, reference: str, export_id: int):
        agreement = agreement_get_for(request.user, reference=reference)
        export = dossier_latest_for(request.user, agreement=agreement)
        if export is None or export.pk != export_id or export.status != DossierExport.Status.READY:
            raise NotFound(_("Dit dossier bestaat niet of is nog niet klaar."))
        return pdf_response(export.file, f"dossier-{reference}.zip", content_type="application/zip")
