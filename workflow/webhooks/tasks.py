"""The webhook task of the default queue; idempotent (a row is only sent while it is claimed)."""

from __future__ import annotations

from celery import shared_task

from workflow.core.sweeper import register_requeuer
from workflow.webhooks.delivery import deliver_many
from workflow.webhooks.outbox import DELIVER_TASK, requeue_webhook_deliveries

register_requeuer(requeue_webhook_deliveries)


@shared_task(name=DELIVER_TASK)
def deliver_webhooks(delivery_ids: list[int]) -> dict[str, int]:
    return deliver_many(delivery_ids)
