"""The notifications outbox: which events e-mail whom, and how an e-mail is delivered.

Services call ``notify`` inside their transaction. It writes one Notification
row per person (never the actor), and after commit publishes one delivery
task for the rows. Delivery (``deliver``) claims a row with a conditional
update, sends without holding a lock or a transaction, then marks it sent.
If the publish fails or a worker dies, the row stays visible as pending or
sending, and the sweeper (workflow/core/sweeper.py) queues it again."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Iterator
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agreements.models import Agreement, User
from workflow.core.queue import publish, sweeper_grace
from workflow.models import Notification, NotificationKind, NotificationStatus
from workflow.notifications.events import DIGEST, INVITATION, PASSWORD_RESET, REGISTRATION, email_language
from workflow.notifications.preferences import digest_recipient_ids
from workflow.notifications.recipients import recipients_for
from workflow.webhooks.outbox import webhook_deliveries_record

logger = logging.getLogger(__name__)


def _message_id() -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "samenkader.local"
    return make_msgid(idstring="samenkader", domain=domain)


def _unique_by_email(users: Iterable[User], actor: User | None) -> list[User]:
    seen: set[str] = set()
    result = []
    for user in users:
        email = user.email.lower()
        if actor is not None and user.pk == actor.pk:
            continue  # nobody is told about their own action
        if email in seen or not user.is_active:
            continue
        seen.add(email)
        result.append(user)
    return result


def queue_delivery(ids: list[int]) -> None:
    """After commit, publish one delivery task for these rows; a failed publish only delays them."""
    if ids:
        transaction.on_commit(lambda: publish_delivery(ids), robust=True)


DELIVER_TASK = "workflow.notifications.tasks.deliver_notifications"


def publish_delivery(ids: list[int]) -> bool:
    """Publish one delivery task for these rows now; False when the broker does not answer (the sweeper will)."""
    return publish(DELIVER_TASK, kwargs={"notification_ids": list(ids)})


_silenced: contextvars.ContextVar[bool] = contextvars.ContextVar("notifications_silenced", default=False)


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """Run services without telling anyone: for replaying history, such as loading demo data."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def notify(*, event: str, agreement: Agreement, actor: User | None, context: dict | None = None) -> list[Notification]:
    """Queue the e-mails that ``event`` causes. Must run inside the service's transaction.

    One row per person (by e-mail address), never to the actor; delivery is
    published after commit, so a rolled-back change sends nothing. The row of
    someone who wants this event in the daily overview is held instead: no
    delivery is published for it, and the overview carries it (digest.py).
    """
    if _silenced.get():
        return []
    # The organisations' own systems hear about it too, whoever gets an e-mail.
    webhook_deliveries_record(cause=event, agreement=agreement)
    context = dict(context or {})
    recipients = _unique_by_email(recipients_for(event, agreement, context, with_digest=True), actor)
    if not recipients:
        return []
    now = timezone.now()
    # Who wants it in the daily overview came with the people (recipients_for(with_digest=True)); only
    # someone read without it is asked here (none is, for the events in preferences.DIGEST_EVENTS).
    held = {user.pk for user in recipients if getattr(user, "wants_digest", False)}
    unknown = [user.pk for user in recipients if not hasattr(user, "wants_digest")]
    if unknown:
        held |= digest_recipient_ids(event=event, user_ids=unknown)
    rows = [
        Notification(
            kind=NotificationKind.EVENT,
            status=NotificationStatus.HELD if user.pk in held else NotificationStatus.PENDING,
            event=event,
            agreement=agreement,
            recipient=user,
            recipient_email=user.email,
            language=email_language(user.preferred_language),
            actor=actor,
            context=context,
            message_id=_message_id(),
            created_at=now,
            next_attempt_at=now,
        )
        for user in recipients
    ]
    created = _insert(rows)
    queue_delivery([n.pk for n in created if n.status == NotificationStatus.PENDING])
    return created


def _insert(rows: list[Notification]) -> list[Notification]:
    # All rows of one call share a batch id: one e-mail per (event, recipient).
    if rows:
        batch = rows[0].batch
        for row in rows:
            row.batch = batch
    if transaction.get_connection().features.can_return_rows_from_bulk_insert:
        return Notification.objects.bulk_create(rows)
    for row in rows:
        row.save()
    return rows


