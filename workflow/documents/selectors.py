"""Reads of documents, always through the visibility selector."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from agreements.choices import AgreementState
from agreements.models import Agreement, DocumentPreview, SignedDocument, User
from workflow.core.exceptions import NotFound
from workflow.core.visibility import agreement_get_for


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
    agreement = agreement_get_for(user, pk=agreement.pk)
    version = agreement.current_version()
    return DocumentPreview.objects.filter(version=version).order_by("-pk").first() if version else None
