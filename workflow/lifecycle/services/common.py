"""What the lifecycle services share: lock and check, the transition runner, voiding collected signatures.

The row lock itself is ``workflow.core.locking`` and the audit row ``workflow.core.audit``: the packages
below the lifecycle (commitments after signing) take them too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django_fsm import TransitionNotAllowed

from agreements.models import Agreement, AgreementVersion, Signature, User
from workflow.core.locking import lock_visible
from workflow.lifecycle.rules import conflict_for_state


def lock_and_check(
    agreement: Agreement | int, *, actor: User, check: Callable[..., object], facts: bool = False
) -> Agreement:
    """Lock the row; cannot see -> NotFound; then the action's check from lifecycle.rules on the locked row."""
    locked = lock_visible(agreement, actor=actor, facts=facts)
    check(actor, locked)
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


def void_collected_signatures(version: AgreementVersion | int, *, by: User, reason: str, at: dt.datetime) -> int:
    """Declare the version's signatures in force void (reopening, declining to sign); returns how many.

    They stay on record with who voided them, when and why, and no longer
    count. The caller stamps its audit row with the same ``at``: the log
    counts them from there (agreements/audit_notes.py).
    """
    # One UPDATE for all of them. It changes exactly what ``Signature.void`` may change (the void fields of
    # signatures in force, on a version whose agreement the caller holds locked and has not signed), which is
    # also all the database trigger allows.
    version_id = version if isinstance(version, int) else version.pk
    return (
        Signature.objects.filter(version_id=version_id)
        .in_force()
        .update(voided_at=at, voided_by=by, void_reason=reason)
    )
