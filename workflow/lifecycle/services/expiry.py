"""Expiry: a signed agreement whose validity has passed becomes expired (the daily task calls this)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import AgreementState, AuditAction
from agreements.models import (
    Agreement,
)
from workflow.core.audit import record
from workflow.core.exceptions import ServiceError
from workflow.core.locking import lock_agreement
from workflow.core.request_meta import SYSTEM, RequestMeta
from workflow.lifecycle.services.common import run_transition
from workflow.notifications.events import Event
from workflow.notifications.outbox import notify

logger = logging.getLogger(__name__)


@transaction.atomic
def agreement_expire(*, agreement: Agreement | int, request_meta: RequestMeta = SYSTEM) -> Agreement:
    """The system marks a signed agreement whose validity has passed as expired (daily task)."""
    agreement = lock_agreement(agreement)
    from_state = run_transition(agreement, agreement.expire, what=_("Laten verlopen"))
    agreement.save()
    record(
        agreement=agreement,
        actor=None,
        action=AuditAction.EXPIRED,
        request_meta=request_meta,
        from_state=from_state,
        to_state=agreement.state,
        note=agreement.valid_until.isoformat(),  # shown as "Geldig tot en met …" in the reader's language
    )
    notify(event=Event.EXPIRED, agreement=agreement, actor=None)
    return agreement


def expire_due_agreements(*, today: dt.date | None = None) -> int:
    """Signed agreements whose validity has passed become expired, each through the service."""
    today = today or timezone.localdate()
    expired = 0
    for agreement_id in Agreement.objects.filter(state=AgreementState.SIGNED, valid_until__lt=today).values_list(
        "pk", flat=True
    ):
        try:
            agreement_expire(agreement=agreement_id)
            expired += 1
        except ServiceError as exc:  # someone amended or expired it in between: nothing to do
            logger.info("Agreement %s not expired: %s", agreement_id, exc)
    return expired
