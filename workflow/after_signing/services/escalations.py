"""Escalations that follow the agreed ladder: a party raises one on a signed agreement, and each step ends with an
outcome: solved, or up to the next step. Past the last step it closes without a solution.

One function per action, each in one transaction with its audit row; the step's history stays on the agreement
(``EscalationStepRecord``). Reminders when a step's time runs out: ``notifications/reminders.py``.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import AgreementState, AuditAction, EscalationStatus
from agreements.models import Agreement, Escalation, EscalationStepRecord, ModelAgreement, User
from workflow.core.access import evaluating_party_for
from workflow.core.audit import record
from workflow.core.exceptions import Conflict, InvalidInput, NotPermitted
from workflow.core.locking import lock_visible, lock_visible_row
from workflow.core.request_meta import SYSTEM, RequestMeta
from workflow.core.text import one_line, text_block

SUBJECT_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000
INFORMED_MAX_LENGTH = 1000
OUTCOME_MAX_LENGTH = 2000


def ladder_of(agreement: Agreement) -> tuple[list[dict], bool]:
    """The ladder an escalation of this agreement follows, and whether the parties agreed it.

    The signed version's (canonical schema 3); for an agreement signed without one, the ladder Samenkader's model
    of its form suggests (so nobody is stuck without a way up), marked as not agreed.
    """
    signed = agreement.frozen_version()
    content = json.loads(signed.canonical_json) if signed is not None and signed.canonical_json else {}
    ladder = [
        {"level": step["level"], "involved": step["involved"], "days": step["days"]}
        for step in content.get("escalation_ladder", [])
    ]
    if ladder:
        return ladder, True
    suggested = (
        ModelAgreement.objects.filter(
            owner__isnull=True, form=agreement.form, language=agreement.language, retired_at__isnull=True
        )
        .values_list("escalation_ladder", flat=True)
        .first()
    )
    return list(suggested or []), False


def _step_record(escalation: Escalation, *, informed: str, at: dt.datetime) -> EscalationStepRecord:
    step = escalation.ladder[escalation.step]
    return EscalationStepRecord.objects.create(
        escalation=escalation,
        position=escalation.step,
        level=step["level"],
        started_at=at,
        due_on=timezone.localtime(at).date() + dt.timedelta(days=step["days"]),
        informed=informed,
    )


@transaction.atomic
def escalation_raise(
    *,
    agreement: Agreement,
    actor: User,
    subject: str,
    description: str = "",
    informed: str = "",
    request_meta: RequestMeta = SYSTEM,
) -> Escalation:
    """A party's member raises a disagreement: it starts at the first step of the ladder."""
    agreement = lock_visible(agreement, actor=actor)
    party = evaluating_party_for(actor, agreement)
    if party is None:
        raise NotPermitted(_("Alleen leden van een van de partijen starten een escalatie."))
    if agreement.state != AgreementState.SIGNED:
        raise Conflict(
            _("Alleen bij een ondertekende afspraak volgt u de escalatieladder; deze is %(state)s.")
            % {"state": agreement.get_state_display()},
            state=agreement.state,
        )
    subject = one_line(
        subject, field_name="subject", max_length=SUBJECT_MAX_LENGTH, required_message=_("Zeg kort waarover het gaat.")
    )
    description = text_block(description, field_name="description", max_length=DESCRIPTION_MAX_LENGTH)
    informed = text_block(informed, field_name="informed", max_length=INFORMED_MAX_LENGTH)
    ladder, agreed = ladder_of(agreement)
    if not ladder:
        raise Conflict(_("Deze afspraak heeft geen escalatieladder."), state=agreement.state)
    now = timezone.now()
    escalation = Escalation.objects.create(
        agreement=agreement,
        raised_by=actor,
        raised_by_party=party,
        raised_at=now,
        subject=subject,
        description=description,
        ladder=ladder,
        ladder_agreed=agreed,
        step=0,
        step_started_at=now,
    )
    _step_record(escalation, informed=informed, at=now)
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.ESCALATION_RAISED,
        request_meta=request_meta,
        note=subject,
        at=now,
    )
    return escalation


@transaction.atomic
def escalation_step_end(
    *,
    escalation: Escalation | int,
    actor: User,
    step: int,
    outcome: str,
    solved: bool,
    informed_next: str = "",
    request_meta: RequestMeta = SYSTEM,
) -> Escalation:
    """A party's member says how the current step ended: solved (the escalation closes), or not (it goes up to the
    next step, or past the last one closes without a solution). ``step`` is the step the form showed: if the
    escalation moved since, that is a conflict."""
    pk = escalation if isinstance(escalation, int) else escalation.pk
    agreement, escalation = lock_visible_row(Escalation, pk, actor=actor, missing=_("Deze escalatie bestaat niet."))
    if evaluating_party_for(actor, agreement) is None:
        raise NotPermitted(_("Alleen leden van de partijen leggen de uitkomst van een stap vast."))
    if not escalation.is_open:
        raise Conflict(_("Deze escalatie is afgesloten."), state=agreement.state)
    if step != escalation.step:
        raise Conflict(
            _(
                "Iemand anders heeft deze stap al afgesloten. "
                "Bekijk de nieuwe stand; uw tekst staat nog in het formulier."
            ),
            state=agreement.state,
        )
    outcome = text_block(outcome, field_name="outcome", max_length=OUTCOME_MAX_LENGTH)
    if not outcome:
        raise InvalidInput(errors={"outcome": [_("Schrijf op wat deze stap opleverde.")]})
    informed_next = text_block(informed_next, field_name="informed_next", max_length=INFORMED_MAX_LENGTH)
    now = timezone.now()
    EscalationStepRecord.objects.filter(escalation=escalation, position=escalation.step).update(
        outcome=outcome, ended_at=now, ended_by=actor
    )
    level = escalation.current_step["level"]
    if solved or escalation.step + 1 >= len(escalation.ladder):
        escalation.status = EscalationStatus.RESOLVED if solved else EscalationStatus.UNRESOLVED
        escalation.closed_at = now
        escalation.save(update_fields=["status", "closed_at"])
        action, note = AuditAction.ESCALATION_CLOSED, escalation.subject
    else:
        escalation.step += 1
        escalation.step_started_at = now
        escalation.save(update_fields=["step", "step_started_at"])
        _step_record(escalation, informed=informed_next, at=now)
        action, note = (
            AuditAction.ESCALATION_STEPPED_UP,
            f"{escalation.subject}: {level} → {escalation.current_step['level']}",
        )
    record(agreement=agreement, actor=actor, action=action, request_meta=request_meta, note=note, at=now)
    return escalation