def notify_invitation(
    *,
    email: str,
    invited_by: User,
    organisation_name: str,
    role_label: str,
    accept_url: str,
    language: str,
) -> Notification:
    """Queue the invitation e-mail to someone who may not have an account yet (same transaction)."""
    now = timezone.now()
    user = User.objects.filter(email__iexact=email).first()
    (row,) = _insert(
        [
            Notification(
                kind=NotificationKind.INVITATION,
                event=INVITATION,
                recipient=user,
                recipient_email=email,
                language=email_language(language),
                actor=invited_by,
                context={
                    "organisation_name": organisation_name,
                    "role_label": str(role_label),
                    "accept_url": accept_url,
                    # Someone with an account was added at once: no account to make, no link that expires.
                    "has_account": bool(user and user.has_usable_password()),
                },
                message_id=_message_id(),
                created_at=now,
                next_attempt_at=now,
            )
        ]
    )
    queue_delivery([row.pk])
    return row


def notify_registration(
    *, email: str, language: str, initiative_name: str, link: str, has_account: bool
) -> Notification:
    """Queue the e-mail that confirms a registration (same transaction).

    ``link`` confirms it; for an address that already has an account (``has_account``)
    it is the registration page, to sign in and register the initiative from there.
    """
    now = timezone.now()
    (row,) = _insert(
        [
            Notification(
                kind=NotificationKind.REGISTRATION,
                event=REGISTRATION,
                recipient=User.objects.filter(email__iexact=email).first(),
                recipient_email=email,
                language=email_language(language),
                context={
                    "organisation_name": initiative_name,
                    "accept_url": link,
                    "has_account": has_account,
                },
                message_id=_message_id(),
                created_at=now,
                next_attempt_at=now,
            )
        ]
    )
    queue_delivery([row.pk])
    return row


def notify_password_reset(*, user: User) -> Notification:
    """Queue the password-reset e-mail to ``user`` (same transaction); the worker writes and sends it.

    The row holds no link: the worker makes the one-time link when it writes the
    e-mail (rendering.py), so the outbox never stores a way into an account.
    """
    now = timezone.now()
    (row,) = _insert(
        [
            Notification(
                kind=NotificationKind.PASSWORD_RESET,
                event=PASSWORD_RESET,
                recipient=user,
                recipient_email=user.email,
                language=email_language(user.preferred_language),
                context={},
                message_id=_message_id(),
                created_at=now,
                next_attempt_at=now,
            )
        ]
    )
    queue_delivery([row.pk])
    return row


def create_reminder_notification(*, agreement: Agreement, kind: str, recipient: User, context: dict) -> Notification:
    """One reminder row (the caller records it in SentReminder in the same transaction)."""
    now = timezone.now()
    row = Notification(
        kind=NotificationKind.REMINDER,
        event=f"reminder_{kind}",
        agreement=agreement,
        recipient=recipient,
        recipient_email=recipient.email,
        language=email_language(recipient.preferred_language),
        context=context,
        message_id=_message_id(),
        created_at=now,
        next_attempt_at=now,
    )
    row.save()
    return row


def create_digest_notification(*, recipient: User, batch: uuid.UUID, count: int, now: dt.datetime) -> Notification:
    """The row of one daily overview (the caller takes the held rows into it in the same transaction).

    ``batch`` names the person and the day, so the database refuses a second
    overview for them that day (one_notification_per_event_recipient).
    """
    row = Notification(
        kind=NotificationKind.DIGEST,
        event=DIGEST,
        batch=batch,
        recipient=recipient,
        recipient_email=recipient.email,
        language=email_language(recipient.preferred_language),
        context={"count": count},
        message_id=_message_id(),
        created_at=now,
        next_attempt_at=now,
    )
    row.save()
    return row


# --- what the sweeper re-queues -----------------------------------------------------------------

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


def requeue_notifications() -> int:
    """Pending e-mails whose delivery should have happened a grace period ago, and expired claims.

    Held rows (the daily overview) are never pending: only their overview's own row is delivered.
    """
    now = timezone.now()
    released = release_expired_claims(now=now)
    if released:
        logger.warning("Took back %s notifications whose delivery was interrupted", released)
    grace = sweeper_grace()
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
