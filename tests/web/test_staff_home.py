"""Platform staff's start page: the admin and the queues they handle, not "U hoort nog niet bij een organisatie"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import OrganisationFactory
from workflow.members.services.invitations import first_contact_request
from workflow.models import Notification, NotificationKind, NotificationStatus

pytestmark = pytest.mark.django_db


def test_staff_get_the_admin_and_their_queues(client, world, staff):
    empty = OrganisationFactory(municipality=True, name="Gemeente Leeg", cbs_code="GM0216")
    first_contact_request(actor=world.drafter, municipality=empty, email="ambtenaar@leeg.nl")
    for n in range(2):
        Notification.objects.create(
            kind=NotificationKind.EVENT,
            event="submitted",
            recipient_email=f"weg{n}@example.org",
            language="nl",
            status=NotificationStatus.FAILED,
            message_id=f"<failed-{n}@example.org>",
        )
    client.force_login(staff)
    html = client.get("/").content.decode()
    assert "Platformbeheer" in html
    assert "U hoort nog niet bij een organisatie" not in html
    assert f'href="{reverse("first_contacts")}"' in html
    assert "1 gevraagde eerste contactpersoon wacht op uw controle." in html
    assert f'href="{reverse("admin:workflow_notification_changelist")}?status__exact=failed"' in html
    assert "2 e-mails konden niet worden verstuurd." in html
    assert f'href="{reverse("admin:index")}"' in html


def test_others_see_no_staff_block(client, world):
    client.force_login(world.drafter)
    html = client.get("/").content.decode()
    assert "Platformbeheer" not in html and "/admin/workflow/notification/" not in html
