"""Sending webhook deliveries: signed (Standard Webhooks), to the checked address, retried for about a day.

A row is claimed (pending -> sending) in a short transaction, sent with no
lock or transaction held, then marked: delivered on a 2xx answer, otherwise
pending again after the next pause of ``WEBHOOK_RETRY_SECONDS``, or failed
when those are used up. Every attempt is logged on the row (the admin's
delivery log). Redirects are followed by hand, at most three, each target
checked by the address guard before it is called.

The signature (the Standard Webhooks scheme): HMAC-SHA256 with the
endpoint's secret (base64 after ``whsec_``) over ``{webhook-id}.{webhook-timestamp}.{body}``,
sent as ``webhook-signature: v1,<base64>``; the receiver recomputes it and
refuses a timestamp far from its own clock (a replay).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterable
from urllib.parse import urljoin

import urllib3
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from workflow.models import WebhookDelivery, WebhookStatus
from workflow.webhooks.guard import AddressRefused, Target, checked_target

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 3
USER_AGENT = "Samenkader-Webhooks/1"
_REDIRECTS = {301, 302, 303, 307, 308}


def signature(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def _request(target: Target, *, body: bytes, headers: dict) -> urllib3.BaseHTTPResponse:
    """POST to the checked address; the name only for the Host header and TLS (certificate and SNI)."""
    timeout = urllib3.Timeout(
        connect=settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS,
        read=settings.WEBHOOK_READ_TIMEOUT_SECONDS,
        total=settings.WEBHOOK_TOTAL_TIMEOUT_SECONDS,
    )
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            port=target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            timeout=timeout,
            retries=False,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, port=target.port, timeout=timeout, retries=False)
    default_port = 443 if target.scheme == "https" else 80
    host = target.host if target.port == default_port else f"{target.host}:{target.port}"
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        # Only the status and headers count: a few kilobytes of the body are read (and thrown away), never more.
        response.read(4096)
        response.release_conn()
        return response
    finally:
        pool.close()


def send(url: str, *, body: bytes, headers: dict) -> int:
    """POST ``body`` to ``url`` and follow redirects (each one checked); returns the final HTTP status."""
    for _hop in range(MAX_REDIRECTS + 1):
        target = checked_target(url)
        response = _request(target, body=body, headers=headers)
        location = response.headers.get("Location")
        if response.status in _REDIRECTS and location:
            try:
                url = urljoin(url, location)
            except ValueError:
                raise AddressRefused(f"Unusable redirect: {location[:100]}") from None
            continue
        return response.status
    raise AddressRefused(f"More than {MAX_REDIRECTS} redirects")


def claim(delivery_id: int) -> WebhookDelivery | None:
    """Move one due pending row to sending, just before it is sent; None when it is not due or another has it.

    One at a time, so the lease (``WEBHOOK_LEASE_SECONDS``) counts from this row's own send, not the batch's.
    """
    now = timezone.now()
    with transaction.atomic():
        row = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, status=WebhookStatus.PENDING, next_attempt_at__lte=now)
            .select_related("endpoint")
            .first()
        )
        if row is None:
            return None
        WebhookDelivery.objects.filter(pk=row.pk).update(status=WebhookStatus.SENDING, claimed_at=now)
        row.status, row.claimed_at = WebhookStatus.SENDING, now
    return row


def _attempt(row: WebhookDelivery) -> tuple[bool, dict]:
    body = json.dumps(row.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": row.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(row.endpoint.secret, message_id=row.message_id, timestamp=timestamp, body=body),
    }
    entry: dict = {"at": timezone.now().isoformat()}
    try:
        status = send(row.endpoint.url, body=body, headers=headers)
    except AddressRefused as refused:
        entry["error"] = str(refused)
        return False, entry
    except SoftTimeLimitExceeded:
        raise  # the task's time is up, not the receiver's fault: the row stays claimed, the sweeper takes it back
    except Exception as error:  # noqa: BLE001 - whatever a receiver causes is a failed attempt, never a stuck row
        if not isinstance(error, (urllib3.exceptions.HTTPError, OSError)):
            logger.exception("Webhook %s: unexpected error while sending", row.message_id)
        entry["error"] = type(error).__name__ + (f": {error}"[:200] if str(error) else "")
        return False, entry
    entry["status"] = status
    return 200 <= status < 300, entry


def deliver(row: WebhookDelivery) -> str:
    """One attempt for a claimed row; returns its new status."""
    mine = WebhookDelivery.objects.filter(pk=row.pk, status=WebhookStatus.SENDING, claimed_at=row.claimed_at)
    if not row.endpoint.is_active:
        mine.update(status=WebhookStatus.FAILED, claimed_at=None)
        return WebhookStatus.FAILED
    ok, entry = _attempt(row)
    attempts = row.attempts + 1
    now = timezone.now()
    pauses = settings.WEBHOOK_RETRY_SECONDS
    if ok:
        status, fields = WebhookStatus.DELIVERED, {"delivered_at": now}
    elif attempts <= len(pauses):
        status, fields = WebhookStatus.PENDING, {"next_attempt_at": now + dt.timedelta(seconds=pauses[attempts - 1])}
    else:
        status, fields = WebhookStatus.FAILED, {}
    # Only while this claim still holds: a row the sweeper took back and another worker claimed is theirs.
    mine.update(
        status=status, attempts=attempts, attempt_log=[*row.attempt_log, entry][-20:], claimed_at=None, **fields
    )
    if not ok:
        logger.info(
            "Webhook %s to endpoint %s: attempt %s failed (%s)", row.message_id, row.endpoint_id, attempts, entry
        )
    return status


def deliver_many(ids: Iterable[int]) -> dict[str, int]:
    """Send the rows one by one while the task has time; what is left waits for the sweeper's next round."""
    counts = {status: 0 for status in WebhookStatus.values}
    started = time.monotonic()
    for delivery_id in ids:
        if time.monotonic() - started > settings.WEBHOOK_BATCH_SECONDS:
            break
        row = claim(delivery_id)
        if row is not None:
            counts[deliver(row)] += 1
    return counts
