"""The security log: who failed at what, from where. Purged after SECURITY_LOG_RETENTION_DAYS (privacy statement)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from agreements.models import Agreement, User
from workflow.core.request_meta import RequestMeta, request_id_of
from workflow.models import SecurityEvent


def security_event_record(
    *,
    kind: str,
    request_meta: RequestMeta,
    user: User | None = None,
    agreement: Agreement | None = None,
    note: str = "",
) -> SecurityEvent:
    """One line; call it outside the failing action's transaction, or it is rolled back with it."""
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        agreement=agreement,
        ip_address=request_meta.ip_address,
        user_agent=request_meta.user_agent,
        request_id=request_id_of(request_meta),
        note=note[:500],
    )


def security_log_purge(*, now: dt.datetime | None = None) -> int:
    """Delete lines older than the retention period (a daily task). Returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.SECURITY_LOG_RETENTION_DAYS)
    deleted, _details = SecurityEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
