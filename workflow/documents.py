"""The signed record's documents: the sealed PDF of a signed version, and draft previews.

Services (writes) and selectors (reads) that views, tasks and the sweeper call.

Exactly once: the sealed PDF is made by a task on the ``documents`` queue
after the last signature. The task does nothing when the document exists;
the database holds at most one SignedDocument per version (one-to-one); two
workers that finish at the same time are serialised on the version row and
the second discards its file. A lost message or a killed worker only delays
the document: ``signed_documents_requeue_missing`` (run by the sweeper)
queues every signed version without one again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import AgreementState
from agreements.models import Agreement, AgreementVersion, DocumentPreview, SignedDocument, User

from . import notifications
from .exceptions import Conflict, NotFound
from .selectors import agreement_get_for

logger = logging.getLogger(__name__)

DOCUMENT_READY = "document_ready"
# States in which the agreement's newest frozen version is a signed version.
SIGNED_STATES = (AgreementState.SIGNED, AgreementState.SUPERSEDED, AgreementState.EXPIRED)
PREVIEW_STATES = (AgreementState.DRAFT, AgreementState.IN_REVIEW)


def _grace() -> dt.timedelta:
    """Pending work younger than this may still be on its way: the sweeper leaves it alone."""
    return dt.timedelta(seconds=settings.SWEEPER_GRACE_SECONDS)


# --- Publishing (never raises into a request) ---------------------------------------------------


def signed_document_enqueue(*, version_id: int) -> bool:
    """Queue the rendering of a signed version's document. False (logged) when the broker does not answer."""
    from .tasks.documents import render_signed_document

    try:
        render_signed_document.apply_async(kwargs={"version_id": version_id}, retry=False)
        return True
    except Exception:  # noqa: BLE001 - the broker may be down; the sweeper queues it again
        logger.warning("Could not queue the signed document of version %s; the sweeper will", version_id, exc_info=True)
        return False


def document_preview_enqueue(*, preview_id: int) -> bool:
    from .tasks.documents import render_preview

    try:
        render_preview.apply_async(kwargs={"preview_id": preview_id}, retry=False)
        return True
    except Exception:  # noqa: BLE001
        logger.warning("Could not queue preview %s; the sweeper will", preview_id, exc_info=True)
        return False


# --- The sealed document --------------------------------------------------------------------


def signed_version(version_id: int) -> AgreementVersion | None:
    """The version if it is the signed version of its agreement, else None."""
    version = (
        AgreementVersion.objects.select_related("agreement__initiative", "agreement__municipality")
        .filter(pk=version_id)
        .first()
    )
    if version is None or version.agreement.state not in SIGNED_STATES or version.agreement.signed_at is None:
        return None
    if version.agreement.frozen_version() != version:
        return None
    return version


def download_url(agreement: Agreement) -> str:
    return settings.SITE_URL + reverse("documents:signed", kwargs={"reference": agreement.reference})


def signed_document_create(*, version_id: int) -> SignedDocument | None:
    """Render, seal and store the document of a signed version, exactly once; notify both parties.

    Returns the document (the existing one if it was made before). Returns
    None for a version that is not a signed version (nothing to do). Rendering
    and sealing happen outside any transaction; storing and recording happen
    under a lock on the version row, so concurrent runs leave one document.
    """
    from agreements import pdf, seal

    existing = SignedDocument.objects.filter(version_id=version_id).first()
    if existing is not None:
        return existing
    version = signed_version(version_id)
    if version is None:
        logger.warning("Version %s is not a signed version; no document made", version_id)
        return None
    agreement = version.agreement

    rendered = pdf.render_version_pdf(version)
    sealed = seal.seal_pdf(
        rendered,
        reason=_("Vastgelegd door Samenkader: %(reference)s versie %(number)s")
        % {"reference": agreement.reference, "number": version.number},
    )
    digest = hashlib.sha256(sealed).hexdigest()
    fingerprint = seal.certificate_fingerprint()

    with transaction.atomic():
        AgreementVersion.objects.select_for_update().filter(pk=version_id).first()
        existing = SignedDocument.objects.filter(version_id=version_id).first()
        if existing is not None:
            return existing
        document = SignedDocument(
            version=version,
            sha256=digest,
            size=len(sealed),
            variant=pdf.PDF_VARIANT,
            certificate_fingerprint=fingerprint,
        )
        document.file.save(f"{agreement.reference}-v{version.number}.pdf", ContentFile(sealed), save=False)
        try:
            with transaction.atomic():
                document.save()
        except IntegrityError:
            # Another run got there first (a database without row locks); keep theirs.
            document.file.delete(save=False)
            return SignedDocument.objects.get(version_id=version_id)
        except BaseException:
            document.file.delete(save=False)
            raise
        _notify_document_ready(agreement=agreement, version=version, digest=digest)
    logger.info("Signed document of %s v%s stored (%s bytes)", agreement.reference, version.number, len(sealed))
    return document


