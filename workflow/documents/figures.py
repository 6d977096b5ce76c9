"""What /metrics says about documents: signed versions still without their sealed PDF, previews waiting."""

from __future__ import annotations

from agreements.models import DocumentPreview
from workflow.core.metrics import Reader
from workflow.documents.signed import signed_versions_without_document


def documents_waiting() -> dict[tuple[str, ...], float]:
    return {
        ("signed",): signed_versions_without_document().count(),
        ("preview",): DocumentPreview.objects.filter(status=DocumentPreview.Status.PENDING).count(),
    }


DOCUMENTS_WAITING = Reader(
    name="samenkader_documents_waiting",
    documentation="Documents the worker still has to make: sealed PDFs of signed versions, and previews.",
    read=documents_waiting,
    labels=("kind",),
)
