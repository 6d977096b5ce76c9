"""The sweeper sends webhook deliveries whose task got lost, and takes back those a dead worker held."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agreements.choices import MembershipRole
from tests.factories import AgreementFactory, member
from tests.workflow.test_webhooks import Receiver, verify
from workflow.core.sweeper import sweep
from workflow.lifecycle.services.review import agreement_approve
from workflow.models import WebhookDelivery, WebhookStatus
from workflow.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db


def test_lost_and_abandoned_deliveries_are_sent_by_the_next_sweep(world, settings, eager_celery):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    settings.WEBHOOK_ALLOW_PLAIN_HTTP = True
    receiver = Receiver()
    try:
        admin = member(world.municipality, MembershipRole.ADMIN, email="beheer@gemeente.example.org")
        endpoint = webhook_endpoint_create(
            actor=admin, organisation=world.municipality, url=f"{receiver.url}/hook", events=["approved"]
        )
        for _ in range(2):
            agreement = AgreementFactory(in_review=True, initiative=world.initiative, municipality=world.municipality)
            agreement_approve(agreement=agreement, actor=world.reviewer)  # published nowhere: no on_commit here
        lost, abandoned = WebhookDelivery.objects.order_by("pk")
        long_ago = timezone.now() - dt.timedelta(hours=1)
        WebhookDelivery.objects.filter(pk=lost.pk).update(next_attempt_at=long_ago)
        WebhookDelivery.objects.filter(pk=abandoned.pk).update(status=WebhookStatus.SENDING, claimed_at=long_ago)

        result = sweep()
        assert result["requeue_webhook_deliveries"] == 2
        assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookStatus.DELIVERED}
        assert len(receiver.received) == 2 and all(verify(endpoint.secret, r) for r in receiver.received)
        assert sweep()["requeue_webhook_deliveries"] == 0
    finally:
        receiver.close()
