"""The complete dossier of an agreement as one ZIP: what a municipality hands to its archive.

In it: every frozen version's canonical content (``versies/v<n>/inhoud.json``, the exact bytes whose
SHA-256 is the version's content hash), the sealed PDF of each signed version, the agreement's log as
JSON and as CSV, the comments of every round, and ``manifest.json``, which lists every other file with
its size and SHA-256. The log files carry who did what when (and through which API token), not the address
or browser it came from, as on the agreement page; the sealed PDFs are included as they are, and their
signing record names the addresses the signatures came from, as the signed document always does.

The parties' members ask for it; the worker makes it (``dossier_make``), outside any transaction, and
stores it like the signed PDF. Asking again while nothing happened to the agreement gives the same export.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import tempfile
import zipfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement, AuditEvent, Comment, SignedDocument, User
from workflow.core.access import is_party_member
from workflow.core.exceptions import NotPermitted
from workflow.core.queue import publish, publish_on_commit, sweeper_grace
from workflow.core.visibility import agreement_get_for
from workflow.models import DossierExport

logger = logging.getLogger(__name__)

MAKE_DOSSIER_TASK = "workflow.documents.tasks.make_dossier"
LOG_COLUMNS = ("at", "action", "actor", "api_token", "from_state", "to_state", "version", "note")


def _newest_pk(queryset) -> int:
    return queryset.order_by("-pk").values_list("pk", flat=True).first() or 0


def _require_party_member(user: User, agreement: Agreement) -> None:
    if not is_party_member(user, agreement):
        raise NotPermitted(_("Alleen de leden van de partijen kunnen het dossier van een afspraak downloaden."))


def dossier_request(*, agreement: Agreement, actor: User) -> DossierExport:
    """Ask the worker for the dossier as it is now; the one already made (or on its way) if nothing changed."""
    agreement = agreement_get_for(actor, pk=agreement.pk)
    _require_party_member(actor, agreement)
    with transaction.atomic():
        # The agreement's row, so that two first requests at once make one export, not two.
        Agreement.objects.select_for_update().filter(pk=agreement.pk).first()
        basis = {
            "last_event_id": _newest_pk(AuditEvent.objects.filter(agreement=agreement)),
            "last_document_id": _newest_pk(SignedDocument.objects.filter(version__agreement=agreement)),
        }
        export = (
            DossierExport.objects.filter(agreement=agreement, **basis)
            .exclude(status=DossierExport.Status.FAILED)
            .order_by("-pk")
            .first()
        )
        if export is None:
            export = DossierExport.objects.create(agreement=agreement, requested_by=actor, **basis)
            export_id = export.pk
            publish_on_commit(MAKE_DOSSIER_TASK, kwargs={"export_id": export_id})
    return export


def dossier_latest_for(user: User, *, agreement: Agreement) -> DossierExport | None:
    """The newest export of an agreement the caller read through the visibility selector; for its parties."""
    _require_party_member(user, agreement)
    return DossierExport.objects.filter(agreement=agreement).order_by("-pk").first()


def _name(user: User | None) -> str:
    return (user.full_name or user.email) if user is not None else ""


def _json_bytes(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


def _log_rows(agreement: Agreement, *, up_to: int) -> list[dict]:
    events = AuditEvent.objects.filter(agreement=agreement, pk__lte=up_to).select_related("actor").order_by("at", "pk")
    return [
        {
            "at": event.at.isoformat(),
            "action": event.action,
            "actor": _name(event.actor),
            "api_token": event.api_token,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "version": event.version_number,
            "note": event.note,
        }
        for event in events
    ]


def _log_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=LOG_COLUMNS, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: ("" if row[k] is None else row[k]) for k in LOG_COLUMNS} for row in rows)
    return buffer.getvalue().encode("utf-8")


def _resolved_by(comment: Comment, until: dt.datetime | None) -> bool:
    """Resolved as far as the log goes (a resolution after its last line is not in this dossier yet)."""
    return comment.resolved_at is not None and (until is None or comment.resolved_at <= until)


def _comments(agreement: Agreement, *, until: dt.datetime | None) -> list[dict]:
    comments = Comment.objects.filter(version__agreement=agreement)
    if until is not None:
        comments = comments.filter(created_at__lte=until)  # as far as the log goes
    comments = comments.select_related("version", "author", "resolved_by").order_by("created_at", "pk")
    return [
        {
            "id": comment.pk,
            "version": comment.version.number,
            "section": comment.section_key,
            "reply_to": comment.parent_id,
            "author": _name(comment.author),
            "advisory": comment.is_advisory,
            "body": comment.body,
            "created_at": comment.created_at.isoformat(),
            "resolved_at": comment.resolved_at.isoformat() if comment.resolved_at else None,
            "resolved_by": (comment.resolved_by.full_name or comment.resolved_by.email)
            if comment.resolved_by
            else None,
        }
        for comment in comments
    ]


def write_dossier(agreement: Agreement, target, *, up_to_event: int, now: dt.datetime) -> list[dict]:
    """Write the ZIP into the binary file ``target``; returns the manifest's file list."""
    listed: list[dict] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(path: str, data: bytes) -> None:
            archive.writestr(path, data)
            listed.append({"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})

        documents = {
            document.version_id: document for document in SignedDocument.objects.filter(version__agreement=agreement)
        }
        for version in agreement.versions.filter(frozen_at__isnull=False).order_by("number"):
            add(f"versies/v{version.number}/inhoud.json", version.canonical_bytes())
            document = documents.get(version.pk)
            if document is not None:
                with document.file.open("rb") as pdf:
                    add(f"versies/v{version.number}/ondertekend.pdf", pdf.read())
        rows = _log_rows(agreement, up_to=up_to_event)
        add("logboek.json", _json_bytes(rows))
        add("logboek.csv", _log_csv(rows))
        last_at = AuditEvent.objects.filter(pk=up_to_event).values_list("at", flat=True).first()
        add("opmerkingen.json", _json_bytes(_comments(agreement, until=last_at)))
        manifest = {
            "agreement": {
                "reference": agreement.reference,
                "title": agreement.title,
                "initiative": agreement.initiative.name,
                "municipality": agreement.municipality.name,
                "municipality_cbs_code": agreement.municipality.cbs_code,
                "state_when_made": agreement.state,
            },
            "made_at": now.isoformat(),
            "made_by": f"Samenkader ({settings.SITE_URL})",
            "hash": "sha256",
            "files": listed,
        }
        archive.writestr("manifest.json", _json_bytes(manifest))
    return listed


def dossier_make(*, export_id: int) -> DossierExport | None:
    """The worker's half: make the ZIP once (idempotent: only a pending export is taken, by one worker)."""
    now = timezone.now()
    taken = DossierExport.objects.filter(pk=export_id, status=DossierExport.Status.PENDING).update(
        status=DossierExport.Status.MAKING, started_at=now
    )
    export = (
        DossierExport.objects.select_related("agreement__initiative", "agreement__municipality")
        .filter(pk=export_id)
        .first()
    )
    if not taken or export is None:
        return export
    try:
        with tempfile.TemporaryFile() as target:
            write_dossier(export.agreement, target, up_to_event=export.last_event_id, now=now)
            target.seek(0)
            digest = hashlib.sha256()
            for block in iter(lambda: target.read(1 << 20), b""):
                digest.update(block)
            size = target.tell()
            target.seek(0)
            export.file.save(f"dossier-{export.agreement.reference}-{now:%Y%m%d-%H%M%S}.zip", File(target), save=False)
    except Exception:
        logger.exception("Dossier export %s could not be made", export_id)
        DossierExport.objects.filter(pk=export_id).update(
            status=DossierExport.Status.FAILED, finished_at=timezone.now()
        )
        raise
    DossierExport.objects.filter(pk=export_id, status=DossierExport.Status.MAKING).update(
        file=export.file.name, sha256=digest.hexdigest(), size=size, status=DossierExport.Status.READY, finished_at=now
    )
    export.refresh_from_db()
    return export


def dossiers_requeue_pending() -> int:
    """Exports still pending a while after they were asked for (a lost task): queue them again. One whose worker
    died while making it (past the documents queue's time limit) is marked failed, not tried forever: the page
    then offers to ask again."""
    now = timezone.now()
    busy_limit = dt.timedelta(seconds=getattr(settings, "WORKER_DOCUMENTS_TIME_LIMIT", 360)) + sweeper_grace()
    DossierExport.objects.filter(status=DossierExport.Status.MAKING, started_at__lte=now - busy_limit).update(
        status=DossierExport.Status.FAILED, finished_at=now
    )
    ids = list(
        DossierExport.objects.filter(
            Q(status=DossierExport.Status.PENDING, created_at__lte=now - sweeper_grace())
        ).values_list("pk", flat=True)[:100]
    )
    queued = 0
    for export_id in ids:
        if not publish(MAKE_DOSSIER_TASK, kwargs={"export_id": export_id}):
            break
        queued += 1
    return queued
