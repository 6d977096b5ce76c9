"""The outbox: who gets which e-mail, in which language, delivered once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from agreements.choices import AgreementState, MembershipRole
from agreements.models import Membership, Signature
from tests.factories import PASSWORD, AgreementFactory, UserFactory
from workflow.core import sweeper
from workflow.core.sweeper import PENDING_WORK_REQUEUERS, sweep
from workflow.lifecycle.services.advisors import advisor_grant
from workflow.lifecycle.services.comments import comment_add
from workflow.lifecycle.services.review import (
    agreement_approve,
    agreement_reopen,
    agreement_request_changes,
    agreement_submit,
    agreement_withdraw,
)
from workflow.lifecycle.services.signing import agreement_sign
from workflow.models import Notification, NotificationKind, NotificationStatus
from workflow.notifications.delivery import Outcome, deliver, deliver_many, retry_delay
from workflow.notifications.events import Event
from workflow.notifications.outbox import notify_invitation
from workflow.notifications.rendering import SUBJECTS, render_email

pytestmark = pytest.mark.django_db


def _agreement(w, **kwargs):
    return AgreementFactory(initiative=w.initiative, municipality=w.municipality, created_by=w.drafter, **kwargs)


def _recipients(event: str | None = None) -> list[str]:
    rows = Notification.objects.all()
    if event:
        rows = rows.filter(event=event)
    return sorted(rows.values_list("recipient_email", flat=True))


def _sign(agreement, user, party):
    version = agreement.frozen_version()
    Signature.objects.create(version=version, party=party, signer=user, content_hash=version.content_hash)


def test_submitted_tells_each_reviewer_once_and_not_the_actor(world):
    agreement = _agreement(world, content=True)
    # Someone with two roles still gets one e-mail per event.
    Membership.objects.create(user=world.reviewer, organisation=world.municipality, role=MembershipRole.SIGNATORY)
    agreement_submit(agreement=agreement, actor=world.drafter)
    assert _recipients(Event.SUBMITTED) == ["reviewer2@example.org", "reviewer@example.org"]
    assert Notification.objects.filter(recipient=world.drafter).count() == 0


def test_changes_requested_tells_the_drafters(world):
    agreement = _agreement(world, in_review=True)
    agreement_request_changes(agreement=agreement, actor=world.reviewer, note="Graag de evaluatie uitwerken.")
    assert _recipients() == ["drafter@example.org"]
    assert Notification.objects.get().context["note"] == "Graag de evaluatie uitwerken."


def test_approved_tells_the_signatories_of_both_parties(world):
    agreement = _agreement(world, in_review=True)
    agreement_approve(agreement=agreement, actor=world.reviewer)
    assert _recipients() == ["bestuur1@example.org", "bestuur2@example.org", "wethouder@example.org"]


def test_signature_tells_only_the_signatories_still_to_sign(world):
    agreement = _agreement(world, approved=True)
    version = agreement.frozen_version()
    agreement_sign(
        password=PASSWORD,
        authority_confirmed=True,
        agreement=agreement,
        actor=world.initiative_signer1,
        content_hash=version.content_hash,
    )
    # The initiative needs two signatures, the municipality one.
    assert _recipients(Event.SIGNATURE_ADDED) == ["bestuur2@example.org", "wethouder@example.org"]


def test_the_signature_mail_counts_signatures_as_the_page_does(world):
    """One way to say it: "0 van 1 handtekening" for a quorum of one, "1 van 2 handtekeningen" for two."""
    world.municipal_signer.preferred_language = "en"
    world.municipal_signer.save()
    agreement = _agreement(world, approved=True)
    agreement_sign(
        password=PASSWORD,
        authority_confirmed=True,
        agreement=agreement,
        actor=world.initiative_signer1,
        content_hash=agreement.frozen_version().content_hash,
    )
    rows = {n.recipient_email: n for n in Notification.objects.filter(event=Event.SIGNATURE_ADDED)}
    dutch = render_email(rows["bestuur2@example.org"])
    for text in (dutch.body, dutch.alternatives[0][0]):
        assert f"{world.initiative.name}: 1 van 2 handtekeningen" in text
        assert f"{world.municipality.name}: 0 van 1 handtekening" in text
        assert "0 van 1 handtekeningen" not in text
    english = render_email(rows["wethouder@example.org"])
    assert f"{world.municipality.name}: 0 of 1 signature\n" in english.body
    assert f"{world.initiative.name}: 1 of 2 signatures" in english.body


def test_the_submission_mail_names_the_review_date_when_there_is_one(world):
    world.reviewer2.preferred_language = "en"
    world.reviewer2.save()
    dated = _agreement(world, content=True, review_due_date=dt.date(2030, 3, 14))
    agreement_submit(agreement=dated, actor=world.drafter)
    message = render_email(Notification.objects.get(agreement=dated, recipient=world.reviewer))
    assert "uiterlijk 14 maart 2030 te beoordelen" in message.body
    assert "uiterlijk 14 maart 2030 te beoordelen" in message.alternatives[0][0]
    undated = _agreement(world, content=True)
    agreement_submit(agreement=undated, actor=world.drafter)
    english = render_email(Notification.objects.get(agreement=dated, recipient=world.reviewer2))
    assert "by 14 March 2030" in english.body
    assert "uiterlijk" not in render_email(Notification.objects.get(agreement=undated, recipient=world.reviewer)).body


def test_signed_tells_everyone_involved_and_granted_advisors(world):
    agreement = _agreement(world, approved=True)
    advisor_grant(agreement=agreement, actor=world.drafter, advisor=world.advisor_org)
    _sign(agreement, world.initiative_signer1, world.initiative)
    _sign(agreement, world.initiative_signer2, world.initiative)
    version = agreement.frozen_version()
    agreement_sign(
        password=PASSWORD,
        authority_confirmed=True,
        agreement=agreement,
        actor=world.municipal_signer,
        content_hash=version.content_hash,
    )
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SIGNED
    recipients = _recipients(Event.SIGNED)
    assert "advisor@example.org" in recipients
    assert {"drafter@example.org", "reviewer@example.org", "bestuur1@example.org", "admin-ini@example.org"} <= set(
        recipients
    )
    assert "wethouder@example.org" not in recipients  # the actor
    assert "outsider@example.org" not in recipients


def test_comment_tells_drafters_reviewers_and_the_thread(world):
    agreement = _agreement(world, in_review=True)
    advisor_grant(agreement=agreement, actor=world.drafter, advisor=world.advisor_org)
    first = comment_add(agreement=agreement, actor=world.advisor, body="Is de netbeheerder betrokken?")
    assert _recipients() == ["drafter@example.org", "reviewer2@example.org", "reviewer@example.org"]
    Notification.objects.all().delete()
    comment_add(agreement=agreement, actor=world.reviewer, body="Goede vraag.", parent=first)
    assert _recipients() == ["advisor@example.org", "drafter@example.org", "reviewer2@example.org"]


def test_withdrawn_and_reopened(world):
    agreement = _agreement(world, approved=True)
    agreement_reopen(agreement=agreement, actor=world.reviewer, note="Bedrag klopt niet.")
    reopened = set(_recipients(Event.REOPENED))
    assert {"drafter@example.org", "bestuur1@example.org", "wethouder@example.org"} <= reopened
    assert "reviewer@example.org" not in reopened
    agreement_withdraw(agreement=agreement, actor=world.drafter)
    withdrawn = set(_recipients(Event.WITHDRAWN))
    assert "reviewer@example.org" in withdrawn and "drafter@example.org" not in withdrawn


def test_nothing_is_queued_when_the_transaction_rolls_back(world, django_capture_on_commit_callbacks):
    agreement = _agreement(world, content=True)
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            agreement_submit(agreement=agreement, actor=world.drafter)
            assert Notification.objects.count() == 2
            raise RuntimeError("the request failed after the service")
    assert Notification.objects.count() == 0
    assert callbacks == []


def test_delivery_is_published_after_commit(world, django_capture_on_commit_callbacks, monkeypatch):
    from workflow.notifications import outbox

    published = []
    monkeypatch.setattr(outbox, "publish", lambda name, *, kwargs: published.append(name) or True)
    agreement = _agreement(world, content=True)
    with django_capture_on_commit_callbacks() as callbacks:
        agreement_submit(agreement=agreement, actor=world.drafter)
    assert published == []
    for callback in callbacks:
        callback()
    assert published == [outbox.DELIVER_TASK]


def test_each_email_is_in_the_recipients_language(world):
    world.reviewer2.preferred_language = "en"
    world.reviewer2.save()
    agreement = _agreement(world, content=True)
    agreement_submit(agreement=agreement, actor=world.drafter)
    by_email = {n.recipient_email: n for n in Notification.objects.all()}
    english = render_email(by_email["reviewer2@example.org"])
    dutch = render_email(by_email["reviewer@example.org"])
    assert english.subject.startswith("For your review: ")
    assert dutch.subject.startswith("Ter beoordeling: ")
    assert english.extra_headers["Content-Language"] == "en"
    assert dutch.extra_headers["Content-Language"] == "nl"
    assert '<html lang="en">' in english.alternatives[0][0]
    assert '<html lang="nl">' in dutch.alternatives[0][0]
    for message in (english, dutch):
        assert agreement.reference in message.body
        assert message.body.count("http://") >= 1
        assert agreement.title in message.alternatives[0][0]
    assert "Dirk Opsteller" in dutch.body  # who acted


def test_every_event_and_reminder_renders_in_both_languages(world):
    agreement = _agreement(world, approved=True, evaluation_date=dt.date(2030, 1, 1))
    for key in SUBJECTS:
        for language in ("nl", "en"):
            row = Notification(
                kind=NotificationKind.EVENT,
                event=key,
                agreement=None if key == "invitation" else agreement,
                recipient=world.reviewer,
                recipient_email="reviewer@example.org",
                language=language,
                actor=world.drafter,
                context={
                    "note": "Toelichting <b>vet</b>",
                    "days": 9,
                    "date": "2030-01-01",
                    "organisation_name": "Gemeente Test",
                    "role_label": "beoordelaar",
                    "accept_url": "http://127.0.0.1:8000/uitnodiging/abc",
                },
                message_id=f"<{key}-{language}@example.org>",
            )
            message = render_email(row)
            html = message.alternatives[0][0]
            assert f'lang="{language}"' in html
            assert "{%" not in message.body and "{{" not in html
            assert "<b>vet</b>" not in html  # escaped in HTML


def test_delivery_marks_sent_and_does_not_send_twice(world):
    agreement = _agreement(world, content=True)
    agreement_submit(agreement=agreement, actor=world.drafter)
    row = Notification.objects.get(recipient=world.reviewer)
    assert deliver(row.pk) == Outcome.SENT
    assert deliver(row.pk) == Outcome.SKIPPED
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT and row.attempts == 1 and row.sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reviewer@example.org"]
    assert mail.outbox[0].extra_headers["Message-ID"] == row.message_id


def test_a_refused_address_fails_for_good_and_does_not_block_others(world, settings):
    settings.EMAIL_BACKEND = "tests.worker.fake_smtp.RefusingBackend"
    bad = UserFactory(email="bounce@example.org")
    Membership.objects.create(user=bad, organisation=world.municipality, role=MembershipRole.REVIEWER)
    agreement = _agreement(world, content=True)
    agreement_submit(agreement=agreement, actor=world.drafter)
    ids = list(Notification.objects.order_by("recipient_email").values_list("pk", flat=True))
    counts = deliver_many(ids)
    assert counts == {Outcome.FAILED: 1, Outcome.SENT: 2}
    failed = Notification.objects.get(recipient=bad)
    assert failed.status == NotificationStatus.FAILED and "550" in failed.last_error
    assert sorted(m.to[0] for m in mail.outbox) == ["reviewer2@example.org", "reviewer@example.org"]
    assert deliver(failed.pk) == Outcome.SKIPPED  # never retried


def test_a_temporary_failure_is_recorded_and_retried_later(world, settings):
    settings.EMAIL_BACKEND = "tests.worker.fake_smtp.RefusingBackend"
    flaky = UserFactory(email="flaky@example.org")
    Membership.objects.create(user=flaky, organisation=world.municipality, role=MembershipRole.REVIEWER)
    agreement = _agreement(world, content=True)
    agreement_submit(agreement=agreement, actor=world.drafter)
    row = Notification.objects.get(recipient=flaky)
    before = timezone.now()
    assert deliver(row.pk) == Outcome.RETRY
    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING and row.attempts == 1
    assert "SMTPServerDisconnected" in row.last_error
    assert row.next_attempt_at >= before + dt.timedelta(seconds=settings.NOTIFICATION_RETRY_BASE_SECONDS - 1)
    assert deliver(row.pk) == Outcome.SKIPPED  # not due yet
    # The backoff doubles, and the last attempt fails for good.
    assert retry_delay(3) == dt.timedelta(seconds=4 * settings.NOTIFICATION_RETRY_BASE_SECONDS)
    Notification.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now(), attempts=settings.NOTIFICATION_MAX_ATTEMPTS - 1
    )
    assert deliver(row.pk) == Outcome.FAILED


def test_invitation_reaches_someone_without_an_account(db):
    inviter = UserFactory(full_name="Ilse Initiatief")
    row = notify_invitation(
        email="nieuw@example.org",
        invited_by=inviter,
        organisation_name="Buurtwarmte Oost",
        role_label="ondertekenaar",
        accept_url="http://127.0.0.1:8000/uitnodiging/abc",
        language="en",
    )
    assert row.recipient is None and row.kind == NotificationKind.INVITATION
    assert deliver(row.pk) == Outcome.SENT
    message = mail.outbox[0]
    assert message.to == ["nieuw@example.org"]
    assert message.subject == "Invitation to Samenkader from Buurtwarmte Oost"
    assert "http://127.0.0.1:8000/uitnodiging/abc" in message.body
    assert "Ilse Initiatief" in message.body


def test_sweeper_takes_back_interrupted_deliveries_and_requeues_old_pending(world, settings, eager_celery):
    settings.SWEEPER_GRACE_SECONDS = 60
    agreement = _agreement(world, content=True)
    agreement_submit(agreement=agreement, actor=world.drafter)
    stuck, waiting = Notification.objects.order_by("pk")
    long_ago = timezone.now() - dt.timedelta(hours=1)
    # A worker died after claiming one row; the publish of the other was lost.
    Notification.objects.filter(pk=stuck.pk).update(status=NotificationStatus.SENDING, claimed_at=long_ago)
    Notification.objects.filter(pk=waiting.pk).update(next_attempt_at=long_ago)
    result = sweep()
    assert result["requeue_notifications"] == 2
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}
    assert len(mail.outbox) == 2


def test_sweeper_leaves_fresh_work_alone_and_survives_a_broken_requeuer(world, monkeypatch, eager_celery):
    agreement = _agreement(world, content=True)
    agreement_submit(agreement=agreement, actor=world.drafter)
    Notification.objects.update(status=NotificationStatus.SENDING, claimed_at=timezone.now())

    def broken() -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(sweeper, "PENDING_WORK_REQUEUERS", [broken, *PENDING_WORK_REQUEUERS])
    result = sweep()
    assert result["broken"] == -1 and result["requeue_notifications"] == 0
    assert len(mail.outbox) == 0


def test_a_title_with_a_line_break_still_mails(world):
    """A title stored before titles were one line: the subject folds it onto one line instead of failing."""
    from agreements.models import Agreement

    agreement = _agreement(world, in_review=True)
    Agreement.objects.filter(pk=agreement.pk).update(title="Warmte\r\nBcc: iemand@example.org\tOost\x07")
    agreement.refresh_from_db()
    agreement_approve(agreement=agreement, actor=world.reviewer)
    rows = list(Notification.objects.values_list("pk", flat=True))
    assert deliver_many(rows) == {Outcome.SENT: len(rows)}
    assert not Notification.objects.exclude(status=NotificationStatus.SENT).exists()
    for message in mail.outbox:
        assert message.subject.endswith(f"{agreement.reference} Warmte Bcc: iemand@example.org Oost")
        headers = message.message().as_string().split("\n\n", 1)[0]
        assert "\nBcc:" not in headers

    row = notify_invitation(
        email="nieuw@example.org",
        invited_by=world.initiative_admin,
        organisation_name="Buurtwarmte\nOost",
        role_label="opsteller",
        accept_url="http://127.0.0.1:8000/uitnodiging/abc",
        language="nl",
    )
    assert deliver(row.pk) == Outcome.SENT
    assert mail.outbox[-1].subject == "Uitnodiging voor Samenkader van Buurtwarmte Oost"


def test_a_password_reset_is_written_for_the_account_as_it_is_when_sent(world):
    from agreements.models import User
    from workflow.notifications.outbox import notify_password_reset

    row = notify_password_reset(user=world.drafter)
    assert row.kind == NotificationKind.PASSWORD_RESET and row.context == {}
    assert "/wachtwoord-instellen/" in render_email(row).body
    # Switched off before the worker got to it: no link goes out, and the row says why.
    User.objects.filter(pk=world.drafter.pk).update(is_active=False)
    row.refresh_from_db()
    assert deliver(row.pk) == Outcome.FAILED
    assert mail.outbox == []
    assert "cannot reset its password" in Notification.objects.get(pk=row.pk).last_error
