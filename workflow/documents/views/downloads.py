"""Downloads of the signed record: the sealed PDF, and previews made by the worker (a draft's CONCEPT, and the
approved version before signing).

Who may download: the parties' members and granted advisors (the visibility
selector); for everyone else the agreement does not exist (404)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from agreements.models import DocumentPreview
from workflow.core.access import is_party_member
from workflow.core.exceptions import ServiceError
from workflow.core.visibility import agreement_get_for
from workflow.documents.dossier import dossier_latest_for, dossier_request
from workflow.documents.previews import document_preview_request
from workflow.documents.selectors import document_preview_get_for, document_preview_status_for, signed_document_get_for
from workflow.models import DossierExport
from workflow.web.errors import service_error_response
from workflow.web.responses import pdf_response


@never_cache
@require_GET
@login_required
def signed_download(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        document = signed_document_get_for(request.user, reference=reference)
    except ServiceError as error:
        return service_error_response(request, error)
    return pdf_response(document.file, f"{reference}-v{document.version.number}-ondertekend.pdf")


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def preview(request: HttpRequest, reference: str) -> HttpResponse:
    """GET: the state of the newest preview. POST: ask the worker for one (never rendered in this request).

    A POST from the sign page (``terug=ondertekenen``) goes back there, where the same state is shown.
    """
    try:
        agreement = agreement_get_for(request.user, reference=reference)
        if request.method == "POST":
            made = document_preview_request(agreement=agreement, actor=request.user)
            if request.POST.get("terug") == "ondertekenen":
                return redirect(reverse("agreement:sign", kwargs={"reference": reference}) + "#goedgekeurde-pdf")
            return redirect(reverse("documents:preview", kwargs={"reference": reference}) + f"?id={made.pk}")
        context = document_preview_status_for(request.user, agreement=agreement)
    except ServiceError as error:
        return service_error_response(request, error)
    if request.headers.get("Accept", "").startswith("application/json"):
        latest = context["preview"]
        return JsonResponse(
            {
                "status": latest.status if latest else None,
                "busy": context["busy"],
                "ready": context["ready"],
                "failed": context["failed"],
                "outdated": context["outdated"],
                "download_url": context["download_url"],
            }
        )
    return render(request, "documents/preview.html", context)


@never_cache
@require_GET
@login_required
def preview_download(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    try:
        made = document_preview_get_for(request.user, reference=reference, preview_id=pk)
    except ServiceError as error:
        return service_error_response(request, error)
    if made.status != DocumentPreview.Status.READY or not made.file:
        raise Http404
    return pdf_response(made.file, f"{reference}-v{made.version.number}-{made.file_word}.pdf")


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def dossier(request: HttpRequest, reference: str) -> HttpResponse:
    """GET: the newest dossier export and what it holds. POST: ask the worker for the dossier as it is now."""
    try:
        agreement = agreement_get_for(request.user, reference=reference)
        if request.method == "POST":
            dossier_request(agreement=agreement, actor=request.user)
            return redirect("documents:dossier", reference=reference)
        party_member = is_party_member(request.user, agreement)
        latest = dossier_latest_for(request.user, agreement=agreement) if party_member else None
    except ServiceError as error:
        return service_error_response(request, error)
    context = {"agreement": agreement, "export": latest, "party_member": party_member}
    return render(request, "documents/dossier.html", context)


@never_cache
@require_GET
@login_required
def dossier_download(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    try:
        agreement = agreement_get_for(request.user, reference=reference)
        export = dossier_latest_for(request.user, agreement=agreement)
    except ServiceError as error:
        return service_error_response(request, error)
    if export is None or export.pk != pk or export.status != DossierExport.Status.READY:
        raise Http404
    return pdf_response(export.file, f"dossier-{reference}.zip", content_type="application/zip")
