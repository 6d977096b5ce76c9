"""Reads for the webhook pages: an organisation's endpoints, and an endpoint's delivery log."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from agreements.models import Organisation, User
from workflow.core.access import may_manage_members
from workflow.core.exceptions import NotFound
from workflow.models import WebhookDelivery, WebhookEndpoint

LOG_ROWS = 50


def webhook_endpoints_of(organisation: Organisation) -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.filter(organisation=organisation).order_by("pk"))


def webhook_delivery_log(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The newest deliveries first (the page shows LOG_ROWS)."""
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")  # the payload names it


def webhook_endpoint_for_admin(actor: User, endpoint_id: int, *, lock: bool = False) -> WebhookEndpoint:
    queryset = WebhookEndpoint.objects.select_related("organisation")
    if lock:
        queryset = queryset.select_for_update()
    endpoint = queryset.filter(pk=endpoint_id).first()
    if endpoint is None or not may_manage_members(actor, endpoint.organisation):
        raise NotFound(_("Deze webhook bestaat niet of u beheert hem niet."))
    return endpoint
