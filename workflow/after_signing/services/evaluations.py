"""Joint evaluations of a signed agreement: started on the evaluation date or by a party, answered by each party on
its own (a draft its members share, then sent), complete once both have sent theirs.

One function per action, each in one transaction with its audit row. What a completed evaluation feeds into an
amendment is ``sections_needing_change``, which ``lifecycle/services/amendments.py`` reads.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import EVALUATION_SCORES, AgreementState, AuditAction, EvaluationReason
from agreements.models import (
    Agreement,
    Evaluation,
    EvaluationAnswer,
    EvaluationResponse,
    Organisation,
    User,
)
from agreements.sections import SECTION_ORDER, SECTIONS_BY_KEY
from workflow.core.access import evaluating_party_for
from workflow.core.audit import record
from workflow.core.exceptions import Conflict, InvalidInput, NotPermitted
from workflow.core.locking import lock_agreement, lock_visible, lock_visible_row
from workflow.core.request_meta import SYSTEM, RequestMeta
from workflow.core.text import text_block

logger = logging.getLogger(__name__)

ANSWER_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 1000
ANSWER_FIELDS = ("works", "does_not_work", "should_change")


def _signed_version_id(agreement: Agreement) -> int:
    version = agreement.frozen_version()
    if version is None:  # a signed agreement always has one
        raise Conflict(_("Deze afspraak heeft geen ondertekende versie."), state=agreement.state)
    return version.pk


def _require_signed(agreement: Agreement) -> None:
    if agreement.state != AgreementState.SIGNED:
        raise Conflict(
            _("Alleen een ondertekende afspraak wordt geëvalueerd; deze is %(state)s.")
            % {"state": agreement.get_state_display()},
            state=agreement.state,
        )


@transaction.atomic
def evaluation_start(
    *, agreement: Agreement, actor: User, reason: str, note: str = "", request_meta: RequestMeta = SYSTEM
) -> Evaluation:
    """A party's member starts a joint evaluation (a phase change, a decision that turned out otherwise, a request)."""
    agreement = lock_visible(agreement, actor=actor)
    party = evaluating_party_for(actor, agreement)
    if party is None:
        raise NotPermitted(_("Alleen leden van een van de partijen starten een evaluatie."))
    _require_signed(agreement)
    if reason not in EvaluationReason.values or reason == EvaluationReason.SCHEDULED:
        raise InvalidInput(errors={"reason": [_("Kies de aanleiding.")]})
    note = text_block(note, field_name="note", max_length=NOTE_MAX_LENGTH)
    if Evaluation.objects.filter(agreement=agreement, completed_at__isnull=True).exists():
        raise Conflict(_("Er loopt al een evaluatie van deze afspraak. Beantwoord die eerst."), state=agreement.state)
    evaluation = Evaluation.objects.create(
        agreement=agreement, version_id=_signed_version_id(agreement), reason=reason, note=note, started_by=actor
    )
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.EVALUATION_STARTED,
        request_meta=request_meta,
        note=party.name,
    )
    return evaluation


def evaluations_start_due(*, today: dt.date | None = None) -> int:
    """On the agreed evaluation date Samenkader starts the evaluation (once per date; not while one is open).

    The daily task calls this; each agreement in a transaction of its own, so one refusal stops nothing else.
    """
    today = today or timezone.localdate()
    open_one = Evaluation.objects.filter(agreement=OuterRef("pk"), completed_at__isnull=True)
    for_this_date = Evaluation.objects.filter(agreement=OuterRef("pk"), scheduled_for=OuterRef("evaluation_date"))
    due = (
        Agreement.objects.filter(state=AgreementState.SIGNED, evaluation_date__lte=today)
        .exclude(Exists(open_one))
        .exclude(Exists(for_this_date))
        .values_list("pk", flat=True)
    )
    started = 0
    for pk in list(due):
        try:
            with transaction.atomic():
                agreement = lock_agreement(pk)
                if agreement.state != AgreementState.SIGNED or agreement.evaluation_date is None:
                    continue
                Evaluation.objects.create(
                    agreement=agreement,
                    version_id=_signed_version_id(agreement),
                    reason=EvaluationReason.SCHEDULED,
                    scheduled_for=agreement.evaluation_date,
                )
                record(
                    agreement=agreement,
                    actor=None,
                    action=AuditAction.EVALUATION_STARTED,
                    request_meta=SYSTEM,
                    note=agreement.evaluation_date.isoformat(),
                )
                started += 1
        except IntegrityError:
            continue  # started by another run, or one is open: nothing to do
    if started:
        logger.info("Started %s joint evaluations on their evaluation date", started)
    return started


