"""Signing the approved version; the last signature signs the agreement (and supersedes the one it amends).

A signatory who disagrees with the approved version declines to sign instead, saying why: the agreement goes
back to its drafters and reviewers, as when it is reopened.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import AgreementState, AuditAction
from agreements.models import Agreement, Signature, User, with_transition_facts
from workflow.after_signing.services.commitments import commitments_start
from workflow.core.access import Action
from workflow.core.audit import record
from workflow.core.exceptions import Conflict, InvalidInput, NotFound
from workflow.core.locking import lock_agreement, lock_visible
from workflow.core.request_meta import SYSTEM, RequestMeta
from workflow.core.visibility import agreement_list_for
from workflow.documents.signed import signed_document_enqueue_on_commit
from workflow.lifecycle import rules
from workflow.lifecycle.services.common import run_transition, void_collected_signatures
from workflow.lifecycle.services.step_up import check_step_up
from workflow.notifications.events import Event
from workflow.notifications.outbox import notify


def agreement_sign(
    *,
    agreement: Agreement,
    actor: User,
    content_hash: str,
    password: str,
    authority_confirmed: bool,
    request_meta: RequestMeta = SYSTEM,
    otp_code: str = "",
) -> Signature:
    """An authorised signatory signs the approved version for their own organisation.

    Signing asks the person to prove who they are once more: their
    ``password``, and ``authority_confirmed`` (they declare they may sign for
    their organisation). With two-factor sign-in on, ``otp_code`` (the code
    from their authenticator app) may stand in for the password. Both are checked after permission and state, so a
    person who may not sign learns nothing from them; a failure is
    InvalidInput naming the field, counted and throttled per account
    (``step_up.check_step_up``, outside the signing transaction, so the count
    survives the refusal). ``content_hash`` is the hash the signatory was
    shown: if the version changed since (reopened and resubmitted), that is a
    conflict. The last required signature (quorum per party, four eyes) moves
    the agreement to signed; for an amendment, the original is superseded in
    the same transaction (both rows locked, lower id first).
    """
    pk = agreement if isinstance(agreement, int) else agreement.pk
    # Two queries before the step-up: the row as this person sees it, with its frozen version
    # (with_transition_facts), and the signatures and signatories of that version (the signing snapshot).
    visible = _read_visible(pk, actor=actor)
    if visible.facts_frozen_version_id is not None:
        visible.take_signing_snapshot(visible.facts_frozen_version_id)
    party = rules.check_sign(actor, visible)
    # Whether this signature will be the last, as far as the read before the lock tells: then the locking read
    # brings the canonical content the commitments are made from (one query fewer). Under the lock the
    # snapshot is read again and decides; a wrong guess costs that read, never a wrong outcome.
    visible.signing_snapshot.add_signature(party_id=party.pk, signer_id=actor.pk)
    likely_last = visible.signatures_complete()
    check_step_up(
        actor=actor,
        agreement=visible,
        party=party,
        password=password,
        authority_confirmed=authority_confirmed,
        request_meta=request_meta,
        otp_code=otp_code,
    )
    try:
        return _sign(
            pk=pk,
            original_id=visible.supersedes_id,
            actor=actor,
            content_hash=content_hash,
            request_meta=request_meta,
            likely_last=likely_last,
        )
    except IntegrityError as error:
        # The same person signing twice at once: the database holds one signature in force per person and
        # version (one_signature_per_person_per_version). The whole signing transaction was rolled back.
        # PostgreSQL names the constraint; SQLite names the table of a failed UNIQUE. Any other error is a bug.
        if not any(marker in str(error) for marker in _DOUBLE_SIGNATURE):
            raise
        raise Conflict(_("U heeft deze versie al ondertekend."), state=visible.state) from None


_DOUBLE_SIGNATURE = ("one_signature_per_person_per_version", "UNIQUE constraint failed: agreements_signature.")


def _read_visible(pk: int, *, actor: User) -> Agreement:
    try:
        return with_transition_facts(agreement_list_for(actor)).get(pk=pk)
    except Agreement.DoesNotExist:
        raise NotFound(_("Deze afspraak bestaat niet of u heeft er geen toegang toe.")) from None


@transaction.atomic
def _sign(
    *, pk: int, original_id: int | None, actor: User, content_hash: str, request_meta: RequestMeta, likely_last: bool
) -> Signature:
    """The signature itself, on the locked row: permission and state are checked again, someone may have acted.

    Reads the row (with its frozen version) and the signing snapshot once, under the lock; every rule
    below and the e-mail to the signatories still to sign answer from those.
    """
    agreement = _lock_with_original(pk, original_id=original_id, actor=actor, canonical=likely_last)
    version_id = agreement.facts_frozen_version_id
    snapshot = agreement.take_signing_snapshot(version_id) if version_id is not None else None
    rules.require_permission(actor, Action.SIGN, agreement)
    party = rules.check_sign(actor, agreement)
    if content_hash != agreement.facts_frozen_hash:
        raise Conflict(
            _("De tekst is veranderd sinds u de pagina opende. Lees de nieuwe versie %(number)s voordat u tekent.")
            % {"number": agreement.facts_frozen_number},
            state=agreement.state,
        )
    # Written once; it copies the function the signatory holds now (the row never changes).
    signature = Signature.objects.create(
        version_id=version_id,
        party=party,
        signer=actor,
        ip_address=request_meta.ip_address,
        user_agent=request_meta.user_agent,
        content_hash=agreement.facts_frozen_hash,
        function=snapshot.function_of(actor.pk, party.pk),
    )
    snapshot.add_signature(party_id=party.pk, signer_id=actor.pk)
    from_state = agreement.state
    if agreement.signatures_complete():
        agreement.sign()
        agreement.save_transition("sign")
        original = None
        if agreement.supersedes_id:
            original = _supersede_original(
                original_id=agreement.supersedes_id, amendment=agreement, actor=actor, request_meta=request_meta
            )
        # What was agreed starts to be carried out: one commitment per task and decision moment (an
        # amendment continues the original's open ones), beside the signed version, never in it.
        commitments_start(
            agreement=agreement,
            version_id=version_id,
            canonical_json=getattr(agreement, "facts_frozen_canonical", None),
            actor=actor,
            request_meta=request_meta,
            original=original,
        )
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.SIGNED_BY,
        request_meta=request_meta,
        from_state=from_state,
        to_state=agreement.state,
        version_number=agreement.facts_frozen_number,
        note=party.name,  # shown as "Getekend voor …" in the reader's language (agreements/audit_notes.py)
    )
    if agreement.state == AgreementState.SIGNED:
        notify(event=Event.SIGNED, agreement=agreement, actor=actor)
        # The sealed PDF is made by the worker once the signature is committed; a failed publish is logged
        # and the sweeper queues it again.
        signed_document_enqueue_on_commit(version_id=version_id)
    else:
        notify(event=Event.SIGNATURE_ADDED, agreement=agreement, actor=actor)
    return signature


def _lock_with_original(pk: int, *, original_id: int | None, actor: User, canonical: bool) -> Agreement:
    """Lock the agreement and, for an amendment, the original it supersedes: lower id first, so two never deadlock.

    ``original_id`` comes from the read before the lock: which agreement an amendment supersedes never changes.
    """
    if original_id is not None and original_id < pk:
        lock_agreement(original_id)
    locked = lock_visible(pk, actor=actor, facts=True, canonical=canonical)
    if original_id is not None and original_id > pk:
        lock_agreement(original_id)
    return locked


def _supersede_original(*, original_id: int, amendment: Agreement, actor: User, request_meta: RequestMeta) -> Agreement:
    original = Agreement.objects.get(pk=original_id)  # already locked by the caller
    from_state = original.state
    original.supersede()
    original.save_transition("supersede")
    record(
        agreement=original,
        actor=actor,
        action=AuditAction.SUPERSEDED,
        request_meta=request_meta,
        from_state=from_state,
        to_state=original.state,
        note=amendment.reference,  # shown as "Vervangen door …"
    )
    return original


@transaction.atomic
def agreement_decline_to_sign(
    *, agreement: Agreement, actor: User, reason: str, request_meta: RequestMeta = SYSTEM
) -> Agreement:
    """A signatory who may sign now declines to, saying why (required): the approved version goes back to draft.

    Permission and state come first (``rules.check_decline``: exactly those who
    may sign now), then the reason. As with reopening, the signatures collected
    so far are declared void with the reason, kept and no longer counted; one
    audit row (``DECLINED_TO_SIGN``, the reason as its note, the same moment as
    the voided signatures) and one e-mail to each drafter, reviewer and
    signatory of both parties. The drafters find the reason at the top of the
    agreement page until they submit again.
    """
    agreement = lock_visible(agreement, actor=actor, facts=True)
    if agreement.facts_frozen_version_id is not None:
        agreement.take_signing_snapshot(agreement.facts_frozen_version_id)
    party = rules.check_decline(actor, agreement)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(errors={"reason": [_("Schrijf op waarom u niet tekent.")]})
    from_state = run_transition(agreement, agreement.reopen, what=_("Weigeren te tekenen"))
    agreement.save_transition("reopen")
    now = timezone.now()
    void_collected_signatures(agreement.facts_frozen_version_id, by=actor, reason=reason, at=now)
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.DECLINED_TO_SIGN,
        request_meta=request_meta,
        from_state=from_state,
        to_state=agreement.state,
        version_number=agreement.facts_frozen_number,
        note=reason,
        at=now,  # the same moment as the signatures it voided: the log counts them from there
    )
    notify(
        event=Event.DECLINED_TO_SIGN,
        agreement=agreement,
        actor=actor,
        context={"note": reason, "party": party.name},
    )
    agreement.forget_transition_facts()
    return agreement
