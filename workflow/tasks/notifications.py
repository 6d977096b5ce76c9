"""Tasks of the default queue: deliver e-mails, send reminders, expire agreements, sweep.

Each is idempotent: a message can arrive twice (acks_late, the sweeper), and
the second run finds nothing left to do.
"""

from __future__ import annotations

from celery import shared_task

from .. import notifications, reminders, sweeper


@shared_task(name="workflow.tasks.notifications.deliver_notifications")
def deliver_notifications(notification_ids: list[int]) -> dict[str, int]:
    return notifications.deliver_many(notification_ids)


@shared_task(name="workflow.tasks.notifications.send_reminders")
def send_reminders() -> int:
    return reminders.send_due_reminders()


@shared_task(name="workflow.tasks.notifications.expire_agreements")
def expire_agreements() -> int:
    return reminders.expire_due_agreements()


@shared_task(name="workflow.tasks.notifications.sweep")
def sweep() -> dict[str, int]:
    return sweeper.sweep()
