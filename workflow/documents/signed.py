"""The signed record's documents: the sealed PDF of a signed version, and draft previews.

Services (writes) and selectors (reads) that views, tasks and the sweeper call.

Exactly once: the sealed PDF is made by a task on the ``documents`` queue
after the last signature. The task does nothing when the document exists;
the database holds at most one SignedDocument per version (one-to-one); two
workers that finish at the same time are serialised on the version row and
the second discards its file. A lost message or a killed worker only delays
the document: ``signed_documents_requeue_missing`` (run by the sweeper)
queues every signed version without one again."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import SIGNED_STATES
from agreements.models import Agreement, AgreementVersion, SignedDocument
from workflow.core.queue import publish, publish_on_commit, sweeper_grace
from workflow.notifications.outbox import notify

logger = logging.getLogger(__name__)


DOCUMENT_READY = "document_ready"


RENDER_SIGNED_TASK = "workflow.documents.tasks.render_signed_document"


def signed_document_enqueue(*, version_id: int) -> bool:
    """Queue the rendering of a signed version's document. False (logged) when the broker does not answer."""
    return publish(RENDER_SIGNED_TASK, kwargs={"version_id": version_id})


def signed_document_enqueue_on_commit(*, version_id: int) -> None:
    """Queue the rendering once the signature's transaction commits (a failed publish is left to the sweeper)."""
    publish_on_commit(RENDER_SIGNED_TASK, kwargs={"version_id": version_id})


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
            notify(
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
    cutoff = timezone.now() - (sweeper_grace() if grace is None else grace)
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
