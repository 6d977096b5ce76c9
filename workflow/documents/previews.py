"""Previews made by the worker, never sealed: a CONCEPT PDF of the current draft or the version in review,
and the approved version marked "goedgekeurd, nog niet ondertekend" for whoever reads it before signing."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import AgreementState
from agreements.models import Agreement, AgreementVersion, DocumentPreview, User
from workflow.core.access import is_party_member
from workflow.core.exceptions import Conflict, NotPermitted
from workflow.core.queue import publish, publish_on_commit, sweeper_grace
from workflow.core.visibility import agreement_get_for

logger = logging.getLogger(__name__)

# Every state in which a preview can be asked for, and the marking it gets there.
MARKING_BY_STATE = {
    AgreementState.DRAFT: DocumentPreview.Marking.CONCEPT,
    AgreementState.IN_REVIEW: DocumentPreview.Marking.CONCEPT,
    AgreementState.APPROVED: DocumentPreview.Marking.APPROVED,
}


def preview_marking_for(agreement: Agreement) -> str | None:
    """The marking a preview of this agreement gets now (None: no preview in this state)."""
    return MARKING_BY_STATE.get(agreement.state)


def may_request_preview(user: User, agreement: Agreement) -> bool:
    """Who may ask for a preview: the parties' members of a draft or version in review (advisors read along and
    ask for none); of the approved version, everyone who sees the agreement, so each can read it before signing."""
    marking = preview_marking_for(agreement)
    if marking == DocumentPreview.Marking.APPROVED:
        return True
    return marking is not None and is_party_member(user, agreement)


RENDER_PREVIEW_TASK = "workflow.documents.tasks.render_preview"


def document_preview_enqueue(*, preview_id: int) -> bool:
    return publish(RENDER_PREVIEW_TASK, kwargs={"preview_id": preview_id})


def document_preview_request(*, agreement: Agreement, actor: User) -> DocumentPreview:
    """Ask the worker for a PDF of the current version that is not the signed record.

    A draft or the version in review gets CONCEPT; the parties' members may
    ask, advisors who read along may not (NotPermitted). The approved version
    gets "goedgekeurd, nog niet ondertekend"; everyone who sees the agreement
    may ask. Asking again for the same revision and marking returns the
    preview that is on its way or ready. Conflict in any other state.
    """
    agreement = agreement_get_for(actor, pk=agreement.pk)
    marking = preview_marking_for(agreement)
    if marking != DocumentPreview.Marking.APPROVED and not is_party_member(actor, agreement):
        raise NotPermitted(
            _(
                "Alleen de partijen van afspraak %(reference)s kunnen een voorbeeld-PDF laten maken. "
                "Als adviseur leest u mee."
            )
            % {"reference": agreement.reference}
        )
    if marking is None:
        raise Conflict(
            _("Een voorbeeld-PDF kan alleen van een concept, een versie in beoordeling of de goedgekeurde versie."),
            state=agreement.state,
        )
    version = agreement.current_version()
    with transaction.atomic():
        preview = (
            DocumentPreview.objects.filter(
                version=version,
                revision=version.revision,
                marking=marking,
                status__in=[
                    DocumentPreview.Status.PENDING,
                    DocumentPreview.Status.RENDERING,
                    DocumentPreview.Status.READY,
                ],
            )
            .order_by("-pk")
            .first()
        )
        if preview is None:
            preview = DocumentPreview.objects.create(
                version=version, revision=version.revision, marking=marking, requested_by=actor
            )
            preview_id = preview.pk
            publish_on_commit(RENDER_PREVIEW_TASK, kwargs={"preview_id": preview_id})
    return preview


def document_preview_render(*, preview_id: int) -> DocumentPreview | None:
    """The worker's half: render the preview once (idempotent; a finished preview is left alone)."""
    from agreements import pdf

    with transaction.atomic():
        preview = DocumentPreview.objects.select_for_update().filter(pk=preview_id).first()
        if preview is None or preview.status in (DocumentPreview.Status.READY, DocumentPreview.Status.FAILED):
            return preview
        preview.status = DocumentPreview.Status.RENDERING
        preview.save(update_fields=["status"])
    version = AgreementVersion.objects.select_related("agreement__initiative", "agreement__municipality").get(
        pk=preview.version_id
    )
    try:
        data = pdf.render_version_pdf(version, preview=True, approved=preview.is_approved_version)
    except Exception:
        logger.exception("Preview %s could not be rendered", preview_id)
        DocumentPreview.objects.filter(pk=preview_id).update(
            status=DocumentPreview.Status.FAILED, finished_at=timezone.now()
        )
        raise
    preview.file.save(
        f"{preview.file_word}-{version.agreement.reference}-v{version.number}-r{preview.revision}.pdf",
        ContentFile(data),
        save=False,
    )
    preview.status = DocumentPreview.Status.READY
    preview.finished_at = timezone.now()
    preview.save(update_fields=["file", "status", "finished_at"])
    return preview


def previews_requeue_pending(*, grace: dt.timedelta | None = None) -> int:
    """Previews still waiting a while after they were asked for: queue them again (the sweeper calls this)."""
    now = timezone.now()
    grace = sweeper_grace() if grace is None else grace
    # One that is rendering may still be busy; after the task's hard time limit it certainly is not.
    busy_limit = dt.timedelta(seconds=getattr(settings, "WORKER_DOCUMENTS_TIME_LIMIT", 360)) + grace
    ids = list(
        DocumentPreview.objects.filter(
            Q(status=DocumentPreview.Status.PENDING, created_at__lte=now - grace)
            | Q(status=DocumentPreview.Status.RENDERING, created_at__lte=now - busy_limit)
        ).values_list("pk", flat=True)[:200]
    )
    queued = 0
    for preview_id in ids:
        if not document_preview_enqueue(preview_id=preview_id):
            break
        queued += 1
    return queued
