"""An organisation's admin registers, changes and removes webhook endpoints, and sends a delivery again."""

from __future__ import annotations

import base64
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Organisation, User
from workflow.core.access import may_manage_members
from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from workflow.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
from workflow.webhooks.events import WEBHOOK_EVENTS
from workflow.webhooks.guard import AddressRefused, checked_target
from workflow.webhooks.outbox import publish_webhook_delivery
from workflow.webhooks.selectors import webhook_endpoint_for_admin

# Endpoints per organisation: a case system, an archive, a dashboard, and room to move from one to another.
MAX_ENDPOINTS = 10


def _require_admin(actor: User, organisation: Organisation) -> None:
    if not may_manage_members(actor, organisation):
        raise NotPermitted(_("Alleen de beheerder van %(name)s beheert haar webhooks.") % {"name": organisation.name})


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _checked(url: str, events: list[str]) -> tuple[str, list[str]]:
    errors: dict[str, list[str]] = {}
    url = url.strip()
    try:
        checked_target(url)
    except AddressRefused as refused:
        errors["url"] = [str(refused)]
    unknown = [event for event in events if event not in WEBHOOK_EVENTS]
    if unknown or not events:
        errors["events"] = [_("Kies een of meer gebeurtenissen uit de lijst.")]
    if errors:
        raise InvalidInput(_("De webhook is niet opgeslagen."), errors=errors)
    return url, [name for name in WEBHOOK_EVENTS if name in events]


@transaction.atomic
def webhook_endpoint_create(
    *, actor: User, organisation: Organisation, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    _require_admin(actor, organisation)
    url, events = _checked(url, events)
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()  # one count at a time
    if WebhookEndpoint.objects.filter(organisation=organisation).count() >= MAX_ENDPOINTS:
        raise Conflict(_("Een organisatie heeft hoogstens %(max)s webhooks.") % {"max": MAX_ENDPOINTS})
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        url=url,
        events=events,
        description=description.strip()[:200],
        secret=new_secret(),
        created_by=actor,
    )
    remember_listened_events(organisation_id=organisation.pk)
    return endpoint


@transaction.atomic
def webhook_endpoint_update(
    *, actor: User, endpoint_id: int, url: str, events: list[str], description: str, is_active: bool
) -> WebhookEndpoint:
    endpoint = webhook_endpoint_for_admin(actor, endpoint_id, lock=True)
    endpoint.url, endpoint.events = _checked(url, events)
    endpoint.description = description.strip()[:200]
    endpoint.is_active = is_active
    endpoint.save(update_fields=["url", "events", "description", "is_active"])
    remember_listened_events(organisation_id=endpoint.organisation_id)
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, actor: User, endpoint_id: int) -> None:
    """Remove the endpoint and its delivery log; nothing more is sent to it."""
    endpoint = webhook_endpoint_for_admin(actor, endpoint_id, lock=True)
    endpoint.delete()
    remember_listened_events(organisation_id=endpoint.organisation_id)


def remember_listened_events(*, organisation_id: int) -> None:
    """Write on the organisation which events its active endpoints listen to (``Organisation.webhook_events``).

    Called in the transaction of every change to an endpoint: the outbox asks the endpoints only when one of
    the agreement's parties listens to the event, so this list must never lag behind them.
    """
    listened = set()
    for events in WebhookEndpoint.objects.filter(organisation_id=organisation_id, is_active=True).values_list(
        "events", flat=True
    ):
        listened.update(events)
    Organisation.objects.filter(pk=organisation_id).update(
        webhook_events=[name for name in WEBHOOK_EVENTS if name in listened]
    )


def webhook_delivery_resend(*, actor: User, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again, as it was (the same webhook-id, so the receiver can tell it is the same event)."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            raise NotFound(_("Dit bericht bestaat niet (meer)."))
        webhook_endpoint_for_admin(actor, delivery.endpoint_id)
        if delivery.status in (WebhookStatus.PENDING, WebhookStatus.SENDING):
            raise Conflict(_("Dit bericht staat al klaar om te worden verstuurd."))
        delivery.status = WebhookStatus.PENDING
        delivery.next_attempt_at = timezone.now()
        delivery.attempts = 0
        delivery.save(update_fields=["status", "next_attempt_at", "attempts"])
        transaction.on_commit(lambda: publish_webhook_delivery([delivery.pk]), robust=True)
    return delivery
