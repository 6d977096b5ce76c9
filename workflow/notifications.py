"""The notifications outbox: which events e-mail whom, and how an e-mail is delivered.

Services call ``notify`` inside their transaction. It writes one Notification
row per person (never the actor), and after commit publishes one delivery
task for the rows. Delivery (``deliver``) claims a row with a conditional
update, sends without holding a lock or a transaction, then marks it sent.
If the publish fails or a worker dies, the row stays visible as pending or
sending, and the sweeper (workflow/sweeper.py) queues it again.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import smtplib
from collections.abc import Iterable, Iterator
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from agreements.choices import AgreementState, Language, MembershipRole
from agreements.models import Agreement, Comment, User

from .models import Notification, NotificationKind, NotificationStatus

logger = logging.getLogger(__name__)


class Event:
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    COMMENTED = "commented"
    APPROVED = "approved"
    SIGNATURE_ADDED = "signature_added"
    SIGNED = "signed"
    REOPENED = "reopened"
    WITHDRAWN = "withdrawn"
    AMENDED = "amended"
    EXPIRED = "expired"
    DOCUMENT_READY = "document_ready"


INVITATION = "invitation"

# Subjects per template key and language. Kept here rather than in the
# translation catalogue so that each language's subject is fixed in code.
SUBJECTS: dict[str, dict[str, str]] = {
    Event.SUBMITTED: {
        "nl": "Ter beoordeling: {reference} {title}",
        "en": "For your review: {reference} {title}",
    },
    Event.CHANGES_REQUESTED: {
        "nl": "Wijzigingen gevraagd: {reference} {title}",
        "en": "Changes requested: {reference} {title}",
    },
    Event.COMMENTED: {
        "nl": "Nieuwe opmerking bij {reference} {title}",
        "en": "New comment on {reference} {title}",
    },
    Event.APPROVED: {
        "nl": "Goedgekeurd, klaar om te tekenen: {reference} {title}",
        "en": "Approved, ready to sign: {reference} {title}",
    },
    Event.SIGNATURE_ADDED: {
        "nl": "Er is getekend, uw handtekening ontbreekt nog: {reference} {title}",
        "en": "Someone signed, your signature is still needed: {reference} {title}",
    },
    Event.SIGNED: {
        "nl": "Ondertekend: {reference} {title}",
        "en": "Signed: {reference} {title}",
    },
    Event.REOPENED: {
        "nl": "Heropend: {reference} {title}",
        "en": "Reopened: {reference} {title}",
    },
    Event.WITHDRAWN: {
        "nl": "Ingetrokken: {reference} {title}",
        "en": "Withdrawn: {reference} {title}",
    },
    Event.AMENDED: {
        "nl": "Wijziging gestart: {reference} {title}",
        "en": "Amendment started: {reference} {title}",
    },
    Event.EXPIRED: {
        "nl": "Verlopen: {reference} {title}",
        "en": "Expired: {reference} {title}",
    },
    Event.DOCUMENT_READY: {
        "nl": "Getekend document klaar: {reference} {title}",
        "en": "Signed document ready: {reference} {title}",
    },
    "reminder_review": {
        "nl": "Herinnering: {reference} wacht op uw beoordeling",
        "en": "Reminder: {reference} is waiting for your review",
    },
    "reminder_signature": {
        "nl": "Herinnering: {reference} wacht op uw handtekening",
        "en": "Reminder: {reference} is waiting for your signature",
    },
    "reminder_evaluation": {
        "nl": "Binnenkort evalueren: {reference} {title}",
        "en": "Evaluation coming up: {reference} {title}",
    },
    "reminder_expiry": {
        "nl": "Looptijd eindigt binnenkort: {reference} {title}",
        "en": "Ending soon: {reference} {title}",
    },
    INVITATION: {
        "nl": "Uitnodiging voor Samenkader van {organisation}",
        "en": "Invitation to Samenkader from {organisation}",
    },
}

LANGUAGES = {code for code, _label in Language.choices}


def _language(code: str | None) -> str:
    return code if code in LANGUAGES else settings.LANGUAGE_CODE


def _message_id() -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "samenkader.local"
    return make_msgid(idstring="samenkader", domain=domain)


# --- who hears about what -------------------------------------------------------------------


def _people(agreement: Agreement, *pairs: tuple[int, Iterable[str] | None]) -> list[User]:
    """Active users holding one of ``roles`` in organisation ``org_id``, for each (org_id, roles) pair.

    Roles None means any role. Signatories count only while their mandate lasts.
    """
    today = timezone.localdate()
    condition = Q()
    for org_id, roles in pairs:
        pair = Q(memberships__organisation_id=org_id)
        if roles is not None:
            roles = list(roles)
            pair &= Q(memberships__role__in=roles)
            if roles == [MembershipRole.SIGNATORY]:
                pair &= Q(memberships__mandate_until__isnull=True) | Q(memberships__mandate_until__gte=today)
        condition |= pair
    if not condition:
        return []
    return list(User.objects.filter(condition, is_active=True).distinct().order_by("pk"))


def _drafters(a: Agreement) -> tuple[int, list[str]]:
    return (a.initiative_id, [MembershipRole.DRAFTER])


def _reviewers(a: Agreement) -> tuple[int, list[str]]:
    return (a.municipality_id, [MembershipRole.REVIEWER])


def _everyone_involved(a: Agreement, *, with_advisors: bool) -> list[User]:
    pairs = [(a.initiative_id, None), (a.municipality_id, None)]
    if with_advisors:
        pairs += [(org_id, None) for org_id in a.advisor_accesses.values_list("organisation_id", flat=True)]
    return _people(a, *pairs)


def signatories_still_to_sign(agreement: Agreement) -> list[User]:
    """Active signatories of each party that still needs a signature, who have not signed this version."""
    version = agreement.frozen_version()
    if version is None:
        return []
    signed = set(version.signatures.values_list("signer_id", flat=True))
    people: list[User] = []
    for party in agreement.parties:
        if agreement.party_signing_status(party, version)["complete"]:
            continue
        people += [u for u in _people(agreement, (party.pk, [MembershipRole.SIGNATORY])) if u.pk not in signed]
    return people


def _comment_thread_authors(comment_id: int | None) -> list[User]:
    comment = Comment.objects.filter(pk=comment_id).select_related("parent").first() if comment_id else None
    if comment is None:
        return []
    root = comment.parent or comment
    author_ids = {root.author_id, *root.replies.values_list("author_id", flat=True)}
    return list(User.objects.filter(pk__in=author_ids, is_active=True))


def recipients_for(event: str, agreement: Agreement, context: dict) -> list[User]:
    """Who hears about ``event`` (before the actor is taken out)."""
    a = agreement
    signatories = [(a.initiative_id, [MembershipRole.SIGNATORY]), (a.municipality_id, [MembershipRole.SIGNATORY])]
    if event == Event.SUBMITTED:
        return _people(a, _reviewers(a))
    if event == Event.CHANGES_REQUESTED:
        return _people(a, _drafters(a))
    if event == Event.COMMENTED:
        # The drafters always; the reviewers once the text is with them; and
        # whoever wrote in the same thread (an advisor, a signatory).
        pairs = [_drafters(a)] + ([_reviewers(a)] if a.state != AgreementState.DRAFT else [])
        return _people(a, *pairs) + _comment_thread_authors(context.get("comment_id"))
    if event == Event.APPROVED:
        return _people(a, *signatories)
    if event == Event.SIGNATURE_ADDED:
        return signatories_still_to_sign(a)
    if event in (Event.SIGNED, Event.DOCUMENT_READY):
        return _everyone_involved(a, with_advisors=True)
    if event == Event.REOPENED:
        # The signatories too: a signature they gave has been discarded.
        return _people(a, _drafters(a), _reviewers(a), *signatories)
    if event in (Event.WITHDRAWN, Event.EXPIRED):
        return _everyone_involved(a, with_advisors=False)
    if event == Event.AMENDED:
        return _people(a, _drafters(a), _reviewers(a))
    raise ValueError(f"Unknown event {event!r}")


# --- writing the outbox -------------------------------------------------------------------------


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


def publish_delivery(ids: list[int]) -> bool:
    from .tasks.notifications import deliver_notifications

    try:
        deliver_notifications.apply_async(args=[list(ids)], retry=False)
        return True
    except Exception:  # noqa: BLE001 - the broker may be down; the sweeper queues the rows again
        logger.warning("Could not queue delivery of notifications %s; the sweeper will", ids, exc_info=True)
        return False


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
    published after commit, so a rolled-back change sends nothing.
    """
    if _silenced.get():
        return []
    context = dict(context or {})
    recipients = _unique_by_email(recipients_for(event, agreement, context), actor)
    if not recipients:
        return []
    now = timezone.now()
    rows = [
        Notification(
            kind=NotificationKind.EVENT,
            event=event,
            agreement=agreement,
            recipient=user,
            recipient_email=user.email,
            language=_language(user.preferred_language),
            actor=actor,
            context=context,
            message_id=_message_id(),
            created_at=now,
            next_attempt_at=now,
        )
        for user in recipients
    ]
    created = _insert(rows)
    queue_delivery([n.pk for n in created])
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
                language=_language(language),
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


