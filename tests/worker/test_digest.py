"""The daily overview: held e-mails are never sent on their own, and one overview a day carries them all."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import PASSWORD, AgreementFactory
from workflow.core.sweeper import sweep
from workflow.lifecycle.services.review import agreement_approve, agreement_submit
from workflow.lifecycle.services.signing import agreement_sign
from workflow.models import (
    Delivery,
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationStatus,
    SentReminder,
)
from workflow.notifications.delivery import deliver_many
from workflow.notifications.digest import (
    digest_batch,
    digest_cutoff,
    digests_create,
    digests_requeue_missed,
    notification_preferences_set,
)
from workflow.notifications.events import Event
from workflow.notifications.outbox import notify, requeue_notifications
from workflow.notifications.preferences import DIGEST_EVENTS
from workflow.notifications.reminders import send_due_reminders
from workflow.notifications.tasks import send_digests

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _agreement(w, **kwargs):
    return AgreementFactory(initiative=w.initiative, municipality=w.municipality, created_by=w.drafter, **kwargs)


def _signing_round(w, agreement, capture):
    """The municipality approves and both initiative signatories sign; every e-mail is delivered as it would be."""
    with capture(execute=True):
        agreement_approve(agreement=agreement, actor=w.reviewer)
    for signer in (w.initiative_signer1, w.initiative_signer2):
        agreement.refresh_from_db()
        with capture(execute=True):
            agreement_sign(
                password=PASSWORD,
                authority_confirmed=True,
                agreement=agreement,
                actor=signer,
                content_hash=agreement.frozen_version().content_hash,
            )


def _mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def _age(rows, days: int = 2) -> None:
    """Held before the last overview hour, whatever the hour is now."""
    Notification.objects.filter(pk__in=[r.pk for r in rows]).update(created_at=timezone.now() - days * DAY)


@pytest.fixture
def alderman_wants_one_overview(world):
    notification_preferences_set(
        user=world.municipal_signer,
        deliveries={Event.APPROVED: Delivery.DIGEST, Event.SIGNATURE_ADDED: Delivery.DIGEST},
    )
    return world.municipal_signer


def test_a_signing_round_holds_the_aldermans_emails_and_sends_the_others(
    world, alderman_wants_one_overview, eager_celery, django_capture_on_commit_callbacks
):
    agreement = _agreement(world, in_review=True)
    _signing_round(world, agreement, django_capture_on_commit_callbacks)

    held = Notification.objects.filter(recipient=world.municipal_signer).order_by("pk")
    assert [(n.event, n.status) for n in held] == [
        (Event.APPROVED, NotificationStatus.HELD),
        (Event.SIGNATURE_ADDED, NotificationStatus.HELD),
        (Event.SIGNATURE_ADDED, NotificationStatus.HELD),
    ]
    assert _mails_to("wethouder@example.org") == []
    # Everyone else still hears at once.
    assert _mails_to("bestuur2@example.org")
    assert (
        Notification.objects.exclude(recipient=world.municipal_signer).filter(status=NotificationStatus.SENT).count()
        == Notification.objects.exclude(recipient=world.municipal_signer).count()
    )


def test_held_rows_are_never_claimed_requeued_or_released_on_their_own(
    world, alderman_wants_one_overview, eager_celery, settings
):
    agreement = _agreement(world, in_review=True)
    agreement_approve(agreement=agreement, actor=world.reviewer)
    (held,) = Notification.objects.filter(recipient=world.municipal_signer)
    _age([held])
    settings.SWEEPER_GRACE_SECONDS = 0
    assert deliver_many([held.pk]) == {"skipped": 1}
    requeue_notifications()
    held.refresh_from_db()
    assert held.status == NotificationStatus.HELD and held.attempts == 0
    assert _mails_to("wethouder@example.org") == []


def test_the_daily_overview_is_one_email_with_every_held_item_and_marks_them_sent(
    world, alderman_wants_one_overview, eager_celery, django_capture_on_commit_callbacks
):
    first = _agreement(world, in_review=True, title="Warmtenet Oost")
    second = _agreement(world, in_review=True, title="Zonnedaken Noord")
    _signing_round(world, first, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        agreement_approve(agreement=second, actor=world.reviewer)
    held = list(Notification.objects.filter(recipient=world.municipal_signer))
    assert len(held) == 4
    _age(held)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests() == 1

    (message,) = mail.outbox
    assert message.to == ["wethouder@example.org"]
    assert message.subject.startswith("Samenkader: uw overzicht van ")
    html = message.alternatives[0][0]
    for text in (message.body, html):
        assert "Warmtenet Oost" in text and "Zonnedaken Noord" in text
        assert text.count("Handtekening gezet") == 2
        assert text.count("Goedgekeurd, klaar om te tekenen") == 2
        assert "Bea Bestuur" in text and "Bart Bestuur" in text
        assert "/account/" in text  # where to change it
    # Grouped by agreement: the first agreement's three lines come before the second's heading.
    assert message.body.index("Zonnedaken Noord") > message.body.rindex("Handtekening gezet")
    digest = Notification.objects.get(kind=NotificationKind.DIGEST)
    assert message.extra_headers["Message-ID"] == digest.message_id
    assert digest.status == NotificationStatus.SENT
    assert {(n.status, n.digest_id) for n in Notification.objects.filter(pk__in=[h.pk for h in held])} == {
        (NotificationStatus.SENT, digest.pk)
    }

    # A second run (a message delivered twice, a second beat) sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests() == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(kind=NotificationKind.DIGEST).count() == 1


def test_the_overview_is_in_the_persons_language(world, alderman_wants_one_overview):
    world.municipal_signer.preferred_language = "en"
    world.municipal_signer.save()
    agreement = _agreement(world, in_review=True, title="Warmtenet Oost")
    agreement_approve(agreement=agreement, actor=world.reviewer)
    _age(Notification.objects.filter(recipient=world.municipal_signer))
    digests_create()
    deliver_many(Notification.objects.filter(kind=NotificationKind.DIGEST).values_list("pk", flat=True))
    (message,) = _mails_to("wethouder@example.org")
    assert message.subject.startswith("Samenkader: your overview of ")
    assert "Approved, ready to sign" in message.body
    assert "Goedgekeurd" not in message.body


def test_one_overview_per_person_per_day_later_rows_wait_for_tomorrow(world, alderman_wants_one_overview):
    agreement = _agreement(world, in_review=True)
    agreement_approve(agreement=agreement, actor=world.reviewer)
    _age(Notification.objects.filter(recipient=world.municipal_signer))
    now = timezone.now()
    assert digests_create(now=now) == 1

    # Held after today's overview was made (created before the cutoff only by a slow commit): not today.
    late = notify(event=Event.APPROVED, agreement=agreement, actor=world.reviewer)
    late_row = next(n for n in late if n.recipient_id == world.municipal_signer.pk)
    _age([late_row])
    assert digests_create(now=now) == 0
    late_row.refresh_from_db()
    assert late_row.status == NotificationStatus.HELD and late_row.digest_id is None
    # ... and the sweeper does not keep asking for it today.
    assert digests_requeue_missed() == 0
    # Tomorrow's overview takes it.
    assert digests_create(now=now + DAY) == 1
    late_row.refresh_from_db()
    assert late_row.digest_id is not None


def test_a_second_beat_that_lost_the_race_makes_no_second_overview(world, alderman_wants_one_overview):
    agreement = _agreement(world, in_review=True)
    agreement_approve(agreement=agreement, actor=world.reviewer)
    (held,) = Notification.objects.filter(recipient=world.municipal_signer)
    _age([held])
    now = timezone.now()
    # The other beat's overview for today, for the same person and address (made between our check and insert).
    day = timezone.localdate(digest_cutoff(now))
    other = Notification.objects.create(
        kind=NotificationKind.DIGEST,
        event="digest",
        batch=digest_batch(user_id=world.municipal_signer.pk, day=day),
        recipient=world.municipal_signer,
        recipient_email=world.municipal_signer.email,
        message_id=f"<{uuid.uuid4()}@example.org>",
    )
    assert digests_create(now=now) == 0
    assert Notification.objects.filter(kind=NotificationKind.DIGEST).get() == other


def test_rows_held_since_the_overview_hour_wait_for_the_next_day(world, alderman_wants_one_overview, settings):
    settings.DIGEST_HOUR = 7
    agreement = _agreement(world, in_review=True)
    agreement_approve(agreement=agreement, actor=world.reviewer)
    (held,) = Notification.objects.filter(recipient=world.municipal_signer)
    today_at = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(7)))
    Notification.objects.filter(pk=held.pk).update(created_at=today_at + dt.timedelta(hours=1))
    assert digests_create(now=today_at + dt.timedelta(hours=3)) == 0  # held at 8:00, after today's 7:00
    assert digests_create(now=today_at + DAY) == 1  # tomorrow at 7:00


def test_the_sweeper_catches_up_when_beat_missed_the_hour(
    world, alderman_wants_one_overview, eager_celery, django_capture_on_commit_callbacks
):
    agreement = _agreement(world, in_review=True)
    agreement_approve(agreement=agreement, actor=world.reviewer)
    _age(Notification.objects.filter(recipient=world.municipal_signer))
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep()
    assert result["digests_requeue_missed"] == 1
    assert len(_mails_to("wethouder@example.org")) == 1
    assert sweep()["digests_requeue_missed"] == 0


def test_reminders_and_security_emails_always_go_at_once(world, settings, eager_celery):
    # Everything that can wait, waits; and a stray preference for a security e-mail is ignored.
    notification_preferences_set(user=world.reviewer, deliveries=dict.fromkeys(DIGEST_EVENTS, Delivery.DIGEST))
    NotificationPreference.objects.create(user=world.reviewer, event=Event.SIGNING_LOCKED, delivery=Delivery.DIGEST)
    settings.REMINDERS = {**settings.REMINDERS, "enabled": True, "review_after_days": 7}
    agreement = _agreement(world, in_review=True)
    type(agreement).objects.filter(pk=agreement.pk).update(state_changed_at=timezone.now() - 8 * DAY)

    assert send_due_reminders() >= 1
    reminder = SentReminder.objects.get(recipient=world.reviewer).notification
    assert reminder.status == NotificationStatus.PENDING
    deliver_many([reminder.pk])
    reminder.refresh_from_db()
    assert reminder.status == NotificationStatus.SENT

    (locked,) = [
        n
        for n in notify(
            event=Event.SIGNING_LOCKED,
            agreement=agreement,
            actor=None,
            context={"person_id": world.reviewer.pk, "party_id": world.municipality.pk},
        )
        if n.recipient_id == world.reviewer.pk
    ]
    assert locked.status == NotificationStatus.PENDING


def test_switching_back_to_immediate_sends_what_was_held(
    world, alderman_wants_one_overview, eager_celery, django_capture_on_commit_callbacks
):
    agreement = _agreement(world, in_review=True)
    agreement_approve(agreement=agreement, actor=world.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        notification_preferences_set(user=world.municipal_signer, deliveries={Event.APPROVED: Delivery.IMMEDIATE})
    (message,) = _mails_to("wethouder@example.org")
    assert "Goedgekeurd" in message.subject
    assert Notification.objects.get(recipient=world.municipal_signer).status == NotificationStatus.SENT
    assert digests_create(now=timezone.now() + 2 * DAY) == 0


def test_a_submission_for_a_reviewer_who_chose_the_overview(world, eager_celery, django_capture_on_commit_callbacks):
    notification_preferences_set(user=world.reviewer, deliveries={Event.SUBMITTED: Delivery.DIGEST})
    with django_capture_on_commit_callbacks(execute=True):
        agreement_submit(agreement=_agreement(world, content=True), actor=world.drafter)
    assert _mails_to("reviewer@example.org") == []
    assert len(_mails_to("reviewer2@example.org")) == 1
