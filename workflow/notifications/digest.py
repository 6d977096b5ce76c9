"""The daily overview: e-mails a person chose to get once a day, sent together at DIGEST_HOUR.

``notify`` writes a held row (status held) for whoever wants that event in the
overview; nothing delivers a held row on its own. Once a day ``digests_create``
takes each person's held rows into one new outbox row of kind digest, under a
row lock (``skip_locked``: two beats never take the same rows). That row is
delivered like any other (delivery.py: claim, send, mark, retry, the sweeper),
and when it is marked sent its held rows are marked sent in the same
transaction: the overview's Message-ID is the e-mail that carried them.

One overview per person per day: its batch is derived from the person and the
day, and the outbox's unique (batch, address) refuses a second one. Rows held
after the day's overview was made wait for the next day's.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import User
from workflow.core.exceptions import InvalidInput
from workflow.core.queue import publish
from workflow.models import Delivery, Notification, NotificationKind, NotificationPreference, NotificationStatus
from workflow.notifications.outbox import create_digest_notification, queue_delivery
from workflow.notifications.preferences import DIGEST_EVENTS

logger = logging.getLogger(__name__)

DIGEST_TASK = "workflow.notifications.tasks.send_digests"
_BATCH_NAMESPACE = uuid.UUID("0f5d8a63-7a4e-4c36-9d55-8e3f0b6f2a11")


def digest_batch(*, user_id: int, day: dt.date) -> uuid.UUID:
    """The same for one person and one day, wherever and however often it is computed."""
    return uuid.uuid5(_BATCH_NAMESPACE, f"digest/{user_id}/{day.isoformat()}")


def digest_cutoff(now: dt.datetime) -> dt.datetime:
    """The latest DIGEST_HOUR (local time) at or before ``now``: the overview then covers what was held before it."""
    local = timezone.localtime(now)
    day = local.date() if local.hour >= settings.DIGEST_HOUR else local.date() - dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(settings.DIGEST_HOUR)))


def _waiting(cutoff: dt.datetime):
    return Notification.objects.filter(status=NotificationStatus.HELD, digest__isnull=True, created_at__lt=cutoff)


def digests_create(*, now: dt.datetime | None = None) -> int:
    """Make today's overview for each person with held rows from before the cutoff; returns how many were made.

    Idempotent: a second run the same day finds the rows taken, or finds the
    day's overview already there and leaves newer rows for tomorrow.
    """
    now = now or timezone.now()
    cutoff = digest_cutoff(now)
    day = timezone.localdate(cutoff)
    made = 0
    for recipient_id in sorted(set(_waiting(cutoff).values_list("recipient_id", flat=True)), key=lambda pk: pk or 0):
        if _digest_for(recipient_id=recipient_id, cutoff=cutoff, day=day, now=now):
            made += 1
    return made


@transaction.atomic
def _digest_for(*, recipient_id: int | None, cutoff: dt.datetime, day: dt.date, now: dt.datetime) -> bool:
    items = list(
        _waiting(cutoff)
        .select_for_update(skip_locked=True)
        .filter(recipient_id=recipient_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not items:
        return False  # another run holds them, or took them a moment ago
    user = User.objects.filter(pk=recipient_id, is_active=True).first() if recipient_id else None
    if user is None:
        Notification.objects.filter(pk__in=items).update(
            status=NotificationStatus.FAILED, last_error="No active account for the daily overview"
        )
        return False
    batch = digest_batch(user_id=user.pk, day=day)
    if Notification.objects.filter(batch=batch).exists():
        return False  # today's overview went already: these wait for tomorrow's
    try:
        with transaction.atomic():
            digest = create_digest_notification(recipient=user, batch=batch, count=len(items), now=now)
    except IntegrityError:
        return False  # a second beat made today's overview a moment ago
    Notification.objects.filter(pk__in=items, status=NotificationStatus.HELD, digest__isnull=True).update(digest=digest)
    queue_delivery([digest.pk])
    return True


def digests_requeue_missed() -> int:
    """The sweeper's share: if the day's overview time has passed and rows from before it still wait
    (beat was down at DIGEST_HOUR), publish the digest task once more. Returns 1 when it did."""
    cutoff = digest_cutoff(timezone.now())
    made = Notification.objects.filter(
        kind=NotificationKind.DIGEST, recipient_id=OuterRef("recipient_id"), created_at__gte=cutoff
    )
    # A row that committed just after its person's overview was made waits for tomorrow's: not missed.
    if not _waiting(cutoff).filter(~Exists(made)).exists():
        return 0
    return 1 if publish(DIGEST_TASK, kwargs={}) else 0


@transaction.atomic
def notification_preferences_set(*, user: User, deliveries: dict[str, str]) -> dict[str, str]:
    """Store how ``user`` wants each event (immediate or digest); unknown events and values are refused.

    Switching an event back to immediate sends what was held for it and not yet
    taken into an overview, now, instead of with tomorrow's overview.
    """
    wrong = [event for event, value in deliveries.items() if event not in DIGEST_EVENTS or value not in Delivery.values]
    if wrong:
        raise InvalidInput(errors={event: [_("Kies direct of dagelijks overzicht.")] for event in wrong})
    for event, delivery in deliveries.items():
        NotificationPreference.objects.update_or_create(user=user, event=event, defaults={"delivery": delivery})
    now_immediate = [event for event, delivery in deliveries.items() if delivery == Delivery.IMMEDIATE]
    if now_immediate:
        released = list(
            Notification.objects.select_for_update()
            .filter(recipient=user, event__in=now_immediate, status=NotificationStatus.HELD, digest__isnull=True)
            .values_list("pk", flat=True)
        )
        if released:
            Notification.objects.filter(pk__in=released).update(
                status=NotificationStatus.PENDING, next_attempt_at=timezone.now()
            )
            queue_delivery(released)
    return deliveries
