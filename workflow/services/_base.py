"""What every service shares: the request's origin, the row lock, the audit row, the state check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from agreements.choices import AgreementState, AuditAction
from agreements.models import Agreement, AuditEvent, User

from ..exceptions import Conflict, NotFound, NotPermitted
from ..permissions import can_see, may


@dataclass(frozen=True)
class RequestMeta:
    """Where an action came from, for the audit log. Empty for the system's own actions."""

    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request) -> RequestMeta:
        # REMOTE_ADDR is already the client's address: the proxy setting is
        # applied by middleware before any view runs.
        return cls(
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=(request.META.get("HTTP_USER_AGENT") or "")[:500],
        )


SYSTEM = RequestMeta()


def state_label(state: str) -> str:
    return str(AgreementState(state).label)


def lock_agreement(agreement: Agreement | int) -> Agreement:
    """Re-read the agreement under a row lock; the caller's copy may be stale."""
    pk = agreement if isinstance(agreement, int) else agreement.pk
    try:
        return Agreement.objects.select_for_update().select_related("initiative", "municipality").get(pk=pk)
    except Agreement.DoesNotExist:
        raise NotFound(_("Deze afspraak bestaat niet of u heeft er geen toegang toe.")) from None


def lock_and_check(agreement: Agreement | int, *, actor: User, action: str) -> Agreement:
    """Lock the row, then: cannot see -> NotFound; may not act -> NotPermitted."""
    locked = lock_agreement(agreement)
    if not can_see(actor, locked):
        raise NotFound(_("Deze afspraak bestaat niet of u heeft er geen toegang toe."))
    if not may(actor, action, locked):
        raise NotPermitted(_("U mag dit niet doen bij afspraak %(reference)s.") % {"reference": locked.reference})
    return locked


def conflict_for_state(agreement: Agreement, what: str) -> Conflict:
    return Conflict(
        _("%(what)s kan nu niet: afspraak %(reference)s is op dit moment '%(state)s'.")
        % {"what": what, "reference": agreement.reference, "state": state_label(agreement.state)},
        state=agreement.state,
    )


def run_transition(
    agreement: Agreement,
    transition: Callable,
    *,
    what: str,
    conditions_failed: Callable[[], Conflict] | None = None,
    **kwargs,
) -> str:
    """Run a django-fsm transition; a refusal becomes a Conflict that says why. Returns the old state."""
    from_state = agreement.state
    if not can_proceed(transition, check_conditions=False):
        raise conflict_for_state(agreement, what)
    try:
        transition(**kwargs)
    except TransitionNotAllowed:
        if conditions_failed is not None:
            raise conditions_failed() from None
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
) -> AuditEvent:
    return AuditEvent.objects.create(
        agreement=agreement,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        version_number=version_number,
        ip_address=request_meta.ip_address,
        user_agent=request_meta.user_agent,
        note=note,
    )