def create_reminder_notification(*, agreement: Agreement, kind: str, recipient: User, context: dict) -> Notification:
    """One reminder row (the caller records it in SentReminder in the same transaction)."""
    now = timezone.now()
    row = Notification(
        kind=NotificationKind.REMINDER,
        event=f"reminder_{kind}",
        agreement=agreement,
        recipient=recipient,
        recipient_email=recipient.email,
        language=_language(recipient.preferred_language),
        context=context,
        message_id=_message_id(),
        created_at=now,
        next_attempt_at=now,
    )
    row.save()
    return row


# --- rendering ----------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# Where an e-mail about an event takes the person: the page where they act.
SIGNING_EVENTS = {Event.APPROVED, Event.SIGNATURE_ADDED, "reminder_signature"}


def agreement_url(agreement: Agreement, *, event: str = "") -> str:
    """The agreement's page (the signing page for e-mails that ask for a signature)."""
    names = ["agreement:sign"] if event in SIGNING_EVENTS else []
    for name in [*names, "agreement:detail"]:
        try:
            return absolute_url(reverse(name, kwargs={"reference": agreement.reference}))
        except NoReverseMatch:
            continue
    return absolute_url("/")


def _display_name(user: User | None) -> str:
    if user is None:
        return "Samenkader"
    return user.full_name or user.email


