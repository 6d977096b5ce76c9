"""What every service shares: the request's origin, the row lock, the audit row, the state check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from agreements.choices import AuditAction
from agreements.models import Agreement, AgreementVersion, AuditEvent, User
from workflow.core.exceptions import NotFound
from workflow.core.figures import agreement_changed
from workflow.core.request_meta import RequestMeta, request_id_of
from workflow.core.visibility import can_see
from workflow.lifecycle.rules import conflict_for_state


def lock_agreement(agreement: Agreement | int) -> Agreement:
    """Re-read the agreement under a row lock; the caller's copy may be stale."""
    pk = agreement if isinstance(agreement, int) else agreement.pk
    try:
        return Agreement.objects.select_for_update().select_related("initiative", "municipality").get(pk=pk)
    except Agreement.DoesNotExist:
        raise NotFound(_("Deze afspraak bestaat niet of u heeft er geen toegang toe.")) from None


def lock_and_check(agreement: Agreement | int, *, actor: User, check: Callable[..., object]) -> Agreement:
    """Lock the row; cannot see -> NotFound; then the action's check from lifecycle.rules on the locked row."""
    locked = lock_visible(agreement, actor=actor)
    check(actor, locked)
    return locked


def lock_visible(agreement: Agreement | int, *, actor: User) -> Agreement:
    """Lock the row; NotFound for someone who cannot see it."""
    locked = lock_agreement(agreement)
    if not can_see(actor, locked):
        raise NotFound(_("Deze afspraak bestaat niet of u heeft er geen toegang toe."))
    return locked


def run_transition(agreement: Agreement, transition: Callable, *, what: str, **kwargs) -> str:
    """Run a django-fsm transition the service's check allowed; returns the old state.

    The check ran on the locked row, so a refusal here means a rule the check
    does not know about: it still ends as a Conflict that names the state, never a 500.
    """
    from_state = agreement.state
    try:
        transition(**kwargs)
    except TransitionNotAllowed:
        raise conflict_for_state(agreement, what) from None
    return from_state


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
) -> AuditEvent:
    agreement_changed(agreement)  # the monitoring figures of whoever sees it are computed again after commit
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
        note=note,
    )


def void_collected_signatures(version: AgreementVersion, *, by: User, reason: str, at: dt.datetime) -> int:
    """Declare the version's signatures in force void (reopening, declining to sign); returns how many.

    They stay on record with who voided them, when and why, and no longer
    count. The caller stamps its audit row with the same ``at``: the log
    counts them from there (agreements/audit_notes.py).
    """
    signatures = list(version.signatures.in_force().order_by("signed_at", "pk"))
    for signature in signatures:
        signature.void(by=by, reason=reason, at=at)
    return len(signatures)
