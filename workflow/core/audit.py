"""The audit row: every change to an agreement, or to what lives beside it after signing, writes exactly one."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from agreements.choices import AuditAction
from agreements.models import Agreement, AuditEvent, User
from workflow.core.figures import agreement_changed
from workflow.core.request_meta import RequestMeta, request_id_of


def record(
    *,
    agreement: Agreement,
    actor: User | None,
    action: AuditAction,
    request_meta: RequestMeta,
    from_state: str = "",
    to_state: str = "",
    version_number: int | None = None,
    note: str = "",
    at: dt.datetime | None = None,
    also_seen_by: tuple[int, ...] = (),
) -> AuditEvent:
    # The monitoring figures of whoever sees it are computed again after commit; ``also_seen_by``: the
    # organisations that saw it until this change (a revoked advisor).
    agreement_changed(agreement, also=also_seen_by)
    return AuditEvent.objects.create(
        at=at or timezone.now(),
        agreement=agreement,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        version_number=version_number,
        ip_address=request_meta.ip_address,
        user_agent=request_meta.user_agent,
        request_id=request_id_of(request_meta),
        api_token=request_meta.api_token,
        note=note,
    )
