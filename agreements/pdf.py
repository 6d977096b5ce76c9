"""The PDF of a version: the archival, tagged PDF/A-3 that carries its own data.

``render_version_pdf`` lays a version out with templates/pdf/ and WeasyPrint
(imported inside the functions: the web process never needs it), embeds the
version's canonical JSON (the very bytes whose SHA-256 is the content hash)
and returns the PDF bytes. Sealing is a separate step (agreements/seal.py).

WeasyPrint gets ``StaticOnlyURLFetcher``: it serves the project's own static
files and refuses everything else, so no text in an agreement can make the
renderer read a local file or reach the network.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.audit_notes import VOIDING_ACTIONS, audit_note, voided_counts
from agreements.choices import AgreementState, AuditAction, MembershipRole
from agreements.sections import SECTION_ORDER, SECTIONS_BY_KEY, SectionKey

PDF_VARIANT = "pdf/a-3a"
ATTACHMENT_NAME = "inhoud.json"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class RefusedURL(ValueError):
    """The PDF renderer asked for something that is not one of our static files."""


def static_roots() -> list[Path]:
    """The folders the renderer may read from: the project's static files, nothing else."""
    roots = [Path(settings.BASE_DIR) / "static", *(Path(p) for p in getattr(settings, "STATICFILES_DIRS", []))]
    unique: list[Path] = []
    for root in roots:
        resolved = root.resolve()
        if resolved not in unique:
            unique.append(resolved)
    return unique


def static_base_url() -> str:
    return (Path(settings.BASE_DIR) / "static").resolve().as_uri() + "/"


def resolve_static_url(url: str) -> Path:
    """The file behind a ``file:`` URL inside the static folders; RefusedURL for anything else."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedURL(f"Only the project's static files can be used in a PDF, not {url[:100]!r}")
    path = Path(os.path.realpath(unquote(parts.path)))
    for root in static_roots():
        if path.is_relative_to(root) and path.is_file():
            return path
    raise RefusedURL(f"Only the project's static files can be used in a PDF, not {url[:100]!r}")


def make_url_fetcher():
    """A WeasyPrint URL fetcher that serves the static folders and refuses the rest (no network, no redirects)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyURLFetcher(URLFetcher):
        def __init__(self):
            super().__init__(timeout=1, allowed_protocols={"file"}, allow_redirects=False, fail_on_errors=False)

        def fetch(self, url, headers=None):
            path = resolve_static_url(url)
            mime_type, _encoding = mimetypes.guess_type(path.name)
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), {"Content-Type": mime_type or "application/octet-stream"}
            )

    return StaticOnlyURLFetcher()


# --- What goes on the pages --------------------------------------------------------------------


@dataclass(frozen=True)
class TrailRow:
    at: dt.datetime
    who: str
    what: str
    note: str
    ip_address: str


def local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value, AMSTERDAM) if value else None


def _signing_trail(version) -> list[TrailRow]:
    """Every event from creation to the last signature of this version, oldest first.

    Reopening (or a signatory declining to sign) declares every signature collected so far void, so a signature
    logged before the last reopening is marked as void.
    """
    agreement = version.agreement
    events = list(agreement.audit_events.select_related("actor").order_by("at", "pk"))
    voided = voided_counts(agreement)
    last_signature = max(
        (i for i, e in enumerate(events) if e.action == AuditAction.SIGNED_BY and e.version_number == version.number),
        default=None,
    )
    rows: list[TrailRow] = []
    if last_signature is not None:
        last_reopened = max(
            (i for i, e in enumerate(events[:last_signature]) if e.action in VOIDING_ACTIONS), default=-1
        )
        for i, event in enumerate(events[: last_signature + 1]):
            what = str(event.get_action_display())
            if event.action == AuditAction.SIGNED_BY and event.to_state == AgreementState.SIGNED:
                what = f"{what} ({AuditAction.SIGNED.label})"
            elif event.action == AuditAction.SIGNED_BY and i < last_reopened:
                what = f"{what} ({_('vervallen')})"
            rows.append(
                TrailRow(
                    at=local(event.at),
                    who=event.actor.full_name if event.actor else "Samenkader",
                    what=what,
                    note=audit_note(event, voided=voided),
                    ip_address=event.ip_address or "",
                )
            )
        return rows
    # Records imported without their log still show who signed when, from where, and which signature
    # was declared void (by whom, when, why).
    for signature in version.signatures.select_related("signer", "party", "voided_by").order_by("signed_at", "pk"):
        rows.append(
            TrailRow(
                at=local(signature.signed_at),
                who=signature.signer.full_name,
                what=str(AuditAction.SIGNED_BY.label),
                note=signature.party.name,
                ip_address=signature.ip_address or "",
            )
        )
        if signature.is_void:
            whose = f"{signature.signer.full_name}, {signature.party.name}"
            rows.append(
                TrailRow(
                    at=local(signature.voided_at),
                    who=signature.voided_by.full_name if signature.voided_by else "Samenkader",
                    what=str(_("Handtekening vervallen")),
                    note=f"{whose}: {signature.void_reason}" if signature.void_reason else whose,
                    ip_address="",
                )
            )
    return sorted(rows, key=lambda row: row.at)


