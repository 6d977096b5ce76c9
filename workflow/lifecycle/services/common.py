"""What every service shares: the request's origin, the row lock, the audit row, the state check."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from agreements.choices import AuditAction
from agreements.models import Agreement, AgreementVersion, AuditEvent, Signature, User, with_transition_facts
from workflow.core.exceptions import NotFound
from workflow.core.figures import agreement_changed
from workflow.core.request_meta import RequestMeta, request_id_of
from workflow.core.visibility import visible_to
from workflow.lifecycle.rules import conflict_for_state


@functools.cache
def _locking_read(*, facts: bool) -> QuerySet[Agreement]:
    """The locking read without its WHERE, built once per process: resolving the facts' subqueries is the
    costly part of building it, and each use clones it (``filter``, ``get``) and never changes it."""
    queryset = Agreement.objects.select_for_update().select_related("initiative", "municipality")
    return with_transition_facts(queryset) if facts else queryset


def _locked(visible: Q | None, pk: int, *, facts: bool) -> Agreement:
    queryset = _locking_read(facts=facts)
    if visible is not None:
        queryset = queryset.filter(visible)
    try:
        return queryset.get(pk=pk)
    except Agreement.DoesNotExist:
        raise NotFound(_("Deze afspraak bestaat niet of u heeft er geen toegang toe.")) from None


def lock_agreement(agreement: Agreement | int, *, facts: bool = False) -> Agreement:
    """Re-read the agreement under a row lock; the caller's copy may be stale.

    ``facts``: read in the same query what the transitions ask (``with_transition_facts``: the frozen
    version's id, number and hash, and the open comments on it).
    """
    pk = agreement if isinstance(agreement, int) else agreement.pk
    return _locked(None, pk, facts=facts)


def lock_and_check(
    agreement: Agreement | int, *, actor: User, check: Callable[..., object], facts: bool = False
) -> Agreement:
    """Lock the row; cannot see -> NotFound; then the action's check from lifecycle.rules on the locked row."""
    locked = lock_visible(agreement, actor=actor, facts=facts)
    check(actor, locked)
    return locked


def lock_visible(agreement: Agreement | int, *, actor: User, facts: bool = False) -> Agreement:
    """Lock the row; NotFound for someone who cannot see it.

    One query: the visibility rule (``visible_agreements``) is part of the locking read, so a row the
    person cannot see is neither locked nor returned.
    """
    pk = agreement if isinstance(agreement, int) else agreement.pk
    if not actor.is_authenticated or not actor.is_active:
        raise NotFound(_("Deze afspraak bestaat niet of u heeft er geen toegang toe."))
    return _locked(visible_to(actor), pk, facts=facts)


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
