"""Tasks of the ``documents`` queue: the sealed PDF of a signed version, draft previews, dossier exports.

Routed to the ``documents`` queue with its longer time limits by worker/celery.py
(every task whose name starts with ``workflow.documents.tasks.``). Both are
idempotent: a second run finds the work done and returns. Their re-queuers
join the sweeper here, at start-up (workflow/apps.py imports this module).
"""

from __future__ import annotations

from celery import shared_task

from workflow.core.metrics import register_metric
from workflow.core.sweeper import register_requeuer
from workflow.documents.dossier import MAKE_DOSSIER_TASK, dossier_make, dossiers_requeue_pending
from workflow.documents.figures import DOCUMENTS_WAITING
from workflow.documents.previews import RENDER_PREVIEW_TASK, document_preview_render, previews_requeue_pending
from workflow.documents.signed import RENDER_SIGNED_TASK, signed_document_create, signed_documents_requeue_missing

register_requeuer(signed_documents_requeue_missing)
register_requeuer(previews_requeue_pending)
register_requeuer(dossiers_requeue_pending)
register_metric(DOCUMENTS_WAITING)


@shared_task(name=RENDER_SIGNED_TASK, acks_late=True, queue="documents")
def render_signed_document(version_id: int) -> int | None:
    document = signed_document_create(version_id=version_id)
    return document.pk if document else None


@shared_task(name=RENDER_PREVIEW_TASK, acks_late=True, queue="documents")
def render_preview(preview_id: int) -> str | None:
    preview = document_preview_render(preview_id=preview_id)
    return preview.status if preview else None


@shared_task(name=MAKE_DOSSIER_TASK, acks_late=True, queue="documents")
def make_dossier(export_id: int) -> str | None:
    export = dossier_make(export_id=export_id)
    return export.status if export else None
