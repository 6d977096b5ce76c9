"""Delivery of outbox rows: claim, send without a lock, mark sent; temporary failures back off.

Only pending rows are claimed. A held row (the daily overview, digest.py) is
never claimed on its own: it becomes sent when its overview's row does.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from workflow.models import Notification, NotificationKind, NotificationStatus
from workflow.notifications.rendering import render_email

logger = logging.getLogger(__name__)


class Outcome:
    SENT = "sent"
    SKIPPED = "skipped"  # someone else has it, or it is done, or not due yet
    RETRY = "retry"
    FAILED = "failed"


def is_permanent(exc: BaseException) -> bool:
    """A refusal that will not change by trying again: the address or the message is refused."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return True
    if isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600:
        return True
    return isinstance(exc, ValueError)  # e.g. an address Django cannot encode


def retry_delay(attempts: int) -> dt.timedelta:
    seconds = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.NOTIFICATION_RETRY_MAX_SECONDS))


def claim(notification_id: int) -> bool:
    """Take the row for delivery: an atomic conditional update, so only one worker wins."""
    now = timezone.now()
    return bool(
        Notification.objects.filter(
            pk=notification_id, status=NotificationStatus.PENDING, next_attempt_at__lte=now
        ).update(status=NotificationStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def claim_many(ids: Iterable[int]) -> list[int]:
    """Claim several rows in one short transaction; rows another worker holds are skipped, not waited for."""
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(ids), status=NotificationStatus.PENDING, next_attempt_at__lte=now)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=claimed, status=NotificationStatus.PENDING).update(
            status=NotificationStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return claimed


def _claimed_rows(ids: list[int]) -> list[Notification]:
    return list(
        Notification.objects.filter(pk__in=ids, status=NotificationStatus.SENDING)
        .select_related("agreement__initiative", "agreement__municipality", "recipient", "actor")
        .order_by("pk")
    )


def deliver(notification_id: int, *, connection=None) -> str:
    """Deliver one row at most once per claim. Runs outside any transaction: no lock is held while sending."""
    if not claim(notification_id):
        return Outcome.SKIPPED
    rows = _claimed_rows([notification_id])
    return _send_claimed(rows[0], connection=connection) if rows else Outcome.SKIPPED


def _send_claimed(n: Notification, *, connection=None) -> str:
    try:
        message = render_email(n)
        message.connection = connection
        message.send()
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if is_permanent(exc) or n.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            Notification.objects.filter(pk=n.pk, status=NotificationStatus.SENDING).update(
                status=NotificationStatus.FAILED, last_error=error, claimed_at=None
            )
            logger.warning("Notification %s to %s failed for good: %s", n.pk, n.recipient_email, error)
            return Outcome.FAILED
        Notification.objects.filter(pk=n.pk, status=NotificationStatus.SENDING).update(
            status=NotificationStatus.PENDING,
            last_error=error,
            claimed_at=None,
            next_attempt_at=timezone.now() + retry_delay(n.attempts),
        )
        logger.info("Notification %s to %s will be retried: %s", n.pk, n.recipient_email, error)
        return Outcome.RETRY
    # Marked right after each send: a crash can cause at most one duplicate of this one row.
    mark_sent(n)
    return Outcome.SENT


def mark_sent(n: Notification) -> None:
    """The row is sent; a daily overview's held rows with it, in the same transaction."""
    now = timezone.now()
    with transaction.atomic():
        marked = Notification.objects.filter(pk=n.pk, status=NotificationStatus.SENDING).update(
            status=NotificationStatus.SENT, sent_at=now, last_error="", claimed_at=None
        )
        if marked and n.kind == NotificationKind.DIGEST:
            Notification.objects.filter(digest_id=n.pk, status=NotificationStatus.HELD).update(
                status=NotificationStatus.SENT, sent_at=now, last_error=""
            )


def deliver_many(ids: Iterable[int]) -> dict[str, int]:
    """Claim the rows, then send each on its own: one bad address or broken template never blocks the others."""
    ids = list(ids)
    claimed = claim_many(ids)
    counts: dict[str, int] = {}
    if len(claimed) < len(ids):
        counts[Outcome.SKIPPED] = len(ids) - len(claimed)
    if not claimed:
        return counts
    connection = get_connection()
    try:
        for row in _claimed_rows(claimed):
            outcome = _send_claimed(row, connection=connection)
            counts[outcome] = counts.get(outcome, 0) + 1
            if outcome == Outcome.RETRY:
                # The connection may be broken: the next row gets a fresh one.
                _close_quietly(connection)
                connection = get_connection()
    finally:
        _close_quietly(connection)
    return counts


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - closing a broken SMTP connection may fail too
        logger.debug("Closing the mail connection failed", exc_info=True)


def mark_bounced(*, message_id: str, reason: str) -> bool:
    """Record a bounce reported later by the mail server: the row is failed and not retried."""
    return bool(
        Notification.objects.filter(message_id=message_id).update(
            status=NotificationStatus.FAILED, last_error=f"bounce: {reason}"[:2000]
        )
    )