def build_context(version, *, preview: bool = False, approved: bool = False) -> dict:
    """What the print layout shows. ``preview``: not the record (no trail, no seal); with ``approved`` the
    preview is of the approved version before everyone signed, marked so on every page instead of CONCEPT."""
    agreement = version.agreement
    sections = {s.key: s.body for s in version.sections.all()}
    # The signature page lists the signatures in force; a void one (reopened) is only in the trail.
    signatures = list(version.signatures.in_force().select_related("signer", "party").order_by("signed_at", "pk"))
    parties = []
    for party in agreement.parties:
        parties.append(
            {
                "organisation": party,
                "signatures": [
                    {
                        "name": s.signer.full_name,
                        # The function copied onto the signature when it was made; older ones have none.
                        "role": s.function or MembershipRole.SIGNATORY.label,
                        "function": s.function,
                        "organisation": party.name,
                        "at": local(s.signed_at),
                        "content_hash": s.content_hash,
                    }
                    for s in signatures
                    if s.party_id == party.pk
                ],
            }
        )
    content_hash = version.content_hash if version.is_frozen else ""
    return {
        "agreement": agreement,
        "version": version,
        "preview": preview,
        "approved_preview": preview and approved,
        "content_hash": content_hash,
        "sections": [
            {"key": key, "title": SECTIONS_BY_KEY[key].title, "body": sections.get(key, "")} for key in SECTION_ORDER
        ],
        "roles_key": SectionKey.ROLES,
        "process_key": SectionKey.PROCESS,
        "escalation_key": SectionKey.ESCALATION,
        "escalation_steps": list(version.escalation_steps.order_by("position", "pk")),
        "responsibilities": list(version.responsibilities.order_by("position", "pk")),
        "decision_moments": list(version.decision_moments.order_by("position", "pk")),
        "neighbourhoods": list(agreement.neighbourhoods.all()),
        "parties": parties,
        "trail": [] if preview else _signing_trail(version),
        "signed_at": local(agreement.signed_at),
        "rendered_at": local(timezone.now()),
        "site_url": getattr(settings, "SITE_URL", ""),
        "attachment_name": ATTACHMENT_NAME,
    }


def render_html(version, *, preview: bool = False, approved: bool = False) -> str:
    """The print layout as HTML, in the agreement's own language."""
    with translation.override(version.agreement.language or settings.LANGUAGE_CODE):
        return render_to_string("pdf/agreement.html", build_context(version, preview=preview, approved=approved))


def html_to_pdf(html: str, *, attachment: bytes | None = None, attachment_time: dt.datetime | None = None) -> bytes:
    """WeasyPrint alone: HTML to a tagged PDF/A-3, optionally with the canonical JSON attached."""
    from weasyprint import HTML, Attachment

    fetcher = make_url_fetcher()
    attachments = []
    if attachment is not None:
        when = attachment_time or timezone.now()
        attachments.append(
            Attachment(
                string=attachment,
                name=ATTACHMENT_NAME,
                description="Canonical content (JSON); its SHA-256 is the content hash",
                relationship="Source",
                created=when,
                modified=when,
                url_fetcher=fetcher,
            )
        )
    return HTML(string=html, base_url=static_base_url(), url_fetcher=fetcher).write_pdf(
        pdf_variant=PDF_VARIANT,
        attachments=attachments,
    )


def render_version_pdf(version, *, preview: bool = False, approved: bool = False) -> bytes:
    """Render ``version`` as PDF/A-3a. A preview carries no attached data and a mark on every page:
    CONCEPT, or with ``approved`` "goedgekeurd, nog niet ondertekend" (the approved version before signing)."""
    html = render_html(version, preview=preview, approved=approved)
    if preview:
        return html_to_pdf(html)
    return html_to_pdf(html, attachment=version.canonical_bytes(), attachment_time=version.frozen_at)
