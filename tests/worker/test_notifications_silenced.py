"""Replaying history (demo data) through the services e-mails nobody."""

import pytest

from tests.factories import AgreementFactory
from workflow.lifecycle.services.review import agreement_request_changes, agreement_submit
from workflow.models import Notification
from workflow.notifications.outbox import silenced


@pytest.mark.django_db
def test_silenced_services_write_no_notifications(world):
    agreement = AgreementFactory(content=True, initiative=world.initiative, municipality=world.municipality)
    with silenced():
        agreement_submit(agreement=agreement, actor=world.drafter)
    assert not Notification.objects.exists()
    agreement_request_changes(agreement=agreement, actor=world.reviewer, note="Graag meer over geld.")
    assert Notification.objects.filter(event="changes_requested").exists()


@pytest.mark.django_db
def test_seed_demo_sends_nothing():
    from workflow.demo.seed import seed_demo

    seed_demo()
    assert not Notification.objects.exists()
