"""The reminder policy: due, not due, once per period, not after acting, per-municipality overrides; expiry."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from agreements.choices import AgreementState, AuditAction, MembershipRole
from agreements.models import Signature
from tests.factories import AgreementFactory, OrganisationFactory, member
from workflow.lifecycle.services.amendments import agreement_amend
from workflow.lifecycle.services.expiry import expire_due_agreements
from workflow.models import Notification, ReminderKind, ReminderPolicy, SentReminder, WebhookDelivery
from workflow.notifications.reminders import due_reminders, send_due_reminders
from workflow.webhooks import guard
from workflow.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def policy(settings):
    settings.REMINDERS = {
        "enabled": True,
        "review_after_days": 7,
        "signature_after_days": 5,
        "evaluation_within_days": 14,
        "expiry_within_days": 30,
        "period_days": 7,
    }
    return settings.REMINDERS


def _agreement(w, *, waiting_days: float = 0, municipality=None, **kwargs):
    agreement = AgreementFactory(
        initiative=w.initiative, municipality=municipality or w.municipality, created_by=w.drafter, **kwargs
    )
    type(agreement).objects.filter(pk=agreement.pk).update(state_changed_at=timezone.now() - waiting_days * DAY)
    agreement.refresh_from_db()
    return agreement


def _due(kind: str | None = None, **kwargs) -> list[tuple[str, str]]:
    return sorted(
        (item.agreement.reference, item.recipient.email)
        for item in due_reminders(**kwargs)
        if kind is None or item.kind == kind
    )


def test_review_waiting_longer_than_the_policy_is_due_for_each_reviewer(world, policy):
    due = _agreement(world, in_review=True, waiting_days=8)
    _agreement(world, in_review=True, waiting_days=3)  # not yet
    assert _due(ReminderKind.REVIEW) == [
        (due.reference, "reviewer2@example.org"),
        (due.reference, "reviewer@example.org"),
    ]


def test_at_most_once_per_period_then_again_next_period(world, policy):
    agreement = _agreement(world, in_review=True, waiting_days=8)
    assert send_due_reminders() == 2
    assert send_due_reminders() == 0  # already reminded this period
    assert Notification.objects.filter(agreement=agreement, event="reminder_review").count() == 2
    assert _due(now=timezone.now() + 3 * DAY) == []
    # A week later the review still waits: a new period, a new reminder.
    assert len(_due(now=timezone.now() + 7 * DAY)) == 2


def test_the_database_refuses_a_second_reminder_in_the_same_period(world):
    agreement = _agreement(world, in_review=True)
    SentReminder.objects.create(agreement=agreement, kind="review", recipient=world.reviewer, period="2026-01-01/0")
    with pytest.raises(IntegrityError), transaction.atomic():
        SentReminder.objects.create(agreement=agreement, kind="review", recipient=world.reviewer, period="2026-01-01/0")


def test_no_reminder_once_the_review_is_done(world, policy):
    _agreement(world, approved=True, waiting_days=1)
    _agreement(world, state=AgreementState.DRAFT, waiting_days=30)
    assert _due(ReminderKind.REVIEW) == []


def test_signature_reminder_skips_who_signed_and_parties_that_are_complete(world, policy):
    agreement = _agreement(world, approved=True, waiting_days=6)
    version = agreement.frozen_version()
    Signature.objects.create(
        version=version, party=world.initiative, signer=world.initiative_signer1, content_hash=version.content_hash
    )
    assert _due(ReminderKind.SIGNATURE) == [
        (agreement.reference, "bestuur2@example.org"),
        (agreement.reference, "wethouder@example.org"),
    ]
    Signature.objects.create(
        version=version, party=world.municipality, signer=world.municipal_signer, content_hash=version.content_hash
    )
    assert _due(ReminderKind.SIGNATURE) == [(agreement.reference, "bestuur2@example.org")]


def test_per_municipality_override(world, policy):
    strict = world.municipality
    ReminderPolicy.objects.create(municipality=strict, review_after_days=2)
    other = OrganisationFactory(municipality=True)
    from tests.factories import member

    other_reviewer = member(other, "reviewer", email="other@example.org")
    here = _agreement(world, in_review=True, waiting_days=3)
    there = _agreement(world, in_review=True, waiting_days=3, municipality=other)
    due = _due(ReminderKind.REVIEW)
    assert (here.reference, "reviewer@example.org") in due
    assert (there.reference, other_reviewer.email) not in due
    # A municipality can switch reminders off.
    ReminderPolicy.objects.filter(municipality=strict).update(enabled=False)
    assert _due(ReminderKind.REVIEW) == []


def test_evaluation_date_near(world, policy):
    today = timezone.localdate()
    soon = _agreement(world, signed=True, evaluation_date=today + 5 * DAY)
    _agreement(world, signed=True, evaluation_date=today + 40 * DAY)
    _agreement(world, signed=True, evaluation_date=today - DAY)
    assert _due(ReminderKind.EVALUATION) == [
        (soon.reference, "drafter@example.org"),
        (soon.reference, "reviewer2@example.org"),
        (soon.reference, "reviewer@example.org"),
    ]


def test_validity_ending_stops_once_an_amendment_is_under_way(world, policy):

    ending = _agreement(world, signed=True, valid_until=timezone.localdate() + 10 * DAY)
    assert {ref for ref, _email in _due(ReminderKind.EXPIRY)} == {ending.reference}
    agreement_amend(agreement=ending, actor=world.drafter)
    assert _due(ReminderKind.EXPIRY) == []


def test_reminder_email_is_rendered_and_sent(world, policy, eager_celery, django_capture_on_commit_callbacks):
    from django.core import mail

    _agreement(world, in_review=True, waiting_days=9)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders() == 2
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject.startswith("Herinnering: ")
    assert "9 dagen" in mail.outbox[0].body


def test_dry_run_prints_and_sends_nothing(world, policy):
    agreement = _agreement(world, in_review=True, waiting_days=8)
    out = StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    text = out.getvalue()
    assert agreement.reference in text and "reviewer@example.org" in text and "review" in text
    assert "2 reminder(s) would be sent" in text
    assert Notification.objects.count() == 0 and SentReminder.objects.count() == 0
    call_command("send_reminders", stdout=StringIO())
    assert SentReminder.objects.count() == 2


def test_expiry_uses_the_service_once_per_agreement(world):
    past = _agreement(world, signed=True, valid_until=timezone.localdate() - DAY)
    current = _agreement(world, signed=True, valid_until=timezone.localdate() + DAY)
    assert expire_due_agreements() == 1
    assert expire_due_agreements() == 0
    past.refresh_from_db()
    current.refresh_from_db()
    assert past.state == AgreementState.EXPIRED and current.state == AgreementState.SIGNED
    assert past.audit_events.filter(action=AuditAction.EXPIRED).count() == 1
    assert Notification.objects.filter(agreement=past, event="expired").exists()


def test_a_reminder_is_one_webhook_per_agreement_whoever_is_reminded(world, policy, monkeypatch):
    monkeypatch.setattr(guard, "resolve", lambda host, port: ["93.184.216.34"])  # DNS sits outside the machine
    admin = member(world.municipality, MembershipRole.ADMIN, email="beheer@gemeente.example.org")
    webhook_endpoint_create(
        actor=admin, organisation=world.municipality, url="https://zaak.example.org/hook", events=["reminder_due"]
    )
    agreement = _agreement(world, in_review=True, waiting_days=8)
    assert send_due_reminders() == 2  # both reviewers
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.payload["type"] == "agreement.reminder_due"
    assert delivery.payload["data"]["reference"] == agreement.reference
    assert delivery.payload["data"]["reminder"] == ReminderKind.REVIEW
    assert send_due_reminders() == 0 and WebhookDelivery.objects.count() == 1
