"""Webhook deliveries as outbox rows: written in the transaction of the change, sent by the worker after commit.

``webhook_deliveries_record`` is called by ``notifications.outbox.notify`` (and by the reminders) for
every event. When the agreement came with its two parties (a service's locking read), their
``webhook_events`` tell whether anyone listens, and nobody listening costs no query; otherwise it reads
the parties' endpoints. Someone listening costs that read and one bulk insert. A rolled-back change sends
nothing; a lost task only delays a row, which the sweeper queues again (``requeue_webhook_deliveries``).

The payload names the agreement and the event, nothing a receiver could not read through the API
with a token of a member of its organisation: the reference, the state and where to read the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from workflow.core.queue import publish, sweeper_grace
from workflow.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
from workflow.webhooks.events import WEBHOOK_EVENT_BY_CAUSE

logger = logging.getLogger(__name__)

DELIVER_TASK = "workflow.webhooks.tasks.deliver_webhooks"
BATCH = 50
MAX_PER_SWEEP = 2000


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def payload_for(name: str, agreement: Agreement, *, now: dt.datetime, detail: dict | None = None) -> dict:
    api_path = reverse("api-agreement-detail", kwargs={"reference": agreement.reference})
    return {
        "type": f"agreement.{name}",
        "timestamp": now.isoformat(),
        "data": {
            "reference": agreement.reference,
            "state": agreement.state,
            "api_url": f"{settings.SITE_URL}{api_path}",
            **(detail or {}),
        },
    }


def _a_party_may_listen(agreement: Agreement, name: str) -> bool:
    """False when the parties read with the agreement (a service's locking read) listen to no such event.

    Their ``webhook_events`` are kept with the endpoints (``webhook_endpoint_*`` in services.py), so a
    transition whose parties nobody listens for asks no query here. Parties not read yet: the endpoints answer.
    """
    if not (Agreement.initiative.is_cached(agreement) and Agreement.municipality.is_cached(agreement)):
        return True
    return name in agreement.initiative.webhook_events or name in agreement.municipality.webhook_events


def webhook_deliveries_record(*, cause: str, agreement: Agreement, detail: dict | None = None) -> list[WebhookDelivery]:
    """One pending delivery per active endpoint of either party that picked this event (same transaction).

    ``detail``: more of the event, as plain values (which reminder), added to the payload's ``data``.
    """
    name = WEBHOOK_EVENT_BY_CAUSE.get(cause)
    if name is None or not _a_party_may_listen(agreement, name):
        return []
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            organisation_id__in=[agreement.initiative_id, agreement.municipality_id], is_active=True
        )
        if name in endpoint.events
    ]
    if not endpoints:
        return []
    now = timezone.now()
    payload = payload_for(name, agreement, now=now, detail=detail)
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                agreement=agreement,
                event=name,
                message_id=new_message_id(),
                payload=payload,
                created_at=now,
                next_attempt_at=now,
            )
            for endpoint in endpoints
        ]
    )
    ids = [row.pk for row in rows]  # bulk_create returns the ids (PostgreSQL, and SQLite from 3.35)
    transaction.on_commit(lambda: publish_webhook_delivery(ids), robust=True)
    return rows


def publish_webhook_delivery(ids: list[int]) -> bool:
    return publish(DELIVER_TASK, kwargs={"delivery_ids": list(ids)})


def requeue_webhook_deliveries() -> int:
    """Rows due a grace period ago (a lost task, a broker outage) and rows whose worker died while sending."""
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
    released = WebhookDelivery.objects.filter(status=WebhookStatus.SENDING, claimed_at__lt=now - lease).update(
        status=WebhookStatus.PENDING, claimed_at=None, next_attempt_at=now
    )
    if released:
        logger.warning("Took back %s webhook deliveries whose sending was interrupted", released)
    ids = list(
        WebhookDelivery.objects.filter(
            status=WebhookStatus.PENDING, next_attempt_at__lte=now - (dt.timedelta(0) if released else sweeper_grace())
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:MAX_PER_SWEEP]
    )
    queued = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        if not publish_webhook_delivery(chunk):
            break
        queued += len(chunk)
    return queued