def render_email(notification: Notification) -> EmailMultiAlternatives:
    """Subject, text and HTML in the recipient's language, with the row's Message-ID."""
    n = notification
    language = _language(n.language)
    agreement = n.agreement
    context = dict(n.context or {})
    with translation.override(language):
        template_context = {
            "language": language,
            "recipient_name": _display_name(n.recipient) if n.recipient else "",
            "actor_name": _display_name(n.actor) if n.actor_id else "",
            "site_url": settings.SITE_URL,
            "agreement": agreement,
            "note": context.get("note", ""),
            "context": context,
        }
        subject_values = {"organisation": context.get("organisation_name", "")}
        if agreement is not None:
            template_context["link"] = context.get("download_url") or agreement_url(agreement, event=n.event)
            template_context["initiative"] = agreement.initiative.name
            template_context["municipality"] = agreement.municipality.name
            subject_values.update(reference=agreement.reference, title=agreement.title)
            if context.get("date"):
                template_context["date"] = dt.date.fromisoformat(context["date"])
            comment_id = context.get("comment_id")
            if comment_id:
                template_context["comment"] = Comment.objects.filter(pk=comment_id).first()
            if n.event == "reminder_signature" or n.event == Event.SIGNATURE_ADDED:
                template_context["signing"] = [agreement.party_signing_status(party) for party in agreement.parties]
        else:
            template_context["link"] = context.get("accept_url") or absolute_url("/")
        subject = SUBJECTS[n.event][language].format(**subject_values)
        text = render_to_string(f"emails/{n.event}.txt", template_context)
        html = render_to_string(f"emails/{n.event}.html", template_context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[n.recipient_email],
        headers={
            "Message-ID": n.message_id,
            "Content-Language": language,
            "Auto-Submitted": "auto-generated",
            "X-Samenkader-Event": n.event,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


# --- delivery -----------------------------------------------------------------------------------


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
    Notification.objects.filter(pk=n.pk, status=NotificationStatus.SENDING).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), last_error="", claimed_at=None
    )
    return Outcome.SENT


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
