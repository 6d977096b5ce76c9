"""The events a webhook may pick, and the notification events they follow."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from workflow.core.events import Event

REMINDER_DUE = "reminder_due"

# Webhook event name -> (the event that causes it, its label). The names are what receivers see as ``type``
# ("agreement.<name>") and what an endpoint stores; they never change once published.
WEBHOOK_EVENTS: dict[str, tuple[str, object]] = {
    "submitted": (Event.SUBMITTED, _("ingediend ter beoordeling")),
    "changes_requested": (Event.CHANGES_REQUESTED, _("wijzigingen gevraagd")),
    "approved": (Event.APPROVED, _("goedgekeurd")),
    "declined": (Event.DECLINED_TO_SIGN, _("ondertekening geweigerd")),
    "reopened": (Event.REOPENED, _("heropend")),
    "signed": (Event.SIGNED, _("ondertekend door iedereen")),
    "document_ready": (Event.DOCUMENT_READY, _("ondertekende PDF klaar")),
    "withdrawn": (Event.WITHDRAWN, _("ingetrokken")),
    REMINDER_DUE: (REMINDER_DUE, _("herinnering verstuurd")),
}
WEBHOOK_EVENT_BY_CAUSE = {cause: name for name, (cause, _label) in WEBHOOK_EVENTS.items()}


def webhook_event_choices() -> list[tuple[str, object]]:
    return [(name, label) for name, (_cause, label) in WEBHOOK_EVENTS.items()]
