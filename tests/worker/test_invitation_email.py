"""The invitation e-mail says what the person has to do: make an account, or nothing at all."""

import pytest

from workflow.members.services.invitations import invitation_create
from workflow.models import Notification
from workflow.notifications.delivery import deliver_many


@pytest.mark.django_db
def test_invitation_email_for_someone_with_an_account_promises_no_link_to_make_one(world):
    from django.core import mail

    invitation_create(
        actor=world.initiative_admin, organisation=world.initiative, email=world.reviewer.email, role="drafter"
    )
    row = Notification.objects.get(recipient_email=world.reviewer.email)
    assert row.context["has_account"] is True
    deliver_many([row.pk])
    body = mail.outbox[-1].body
    assert "U heeft al een account" in body
    assert "account te maken" not in body
