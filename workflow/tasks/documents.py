"""Tasks of the ``documents`` queue: the sealed PDF of a signed version, and draft previews.

Routed to the ``documents`` queue with its longer time limits by worker/celery.py
(every task whose name starts with ``workflow.tasks.documents.``). Both are
idempotent: a second run finds the work done and returns.
"""

from __future__ import annotations

from celery import shared_task

from .. import documents


@shared_task(name="workflow.tasks.documents.render_signed_document", acks_late=True, queue="documents")
def render_signed_document(version_id: int) -> int | None:
    document = documents.signed_document_create(version_id=version_id)
    return document.pk if document else None


@shared_task(name="workflow.tasks.documents.render_preview", acks_late=True, queue="documents")
def render_preview(preview_id: int) -> str | None:
    preview = documents.document_preview_render(preview_id=preview_id)
    return preview.status if preview else None