def _clean_answers(answers: dict[str, dict], *, complete: bool) -> dict[str, dict]:
    """Per section: the three texts (trimmed, at most ANSWER_MAX_LENGTH) and a score of 1 to 5 (needed to send)."""
    cleaned, errors = {}, {}
    for key in SECTION_ORDER:
        given = answers.get(key) or {}
        row = {}
        for name in ANSWER_FIELDS:
            try:
                row[name] = text_block(given.get(name, ""), field_name=f"{key}-{name}", max_length=ANSWER_MAX_LENGTH)
            except InvalidInput as error:
                errors.update(error.errors)
        score = given.get("score")
        if score in ("", None):
            row["score"] = None
            if complete:
                errors[f"{key}-score"] = [
                    _("Geef het onderdeel %(section)s een cijfer van 1 tot 5.")
                    % {"section": SECTIONS_BY_KEY[key].title}
                ]
        else:
            try:
                row["score"] = int(score)
            except (TypeError, ValueError):
                row["score"] = 0
            if row["score"] not in EVALUATION_SCORES:
                errors[f"{key}-score"] = [_("Een cijfer is 1, 2, 3, 4 of 5.")]
        cleaned[key] = row
    if errors:
        raise InvalidInput(errors=errors)
    return cleaned


@transaction.atomic
def evaluation_answer(
    *,
    evaluation: Evaluation | int,
    actor: User,
    answers: dict[str, dict],
    send: bool,
    request_meta: RequestMeta = SYSTEM,
) -> EvaluationResponse:
    """A party's member saves the party's answers (a draft the party's members share) or sends them.

    Sending needs a score for every section, and is final: the other party sees them once it has sent its own.
    When both have sent, the evaluation is complete.
    """
    pk = evaluation if isinstance(evaluation, int) else evaluation.pk
    agreement, evaluation = lock_visible_row(Evaluation, pk, actor=actor, missing=_("Deze evaluatie bestaat niet."))
    party: Organisation | None = evaluating_party_for(actor, agreement)
    if party is None:
        raise NotPermitted(_("Alleen leden van de partijen beantwoorden de evaluatie."))
    if not evaluation.is_open:
        raise Conflict(_("Deze evaluatie is afgerond."), state=agreement.state)
    cleaned = _clean_answers(answers, complete=send)
    now = timezone.now()
    response, _created = EvaluationResponse.objects.select_for_update().get_or_create(
        evaluation=evaluation, party=party, defaults={"updated_by": actor, "updated_at": now}
    )
    if response.submitted_at is not None:
        raise Conflict(_("%(party)s heeft de antwoorden al verstuurd.") % {"party": party.name}, state=agreement.state)
    response.answers.all().delete()
    EvaluationAnswer.objects.bulk_create(
        [EvaluationAnswer(response=response, section_key=key, **row) for key, row in cleaned.items()]
    )
    response.updated_at, response.updated_by = now, actor
    if send:
        response.submitted_at, response.submitted_by = now, actor
    response.save()
    if send:
        record(
            agreement=agreement,
            actor=actor,
            action=AuditAction.EVALUATION_ANSWERED,
            request_meta=request_meta,
            note=party.name,
            at=now,
        )
        sent = EvaluationResponse.objects.filter(evaluation=evaluation, submitted_at__isnull=False).count()
        if sent == 2:
            evaluation.completed_at = now
            evaluation.save(update_fields=["completed_at"])
            record(
                agreement=agreement,
                actor=actor,
                action=AuditAction.EVALUATION_COMPLETED,
                request_meta=request_meta,
                at=now,
            )
    return response