def _notify_document_ready(*, agreement: Agreement, version: AgreementVersion, digest: str) -> None:
    """Tell both parties the document can be downloaded. The document counts more than the e-mail about it."""
    try:
        with transaction.atomic():
            notifications.notify(
                event=DOCUMENT_READY,
                agreement=agreement,
                actor=None,
                context={
                    "download_url": download_url(agreement),
                    "reference": agreement.reference,
                    "version": version.number,
                    "sha256": digest,
                },
            )
    except ValueError:
        # The outbox does not know this event (yet): keep the document, say so loudly.
        logger.error("No notification rule for %r: the parties of %s were not told", DOCUMENT_READY, agreement)


def signed_versions_without_document() -> QuerySet[AgreementVersion]:
    """Signed versions that should have a document and have none (indexed: agreement state, one-to-one)."""
    has_document = SignedDocument.objects.filter(version=OuterRef("pk"))
    versions = AgreementVersion.objects.filter(
        agreement__state__in=SIGNED_STATES, agreement__signed_at__isnull=False, frozen_at__isnull=False
    ).filter(~Exists(has_document))
    # Only each agreement's newest frozen version was signed.
    newer = AgreementVersion.objects.filter(
        agreement=OuterRef("agreement"), number__gt=OuterRef("number"), frozen_at__isnull=False
    )
    return versions.filter(~Exists(newer))


def signed_documents_requeue_missing(*, grace: dt.timedelta | None = None) -> int:
    """Queue again every signed version without a document (the sweeper calls this). Returns how many."""
    cutoff = timezone.now() - (_grace() if grace is None else grace)
    ids = list(
        signed_versions_without_document()
        .filter(agreement__signed_at__lte=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    queued = 0
    for version_id in ids:
        if not signed_document_enqueue(version_id=version_id):
            break  # the broker is down: the next sweep tries again
        queued += 1
    return queued


# --- Previews -------------------------------------------------------------------------------


def document_preview_request(*, agreement: Agreement, actor: User) -> DocumentPreview:
    """Ask the worker for a CONCEPT PDF of the current draft or the version in review.

    Anyone who sees the agreement may. Asking again for the same revision
    returns the preview that is on its way or ready. Conflict in any other state.
    """
    agreement = agreement_get_for(actor, pk=agreement.pk)
    if agreement.state not in PREVIEW_STATES:
        raise Conflict(
            _("Een voorbeeld-PDF kan alleen van een concept of een versie in beoordeling."), state=agreement.state
        )
    version = agreement.current_version()
    with transaction.atomic():
        preview = (
            DocumentPreview.objects.filter(
                version=version,
                revision=version.revision,
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
            preview = DocumentPreview.objects.create(version=version, revision=version.revision, requested_by=actor)
            preview_id = preview.pk
            transaction.on_commit(lambda: document_preview_enqueue(preview_id=preview_id))
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
        data = pdf.render_version_pdf(version, preview=True)
    except Exception:
        logger.exception("Preview %s could not be rendered", preview_id)
        DocumentPreview.objects.filter(pk=preview_id).update(
            status=DocumentPreview.Status.FAILED, finished_at=timezone.now()
        )
        raise
    preview.file.save(
        f"concept-{version.agreement.reference}-v{version.number}-r{preview.revision}.pdf",
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
    grace = _grace() if grace is None else grace
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


# --- Selectors ----------------------------------------------------------------------------------


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
