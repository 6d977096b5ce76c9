"""Review: submit, request changes, approve, and the ways back (reopen, withdraw)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import AuditAction
from agreements.models import (
    Agreement,
    User,
)
from workflow.core.audit import record
from workflow.core.exceptions import InvalidInput
from workflow.core.request_meta import SYSTEM, RequestMeta
from workflow.lifecycle import rules
from workflow.lifecycle.services.common import lock_and_check, run_transition, void_collected_signatures
from workflow.notifications.events import Event
from workflow.notifications.outbox import notify


@transaction.atomic
def agreement_submit(*, agreement: Agreement, actor: User, request_meta: RequestMeta = SYSTEM) -> Agreement:
    """Submit the draft for review: freezes the current version (content hash fixed).

    ContentIncomplete (a Conflict) lists what is missing when a required
    section is empty or a party carries no task in the role division.
    """
    agreement = lock_and_check(agreement, actor=actor, check=rules.check_submit, facts=True)
    from_state = run_transition(agreement, agreement.submit, what=_("Indienen"), by=actor)
    agreement.save_transition("submit")
    version = agreement.current_version_with_content()  # the rows the check read: frozen from the same
    if not version.is_frozen:
        version.freeze()
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.SUBMITTED,
        request_meta=request_meta,
        from_state=from_state,
        to_state=agreement.state,
        version_number=version.number,
    )
    notify(event=Event.SUBMITTED, agreement=agreement, actor=actor)
    agreement.forget_transition_facts()
    return agreement


@transaction.atomic
def agreement_request_changes(
    *, agreement: Agreement, actor: User, note: str, request_meta: RequestMeta = SYSTEM
) -> Agreement:
    """A reviewer of the municipality sends the version back to the drafters, saying why (required)."""
    if not note or not note.strip():
        raise InvalidInput(errors={"note": [_("Schrijf op welke wijzigingen u vraagt.")]})
    agreement = lock_and_check(agreement, actor=actor, check=rules.check_request_changes, facts=True)
    from_state = run_transition(agreement, agreement.request_changes, what=_("Wijzigingen vragen"))
    agreement.save_transition("request_changes")
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.CHANGES_REQUESTED,
        request_meta=request_meta,
        from_state=from_state,
        to_state=agreement.state,
        version_number=agreement.frozen_version_number(),
        note=note.strip(),
    )
    notify(event=Event.CHANGES_REQUESTED, agreement=agreement, actor=actor, context={"note": note.strip()})
    agreement.forget_transition_facts()
    return agreement


@transaction.atomic
def agreement_approve(*, agreement: Agreement, actor: User, request_meta: RequestMeta = SYSTEM) -> Agreement:
    """A reviewer of the municipality approves the version under review; signing starts.

    Conflict when a comment on that version is still open, or when someone
    else already acted (the state says what happened).
    """
    # One locking read brings the frozen version's number and its open comments along (with_transition_facts).
    agreement = lock_and_check(agreement, actor=actor, check=rules.check_approve, facts=True)
    from_state = run_transition(agreement, agreement.approve, what=_("Goedkeuren"), by=actor)
    agreement.save_transition("approve")
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.APPROVED,
        request_meta=request_meta,
        from_state=from_state,
        to_state=agreement.state,
        version_number=agreement.frozen_version_number(),
    )
    notify(event=Event.APPROVED, agreement=agreement, actor=actor)
    agreement.forget_transition_facts()
    return agreement


@transaction.atomic
def agreement_reopen(
    *, agreement: Agreement, actor: User, note: str = "", request_meta: RequestMeta = SYSTEM
) -> Agreement:
    """Back to draft before the last signature; the signatures collected so far are declared void.

    They stay on record with who voided them, when and why (the note), and no
    longer count: after a new approval the same people sign again.
    """
    agreement = lock_and_check(agreement, actor=actor, check=rules.check_reopen, facts=True)
    from_state = run_transition(agreement, agreement.reopen, what=_("Heropenen"))
    agreement.save_transition("reopen")
    now = timezone.now()
    void_collected_signatures(
        agreement.facts_frozen_version_id, by=actor, reason=note.strip() or _("De afspraak is heropend."), at=now
    )
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.REOPENED,
        request_meta=request_meta,
        from_state=from_state,
        to_state=agreement.state,
        version_number=agreement.frozen_version_number(),
        note=note.strip(),
        # The same moment as the signatures it voided: the log counts them from there (agreements/audit_notes.py).
        at=now,
    )
    notify(event=Event.REOPENED, agreement=agreement, actor=actor, context={"note": note.strip()})
    agreement.forget_transition_facts()
    return agreement


@transaction.atomic
def agreement_withdraw(
    *, agreement: Agreement, actor: User, note: str = "", request_meta: RequestMeta = SYSTEM
) -> Agreement:
    """The initiative stops an agreement that is not signed yet."""
    agreement = lock_and_check(agreement, actor=actor, check=rules.check_withdraw)
    from_state = run_transition(agreement, agreement.withdraw, what=_("Intrekken"))
    agreement.save_transition("withdraw")
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.WITHDRAWN,
        request_meta=request_meta,
        from_state=from_state,
        to_state=agreement.state,
        note=note.strip(),
    )
    notify(event=Event.WITHDRAWN, agreement=agreement, actor=actor)
    agreement.forget_transition_facts()
    return agreement
