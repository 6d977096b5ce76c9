"""What /metrics says about e-mail: outbox rows by status, and reminders sent."""

from __future__ import annotations

from django.db.models import Count

from workflow.core.metrics import Reader
from workflow.models import Notification, NotificationStatus, SentReminder


def outbox_rows_by_status() -> dict[tuple[str, ...], float]:
    counts = dict(Notification.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {(status,): counts.get(status, 0) for status in NotificationStatus.values}


def reminders_sent_by_kind() -> dict[tuple[str, ...], float]:
    return {(kind,): n for kind, n in SentReminder.objects.values_list("kind").annotate(n=Count("pk")).order_by()}


OUTBOX_ROWS = Reader(
    name="samenkader_outbox_rows",
    documentation="E-mails in the outbox by status (pending and failed ones want attention).",
    read=outbox_rows_by_status,
    labels=("status",),
)
REMINDERS_SENT = Reader(
    name="samenkader_reminders_sent",
    documentation="Reminders sent since the start, by kind.",
    read=reminders_sent_by_kind,
    labels=("kind",),
    counter=True,
)
