"""The daily overview on PostgreSQL: two beats (and more) making the overviews at the same moment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agreements.choices import MembershipRole
from tests.factories import AgreementFactory, member
from tests.integration.test_concurrency import run_at_once
from workflow.models import Delivery, Notification, NotificationKind, NotificationStatus
from workflow.notifications.digest import digests_create, notification_preferences_set
from workflow.notifications.events import Event
from workflow.notifications.outbox import notify

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_four_runs_at_once_make_one_overview_per_person_and_take_each_row_once(world):
    reviewers = [member(world.municipality, MembershipRole.REVIEWER) for _ in range(5)]
    for reviewer in reviewers:
        notification_preferences_set(user=reviewer, deliveries={Event.SUBMITTED: Delivery.DIGEST})
    for _ in range(3):
        agreement = AgreementFactory(in_review=True, initiative=world.initiative, municipality=world.municipality)
        notify(event=Event.SUBMITTED, agreement=agreement, actor=world.drafter)
    held = Notification.objects.filter(recipient__in=reviewers, kind=NotificationKind.EVENT)
    assert held.count() == 15 and set(held.values_list("status", flat=True)) == {NotificationStatus.HELD}
    held.update(created_at=timezone.now() - dt.timedelta(days=2))

    now = timezone.now()
    results, errors = run_at_once([lambda: digests_create(now=now) for _ in range(4)])

    assert errors == [None] * 4
    assert sum(results) == 5
    digests = Notification.objects.filter(kind=NotificationKind.DIGEST)
    assert sorted(digests.values_list("recipient_id", flat=True)) == sorted(r.pk for r in reviewers)
    for digest in digests:
        assert Notification.objects.filter(digest=digest).count() == 3
    assert not held.filter(digest__isnull=True).exists()
