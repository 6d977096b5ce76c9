"""The sweeper: work whose pending state is visible in the database is queued again.

A lost message, a broker outage or a killed worker only delays work: every
few minutes beat runs ``sweep``, which calls each registered re-queuer.

PENDING WORK RE-QUEUERS: to make another kind of pending work safe, write a
function that finds it with an indexed query, publishes its task (catching
publish errors) and returns how many it queued, then register it:

    from workflow.sweeper import register_requeuer

    @register_requeuer
    def requeue_signed_versions_without_document() -> int:
        ...

Tasks must be idempotent: the sweeper may queue work that is already on its
way, and the task then finds nothing to do.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from .models import Notification, NotificationStatus

logger = logging.getLogger(__name__)

Requeuer = Callable[[], int]

#: Every function that finds pending work and queues it again. Append with register_requeuer.
PENDING_WORK_REQUEUERS: list[Requeuer] = []


def register_requeuer(function: Requeuer) -> Requeuer:
    if function not in PENDING_WORK_REQUEUERS:
        PENDING_WORK_REQUEUERS.append(function)
    return function


BATCH = 50
MAX_PER_SWEEP = 5000


def release_expired_claims(*, now: dt.datetime | None = None) -> int:
    """Rows stuck in 'sending' past the lease: the worker died. They become pending again.

    The lease is longer than the delivery task's hard time limit, so a worker
    that is still busy with the row never loses it.
    """
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    return Notification.objects.filter(status=NotificationStatus.SENDING, claimed_at__lt=now - lease).update(
        status=NotificationStatus.PENDING, claimed_at=None, next_attempt_at=now
    )


@register_requeuer
def requeue_notifications() -> int:
    """Pending e-mails whose delivery should have happened a grace period ago, and expired claims."""
    from .notifications import publish_delivery

    now = timezone.now()
    released = release_expired_claims(now=now)
    if released:
        logger.warning("Took back %s notifications whose delivery was interrupted", released)
    grace = dt.timedelta(seconds=settings.SWEEPER_GRACE_SECONDS)
    ids = list(
        Notification.objects.filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now - grace)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:MAX_PER_SWEEP]
    )
    if released:
        # Just released: due now, no need to wait out the grace period once more.
        ids += [
            pk
            for pk in Notification.objects.filter(status=NotificationStatus.PENDING, next_attempt_at=now).values_list(
                "pk", flat=True
            )
            if pk not in ids
        ]
    queued = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        if not publish_delivery(chunk):
            break  # the broker is down: the next sweep tries again
        queued += len(chunk)
    return queued


def sweep() -> dict[str, int]:
    """Run every re-queuer; one failing never stops the others."""
    result: dict[str, int] = {}
    for requeuer in list(PENDING_WORK_REQUEUERS):
        name = getattr(requeuer, "__name__", repr(requeuer))
        try:
            result[name] = requeuer()
        except Exception:  # noqa: BLE001 - a broken re-queuer must not stop the rest
            logger.exception("Sweeper: %s failed", name)
            result[name] = -1
    return result


@register_requeuer
def requeue_signed_versions_without_document() -> int:
    """Signed versions without their sealed PDF, and draft previews still waiting: queue them again."""
    from .documents import previews_requeue_pending, signed_documents_requeue_missing

    return signed_documents_requeue_missing() + previews_requeue_pending()
