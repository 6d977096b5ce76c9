"""The notifications outbox: which events e-mail whom.

Services call ``notify`` inside their transaction; the rows it writes are
delivered by the worker after commit.
"""

from __future__ import annotations

from agreements.models import Agreement, User


class Event:
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    COMMENTED = "commented"
    APPROVED = "approved"
    SIGNATURE_ADDED = "signature_added"
    SIGNED = "signed"
    REOPENED = "reopened"
    WITHDRAWN = "withdrawn"
    AMENDED = "amended"
    EXPIRED = "expired"


def notify(*, event: str, agreement: Agreement, actor: User | None, context: dict | None = None) -> None:
    """Queue the e-mails that ``event`` causes. Must run inside the service's transaction."""
    # The outbox itself (Notification rows, delivery task) is built by the
    # worker issue; until then an event notifies nobody.
    return None


def notify_invitation(
    *,
    email: str,
    invited_by: User,
    organisation_name: str,
    role_label: str,
    accept_url: str,
    language: str,
) -> None:
    """Queue the invitation e-mail to someone who may not have an account yet (same transaction)."""
    return None
