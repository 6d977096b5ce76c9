"""Tasks of the default queue for e-mail: deliver outbox rows, send due reminders, make the daily overviews.

Each is idempotent: a message can arrive twice (acks_late, the sweeper), and
the second run finds nothing left to do. The outbox's re-queuer joins the
sweeper here, at start-up (workflow/apps.py imports this module).
"""

from __future__ import annotations

from celery import shared_task

from workflow.core.metrics import register_metric
from workflow.core.sweeper import register_requeuer
from workflow.notifications.delivery import deliver_many
from workflow.notifications.digest import DIGEST_TASK, digests_create, digests_requeue_missed
from workflow.notifications.figures import OUTBOX_ROWS, REMINDERS_SENT
from workflow.notifications.outbox import DELIVER_TASK, requeue_notifications
from workflow.notifications.reminders import send_due_reminders

register_requeuer(requeue_notifications)
register_requeuer(digests_requeue_missed)
register_metric(OUTBOX_ROWS)
register_metric(REMINDERS_SENT)


@shared_task(name=DELIVER_TASK)
def deliver_notifications(notification_ids: list[int]) -> dict[str, int]:
    return deliver_many(notification_ids)


@shared_task(name="workflow.notifications.tasks.send_reminders")
def send_reminders() -> int:
    return send_due_reminders()


@shared_task(name=DIGEST_TASK)
def send_digests() -> int:
    return digests_create()
