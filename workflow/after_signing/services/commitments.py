"""Commitments after signing: made at the last signature, kept up to date by the responsible party.

One function per user action (``commitment_update``, ``decision_record``), each in one transaction with its
audit row; ``commitments_start`` runs inside the signing transaction. Nothing here touches the signed
version: its content hash and sealed PDF stay as they are.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import (
    DECISION_TAKEN,
    OPEN_COMMITMENT_STATUSES,
    AuditAction,
    CommitmentKind,
    CommitmentStatus,
    DecisionOutcome,
)
from agreements.models import Agreement, AgreementVersion, Commitment, CommitmentUpdate, User
from workflow.after_signing import rules
from workflow.after_signing.ownership import commitment_rows
from workflow.core.audit import record
from workflow.core.exceptions import Conflict, InvalidInput
from workflow.core.locking import lock_visible_row
from workflow.core.request_meta import SYSTEM, RequestMeta
from workflow.core.text import text_block

NOTE_MAX_LENGTH = 2000
EVIDENCE_URL_MAX_LENGTH = 500


# --- at the last signature ------------------------------------------------------------------------


def commitments_start(
    *,
    agreement: Agreement,
    version_id: int,
    actor: User,
    request_meta: RequestMeta,
    canonical_json: str | None = None,
    original: Agreement | None = None,
) -> int:
    """One commitment per task and decision moment of the signed version; an amendment takes the original's over.

    Runs in the signing transaction, the agreement (and an amendment's original) locked by the caller. Reads the
    rows from the version's canonical content, exactly what was signed: one read and one bulk insert (and for an
    amendment the carrying over from ``original``, ``_carry_over``). ``canonical_json``: that content when the
    caller read it already (the signing service's locking read), which saves the read. Returns how many were made.
    """
    if canonical_json is None:
        canonical_json = AgreementVersion.objects.values_list("canonical_json", flat=True).get(pk=version_id)
    content = json.loads(canonical_json)
    now = timezone.now()
    common = {"agreement": agreement, "version_id": version_id, "created_at": now, "updated_at": now}
    rows = [Commitment(**fields, **common) for fields in commitment_rows(content)]
    if not rows:
        return 0
    created = Commitment.objects.bulk_create(rows)
    if original is not None:
        _carry_over(
            original=original,
            amendment=agreement,
            commitments=created,
            actor=actor,
            at=now,
            request_meta=request_meta,
        )
    return len(created)


def _match_key(commitment: Commitment) -> tuple[str, str, str]:
    """A task matches on its text and phase, a decision moment on its text: case and spacing do not count."""
    text = " ".join(unicodedata.normalize("NFC", commitment.title).casefold().split())
    return (commitment.kind, text, commitment.phase if commitment.kind == CommitmentKind.TASK else "")


def _carry_over(
    *,
    original: Agreement,
    amendment: Agreement,
    commitments: list[Commitment],
    actor: User,
    at: dt.datetime,
    request_meta: RequestMeta,
) -> None:
    """The original's open commitments: continued by the amendment's matching one (status, dates, notes), the rest
    lapse with a note. Four queries at most: the open ones with their notes, one bulk UPDATE of the amendment's,
    one UPDATE of the lapsed, one bulk INSERT of the notes, and the original's audit row."""
    open_ones = list(
        Commitment.objects.filter(agreement=original, status__in=OPEN_COMMITMENT_STATUSES).prefetch_related("updates")
    )
    if not open_ones:
        return
    waiting: dict[tuple, list[Commitment]] = {}
    for old in open_ones:
        waiting.setdefault(_match_key(old), []).append(old)
    continued, notes = [], []
    for new in commitments:
        matches = waiting.get(_match_key(new))
        if not matches:
            continue
        old = matches.pop(0)
        new.status, new.outcome, new.carried_from_id = old.status, old.outcome, old.pk
        new.actual_date = old.actual_date
        # A date the amendment names is the newly agreed one; otherwise the date the parties last planned.
        new.planned_date = new.planned_date or old.planned_date
        new.signed_date = new.signed_date or old.signed_date
        continued.append(new)
        notes += [
            CommitmentUpdate(
                commitment=new,
                author_id=update.author_id,
                at=update.at,
                status=update.status,
                outcome=update.outcome,
                planned_date=update.planned_date,
                actual_date=update.actual_date,
                note=update.note,
                evidence_url=update.evidence_url,
            )
            for update in old.updates.all()
        ]
    lapsed = [old for matches in waiting.values() for old in matches]
    lapse_note = _("Vervallen: de wijziging %(reference)s neemt deze afspraak niet over.") % {
        "reference": amendment.reference
    }
    notes += [
        CommitmentUpdate(commitment=old, author=actor, at=at, status=CommitmentStatus.LAPSED, note=lapse_note)
        for old in lapsed
    ]
    if continued:
        Commitment.objects.bulk_update(
            continued, ["status", "outcome", "carried_from", "actual_date", "planned_date", "signed_date"]
        )
    if lapsed:
        Commitment.objects.filter(pk__in=[old.pk for old in lapsed]).update(
            status=CommitmentStatus.LAPSED, updated_at=at, updated_by=actor
        )
    if notes:
        CommitmentUpdate.objects.bulk_create(notes)
    record(
        agreement=original,
        actor=actor,
        action=AuditAction.COMMITMENTS_CARRIED_OVER,
        request_meta=request_meta,
        note=amendment.reference,
        at=at,
    )


# --- the parties' updates ---------------------------------------------------------------------------


def _checked(
    commitment: Commitment | int, *, actor: User, read_at: dt.datetime | None, note: str, evidence_url: str
) -> tuple[Agreement, Commitment, str, str]:
    """What both updates check first, on the locked rows: who may, the state, a stale form, the note and the link."""
    pk = commitment if isinstance(commitment, int) else commitment.pk
    agreement, commitment = lock_visible_row(
        Commitment, pk, actor=actor, missing=_("Deze afspraak bestaat niet of u heeft er geen toegang toe.")
    )
    rules.check_update(actor, agreement, commitment)
    _require_fresh(commitment, read_at)
    return (
        agreement,
        commitment,
        text_block(note, field_name="note", max_length=NOTE_MAX_LENGTH),
        _evidence(evidence_url),
    )


def _require_fresh(commitment: Commitment, read_at: dt.datetime | None) -> None:
    """The stale-form check: someone else updated it since the form was read (``read_at``: its ``updated_at`` then)."""
    if read_at is not None and commitment.updated_at != read_at:
        raise Conflict(
            _(
                "Iemand anders heeft deze afspraak bijgewerkt sinds u de pagina opende. "
                "Bekijk de nieuwe stand; uw invoer staat nog in het formulier."
            ),
            state=commitment.status,
        )


_URL = URLValidator(schemes=["http", "https"])


def _evidence(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > EVIDENCE_URL_MAX_LENGTH:
        raise InvalidInput(
            errors={"evidence_url": [_("Gebruik ten hoogste %(max)s tekens.") % {"max": EVIDENCE_URL_MAX_LENGTH}]}
        )
    try:
        _URL(url)
    except ValidationError:
        raise InvalidInput(
            errors={"evidence_url": [_("Vul een volledig webadres in dat begint met https://.")]}
        ) from None
    return url


def _not_after_today(value: dt.date | None, field: str) -> None:
    if value is not None and value > timezone.localdate():
        raise InvalidInput(errors={field: [_("Deze datum ligt in de toekomst: wat nog moet gebeuren is niet gedaan.")]})


def _save(
    *,
    agreement: Agreement,
    commitment: Commitment,
    actor: User,
    note: str,
    evidence_url: str,
    action: str,
    request_meta: RequestMeta,
    changed: bool,
) -> Commitment:
    if not changed and not note and not evidence_url:
        raise InvalidInput(
            errors={"note": [_("Er is niets veranderd. Kies een andere stand of datum, of schrijf een toelichting.")]}
        )
    now = timezone.now()
    commitment.updated_at, commitment.updated_by = now, actor
    commitment.save(update_fields=["status", "outcome", "planned_date", "actual_date", "updated_at", "updated_by"])
    CommitmentUpdate.objects.create(
        commitment=commitment,
        author=actor,
        at=now,
        status=commitment.status,
        outcome=commitment.outcome,
        planned_date=commitment.planned_date,
        actual_date=commitment.actual_date,
        note=note,
        evidence_url=evidence_url,
    )
    record(agreement=agreement, actor=actor, action=action, request_meta=request_meta, note=commitment.title, at=now)
    return commitment


@transaction.atomic
def commitment_update(
    *,
    commitment: Commitment | int,
    actor: User,
    status: str,
    planned_date: dt.date | None = None,
    actual_date: dt.date | None = None,
    note: str = "",
    evidence_url: str = "",
    read_at: dt.datetime | None = None,
    request_meta: RequestMeta = SYSTEM,
) -> Commitment:
    """The responsible party says how a commitment stands: status, planned date, done date, a note, a link.

    Done needs the day it was done (today when not given, never in the future); postponed a new date;
    lapsed a note saying why. A decision moment is done by recording its outcome (``decision_record``).
    """
    agreement, commitment, note, evidence_url = _checked(
        commitment, actor=actor, read_at=read_at, note=note, evidence_url=evidence_url
    )
    if status not in CommitmentStatus.values:
        raise InvalidInput(errors={"status": [_("Kies een stand.")]})
    if commitment.is_decision and status == CommitmentStatus.DONE:
        raise InvalidInput(errors={"status": [_("Een besluitmoment is klaar als u de uitkomst vastlegt.")]})
    if status == CommitmentStatus.DONE:
        actual_date = actual_date or timezone.localdate()
        _not_after_today(actual_date, "actual_date")
    else:
        actual_date = None
    if status == CommitmentStatus.POSTPONED and planned_date is None:
        raise InvalidInput(errors={"planned_date": [_("Noem de nieuwe datum.")]})
    if status == CommitmentStatus.LAPSED and not note:
        raise InvalidInput(errors={"note": [_("Schrijf op waarom deze afspraak vervalt.")]})
    before = (commitment.status, commitment.planned_date, commitment.actual_date)
    commitment.status, commitment.planned_date, commitment.actual_date = status, planned_date, actual_date
    if commitment.is_decision:
        commitment.outcome = DecisionOutcome.POSTPONED if status == CommitmentStatus.POSTPONED else ""
    return _save(
        agreement=agreement,
        commitment=commitment,
        actor=actor,
        note=note,
        evidence_url=evidence_url,
        action=AuditAction.COMMITMENT_UPDATED,
        request_meta=request_meta,
        changed=before != (status, planned_date, actual_date),
    )


@transaction.atomic
def decision_record(
    *,
    commitment: Commitment | int,
    actor: User,
    outcome: str,
    decided_on: dt.date | None = None,
    new_date: dt.date | None = None,
    note: str = "",
    evidence_url: str = "",
    read_at: dt.datetime | None = None,
    request_meta: RequestMeta = SYSTEM,
) -> Commitment:
    """The party whose body decides records the outcome: taken (yes, no, adjusted) on a day, or postponed to a
    new date. A "no", or a postponement beyond the policy's days, suggests a joint evaluation (``suggests_evaluation``).
    """
    agreement, commitment, note, evidence_url = _checked(
        commitment, actor=actor, read_at=read_at, note=note, evidence_url=evidence_url
    )
    if not commitment.is_decision:
        raise InvalidInput(errors={"outcome": [_("Alleen een besluitmoment heeft een uitkomst.")]})
    if outcome not in DecisionOutcome.values:
        raise InvalidInput(errors={"outcome": [_("Kies de uitkomst.")]})
    before = (commitment.status, commitment.outcome, commitment.planned_date, commitment.actual_date)
    if outcome in DECISION_TAKEN:
        decided_on = decided_on or timezone.localdate()
        _not_after_today(decided_on, "decided_on")
        commitment.status, commitment.actual_date = CommitmentStatus.DONE, decided_on
    else:
        if new_date is None:
            raise InvalidInput(errors={"new_date": [_("Noem de nieuwe datum waarop het besluit valt.")]})
        if new_date <= timezone.localdate():
            raise InvalidInput(errors={"new_date": [_("Een nieuwe datum ligt na vandaag.")]})
        commitment.status, commitment.planned_date, commitment.actual_date = CommitmentStatus.POSTPONED, new_date, None
    commitment.outcome = outcome
    return _save(
        agreement=agreement,
        commitment=commitment,
        actor=actor,
        note=note,
        evidence_url=evidence_url,
        action=AuditAction.DECISION_RECORDED,
        request_meta=request_meta,
        changed=before != (commitment.status, commitment.outcome, commitment.planned_date, commitment.actual_date),
    )
