"""Reads of documents, always through the visibility selector."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from agreements.choices import AgreementState
from agreements.models import Agreement, DocumentPreview, SignedDocument, User
from workflow.core.access import is_party_member
from workflow.core.exceptions import NotFound
from workflow.core.visibility import agreement_get_for
from workflow.documents.previews import may_request_preview, preview_marking_for


def signed_document_get_for(user: User, *, reference: str) -> SignedDocument:
    """The sealed document of an agreement this user sees (parties and granted advisors), or NotFound."""
    agreement = agreement_get_for(user, reference=reference)
    document = (
        SignedDocument.objects.filter(version__agreement=agreement)
        .select_related("version__agreement")
        .order_by("-version__number")
        .first()
    )
    if document is None:
        raise NotFound(_("Er is (nog) geen getekend document van afspraak %(reference)s.") % {"reference": reference})
    return document


def signed_document_status_for(user: User, *, agreement: Agreement) -> dict:
    """For the agreement page: is there a document, or is it being made?"""
    agreement = agreement_get_for(user, pk=agreement.pk)
    document = SignedDocument.objects.filter(version__agreement=agreement).order_by("-version__number").first()
    return {
        "document": document,
        "pending": document is None and agreement.state == AgreementState.SIGNED,
        "download_url": reverse("documents:signed", kwargs={"reference": agreement.reference}) if document else "",
    }


def document_preview_get_for(user: User, *, reference: str, preview_id: int) -> DocumentPreview:
    agreement = agreement_get_for(user, reference=reference)
    preview = (
        DocumentPreview.objects.filter(pk=preview_id, version__agreement=agreement).select_related("version").first()
    )
    if preview is None:
        raise NotFound(_("Dit voorbeeld bestaat niet (meer)."))
    return preview


def document_preview_latest_for(user: User, *, agreement: Agreement) -> DocumentPreview | None:
    """The newest preview of the current version, with the marking the agreement's state gives (CONCEPT while
    drafted or in review, "approved" once approved), so a concept from the review is not offered as approved."""
    agreement = agreement_get_for(user, pk=agreement.pk)
    version = agreement.current_version()
    if version is None:
        return None
    previews = DocumentPreview.objects.filter(version=version)
    marking = preview_marking_for(agreement)
    if marking is not None:
        previews = previews.filter(marking=marking)
    return previews.order_by("-pk").first()


def document_preview_status_for(user: User, *, agreement: Agreement) -> dict:
    """The newest preview and what to say about it: being made, ready (with its download), failed, outdated;
    and whether this person may ask for one now. For the preview page and the sign page."""
    preview = document_preview_latest_for(user, agreement=agreement)
    current = agreement.current_version()
    ready = bool(preview and preview.status == DocumentPreview.Status.READY)
    return {
        "agreement": agreement,
        "preview": preview,
        "approved_version": preview_marking_for(agreement) == DocumentPreview.Marking.APPROVED,
        "outdated": bool(
            preview and current and (preview.version_id != current.pk or preview.revision != current.revision)
        ),
        "busy": bool(preview and preview.status in (DocumentPreview.Status.PENDING, DocumentPreview.Status.RENDERING)),
        "ready": ready,
        "failed": bool(preview and preview.status == DocumentPreview.Status.FAILED),
        "download_url": reverse(
            "documents:preview_download", kwargs={"reference": agreement.reference, "pk": preview.pk}
        )
        if ready
        else "",
        "can_request": may_request_preview(user, agreement),
        "party_member": is_party_member(user, agreement),
    }
