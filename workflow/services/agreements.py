"""One function per user action on an agreement. Nothing else changes an agreement.

Each service: outermost ``transaction.atomic``; locks the agreement row;
checks visibility (NotFound) and permission (NotPermitted); runs the
django-fsm transition (Conflict when the state does not allow it); does its
own writes; writes exactly one AuditEvent for the agreement it acts on; queues
notifications in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import AgreementState, AuditAction, OrganisationKind
from agreements.models import (
    AdvisorAccess,
    Agreement,
    AgreementVersion,
    Comment,
    DecisionMoment,
    Neighbourhood,
    Organisation,
    ReferenceSequence,
    Responsibility,
    Section,
    Signature,
    User,
)
from agreements.sections import SECTION_ORDER

from .. import notifications
from ..documents import signed_document_enqueue
from ..exceptions import Conflict, ContentIncomplete, InvalidInput, NotFound, NotPermitted, StaleRevision
from ..notifications import Event
from ..permissions import Action, can_see, may_create_agreement, may_resolve_comment, signing_party_for
from ._base import (
    SYSTEM,
    RequestMeta,
    conflict_for_state,
    lock_agreement,
    lock_and_check,
    record,
    run_transition,
    state_label,
)

# --- creating and drafting --------------------------------------------------------------


def _replace_neighbourhoods(agreement: Agreement, neighbourhoods: list[dict[str, str]]) -> None:
    agreement.neighbourhoods.all().delete()
    Neighbourhood.objects.bulk_create(
        [
            Neighbourhood(
                agreement=agreement, position=i, name=n["name"].strip(), cbs_code=(n.get("cbs_code") or "").strip()
            )
            for i, n in enumerate(neighbourhoods)
            if n.get("name", "").strip()
        ]
    )


@transaction.atomic
def agreement_create(
    *,
    actor: User,
    initiative: Organisation,
    municipality: Organisation,
    title: str,
    form: str,
    phase: str,
    language: str = "nl",
    neighbourhoods: list[dict[str, str]] | None = None,
    review_due_date: dt.date | None = None,
    evaluation_date: dt.date | None = None,
    valid_until: dt.date | None = None,
    request_meta: RequestMeta = SYSTEM,
) -> Agreement:
    """A drafter of ``initiative`` starts a new draft with ``municipality``.

    Creates version 1 with every section empty. Raises NotPermitted unless the
    actor drafts for the initiative, InvalidInput for a municipality that is not one.
    """
    if not may_create_agreement(actor, initiative):
        raise NotPermitted(_("Alleen opstellers van het bewonersinitiatief kunnen een afspraak beginnen."))
    if municipality.kind != OrganisationKind.MUNICIPALITY:
        raise InvalidInput(errors={"municipality": [_("Kies een gemeente.")]})
    if not title.strip():
        raise InvalidInput(errors={"title": [_("Geef de afspraak een titel.")]})
    now = timezone.now()
    agreement = Agreement.objects.create(
        reference=ReferenceSequence.allocate(timezone.localdate().year),
        title=title.strip(),
        form=form,
        phase=phase,
        language=language,
        initiative=initiative,
        municipality=municipality,
        created_by=actor,
        created_at=now,
        state_changed_at=now,
        review_due_date=review_due_date,
        evaluation_date=evaluation_date,
        valid_until=valid_until,
    )
    _replace_neighbourhoods(agreement, neighbourhoods or [])
    version = AgreementVersion.objects.create(agreement=agreement, number=1, created_by=actor)
    Section.objects.bulk_create([Section(version=version, key=key, body="") for key in SECTION_ORDER])
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.CREATED,
        request_meta=request_meta,
        to_state=agreement.state,
        version_number=1,
    )
    return agreement


AGREEMENT_FIELDS_EDITABLE_IN_DRAFT = (
    "title",
    "form",
    "phase",
    "language",
    "review_due_date",
    "evaluation_date",
    "valid_until",
)


@transaction.atomic
def agreement_update_draft(
    *,
    agreement: Agreement,
    actor: User,
    based_on_revision: int,
    fields: dict[str, Any] | None = None,
    neighbourhoods: list[dict[str, str]] | None = None,
    sections: dict[str, str] | None = None,
    responsibilities: list[dict[str, Any]] | None = None,
    decision_moments: list[dict[str, Any]] | None = None,
    request_meta: RequestMeta = SYSTEM,
) -> AgreementVersion:
    """Save a drafter's edits to the draft; returns the editable version with its new revision.

    ``based_on_revision`` is the revision the form was loaded with: if someone
    saved in between, StaleRevision (a conflict) is raised and nothing is
    written. The first edit after request_changes or reopen starts version
    n+1 as a copy of the frozen one (copy-on-write). A list that is passed
    replaces the stored rows; None leaves them as they are.
    """
    agreement = lock_and_check(agreement, actor=actor, action=Action.EDIT)
    if agreement.state != AgreementState.DRAFT:
        raise conflict_for_state(agreement, _("Bewerken"))
    version = agreement.current_version()
    if version.revision != based_on_revision:
        raise StaleRevision(
            _(
                "Iemand anders heeft dit concept opgeslagen nadat u het opende (nu revisie %(current)s, "
                "u begon bij revisie %(yours)s). Uw wijzigingen zijn niet opgeslagen."
            )
            % {"current": version.revision, "yours": based_on_revision},
            state=agreement.state,
            current_revision=version.revision,
        )
    if version.is_frozen:
        version = version.copy_as_next(by=actor)

    unknown = set(fields or {}) - set(AGREEMENT_FIELDS_EDITABLE_IN_DRAFT)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if fields:
        if "title" in fields and not str(fields["title"]).strip():
            raise InvalidInput(errors={"title": [_("Geef de afspraak een titel.")]})
        for name, value in fields.items():
            setattr(agreement, name, value)
        agreement.save(update_fields=list(fields))
    if neighbourhoods is not None:
        _replace_neighbourhoods(agreement, neighbourhoods)
    if sections:
        unknown_keys = set(sections) - set(SECTION_ORDER)
        if unknown_keys:
            raise ValueError(f"Unknown sections: {sorted(unknown_keys)}")
        for section in version.sections.filter(key__in=list(sections)):
            new_body = sections[section.key]
            if section.body != new_body:
                section.body = new_body
                section.save(update_fields=["body"])
        existing = set(version.sections.values_list("key", flat=True))
        Section.objects.bulk_create(
            [Section(version=version, key=k, body=b) for k, b in sections.items() if k not in existing]
        )
    if responsibilities is not None:
        version.responsibilities.all().delete()
        Responsibility.objects.bulk_create(
            [
                Responsibility(
                    version=version,
                    position=i,
                    task=row["task"],
                    phase=row["phase"],
                    initiative_role=row.get("initiative_role", ""),
                    municipality_role=row.get("municipality_role", ""),
                    third_party_name=row.get("third_party_name", ""),
                    third_party_role=row.get("third_party_role", ""),
                )
                for i, row in enumerate(responsibilities)
            ]
        )
    if decision_moments is not None:
        version.decision_moments.all().delete()
        DecisionMoment.objects.bulk_create(
            [
                DecisionMoment(
                    version=version,
                    position=i,
                    title=row["title"],
                    planned_date=row.get("planned_date"),
                    deciding_body=row["deciding_body"],
                    instrument=row.get("instrument", ""),
                )
                for i, row in enumerate(decision_moments)
            ]
        )
    version.revision += 1
    version.updated_at = timezone.now()
    version.save(update_fields=["revision", "updated_at"])
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.DRAFT_UPDATED,
        request_meta=request_meta,
        version_number=version.number,
    )
    return version


# --- review ------------------------------------------------------------------------------


@transaction.atomic
def agreement_submit(*, agreement: Agreement, actor: User, request_meta: RequestMeta = SYSTEM) -> Agreement:
    """Submit the draft for review: freezes the current version (content hash fixed).

    ContentIncomplete (a Conflict) lists what is missing when a required
    section is empty or a party carries no task in the role division.
    """
    agreement = lock_and_check(agreement, actor=actor, action=Action.SUBMIT)

    def incomplete() -> ContentIncomplete:
        missing = agreement.missing_for_submission()
        return ContentIncomplete(
            _("De afspraak is nog niet klaar om in te dienen."), state=agreement.state, missing=missing
        )

    from_state = run_transition(agreement, agreement.submit, what=_("Indienen"), conditions_failed=incomplete)
    agreement.save()
    version = agreement.current_version()
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
    notifications.notify(event=Event.SUBMITTED, agreement=agreement, actor=actor)
    return agreement


@transaction.atomic
def agreement_request_changes(
    *, agreement: Agreement, actor: User, note: str, request_meta: RequestMeta = SYSTEM
) -> Agreement:
    """A reviewer of the municipality sends the version back to the drafters, saying why (required)."""
    if not note or not note.strip():
        raise InvalidInput(errors={"note": [_("Schrijf op welke wijzigingen u vraagt.")]})
    agreement = lock_and_check(agreement, actor=actor, action=Action.REQUEST_CHANGES)
    from_state = run_transition(agreement, agreement.request_changes, what=_("Wijzigingen vragen"))
    agreement.save()
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.CHANGES_REQUESTED,
        request_meta=request_meta,
        from_state=from_state,
        to_state=agreement.state,
        version_number=agreement.frozen_version().number,
        note=note.strip(),
    )
    notifications.notify(
        event=Event.CHANGES_REQUESTED, agreement=agreement, actor=actor, context={"note": note.strip()}
    )
    return agreement


@transaction.atomic
def agreement_approve(*, agreement: Agreement, actor: User, request_meta: RequestMeta = SYSTEM) -> Agreement:
    """A reviewer of the municipality approves the version under review; signing starts.

    Conflict when a comment on that version is still open, or when someone
    else already acted (the state says what happened).
    """
    agreement = lock_and_check(agreement, actor=actor, action=Action.APPROVE)

    def comments_open() -> Conflict:
        count = agreement.unresolved_comments().count()
        return Conflict(
            _("Goedkeuren kan pas als alle opmerkingen zijn afgehandeld. Er staan er nog %(count)s open.")
            % {"count": count},
            state=agreement.state,
        )

    from_state = run_transition(
        agreement, agreement.approve, what=_("Goedkeuren"), conditions_failed=comments_open, by=actor
    )
    agreement.save()
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.APPROVED,
        request_meta=request_meta,
        from_state=from_state,
        to_state=agreement.state,
        version_number=agreement.frozen_version().number,
    )
    notifications.notify(event=Event.APPROVED, agreement=agreement, actor=actor)
    return agreement


# --- signing -----------------------------------------------------------------------------


@transaction.atomic
def agreement_sign(
    *, agreement: Agreement, actor: User, content_hash: str, request_meta: RequestMeta = SYSTEM
) -> Signature:
    """An authorised signatory signs the approved version for their own organisation.

    ``content_hash`` is the hash the signatory was shown: if the version
    changed since (reopened and resubmitted), that is a conflict. The last
    required signature (quorum per party, four eyes) moves the agreement to
    signed; for an amendment, the original is superseded in the same
    transaction (both rows locked, lower id first).
    """
    pk = agreement if isinstance(agreement, int) else agreement.pk
    original_id = Agreement.objects.filter(pk=pk).values_list("supersedes_id", flat=True).first()
    if original_id is not None and original_id < pk:
        lock_agreement(original_id)
    agreement = lock_and_check(pk, actor=actor, action=Action.SIGN)
    if original_id is not None and original_id > pk:
        lock_agreement(original_id)

    if agreement.state != AgreementState.APPROVED:
        raise conflict_for_state(agreement, _("Ondertekenen"))
    version = agreement.frozen_version()
    if content_hash != version.content_hash:
        raise Conflict(
            _("De tekst is veranderd sinds u de pagina opende. Lees de nieuwe versie %(number)s voordat u tekent.")
            % {"number": version.number},
            state=agreement.state,
        )
    party = signing_party_for(actor, agreement)
    if version.signatures.filter(signer=actor).exists():
        raise Conflict(_("U heeft deze versie al ondertekend."), state=agreement.state)
    if agreement.party_signing_status(party, version)["complete"]:
        raise Conflict(
            _("%(party)s heeft al genoeg handtekeningen voor deze versie.") % {"party": party.name},
            state=agreement.state,
        )
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                version=version,
                party=party,
                signer=actor,
                ip_address=request_meta.ip_address,
                user_agent=request_meta.user_agent,
                content_hash=version.content_hash,
            )
    except IntegrityError:
        raise Conflict(_("U heeft deze versie al ondertekend."), state=agreement.state) from None

    from_state = agreement.state
    if agreement.signatures_complete():
        agreement.sign()
        agreement.save()
        if agreement.supersedes_id:
            _supersede_original(
                original_id=agreement.supersedes_id, amendment=agreement, actor=actor, request_meta=request_meta
            )
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.SIGNED_BY,
        request_meta=request_meta,
        from_state=from_state,
        to_state=agreement.state,
        version_number=version.number,
        note=_("Getekend voor %(party)s") % {"party": party.name},
    )
    if agreement.state == AgreementState.SIGNED:
        notifications.notify(event=Event.SIGNED, agreement=agreement, actor=actor)
        # The sealed PDF is made by the worker once the signature is committed; a failed publish is logged
        # and the sweeper queues it again.
        transaction.on_commit(lambda: signed_document_enqueue(version_id=version.pk))
    else:
        notifications.notify(event=Event.SIGNATURE_ADDED, agreement=agreement, actor=actor)
    return signature


def _supersede_original(*, original_id: int, amendment: Agreement, actor: User, request_meta: RequestMeta) -> None:
    original = Agreement.objects.get(pk=original_id)  # already locked by the caller
    from_state = original.state
    original.supersede()
    original.save()
    record(
        agreement=original,
        actor=actor,
        action=AuditAction.SUPERSEDED,
        request_meta=request_meta,
        from_state=from_state,
        to_state=original.state,
        note=_("Vervangen door %(reference)s") % {"reference": amendment.reference},
    )


@transaction.atomic
def agreement_reopen(
    *, agreement: Agreement, actor: User, note: str = "", request_meta: RequestMeta = SYSTEM
) -> Agreement:
    """Back to draft before the last signature; the signatures collected so far are discarded."""
    agreement = lock_and_check(agreement, actor=actor, action=Action.REOPEN)
    from_state = run_transition(agreement, agreement.reopen, what=_("Heropenen"))
    agreement.save()
    version = agreement.frozen_version()
    discarded = version.signatures.count()
    for signature in version.signatures.all():
        signature.delete()
    summary = _("%(count)s verzamelde handtekening(en) vervallen.") % {"count": discarded}
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.REOPENED,
        request_meta=request_meta,
        from_state=from_state,
        to_state=agreement.state,
        version_number=version.number,
        note=f"{note.strip()}\n{summary}".strip(),
    )
    notifications.notify(event=Event.REOPENED, agreement=agreement, actor=actor, context={"note": note.strip()})
    return agreement


@transaction.atomic
def agreement_withdraw(
    *, agreement: Agreement, actor: User, note: str = "", request_meta: RequestMeta = SYSTEM
) -> Agreement:
    """The initiative stops an agreement that is not signed yet."""
    agreement = lock_and_check(agreement, actor=actor, action=Action.WITHDRAW)
    from_state = run_transition(agreement, agreement.withdraw, what=_("Intrekken"))
    agreement.save()
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.WITHDRAWN,
        request_meta=request_meta,
        from_state=from_state,
        to_state=agreement.state,
        note=note.strip(),
    )
    notifications.notify(event=Event.WITHDRAWN, agreement=agreement, actor=actor)
    return agreement


@transaction.atomic
def agreement_amend(*, agreement: Agreement, actor: User, request_meta: RequestMeta = SYSTEM) -> Agreement:
    """Start a new draft that will supersede this signed agreement once it is signed itself.

    The original stays signed and unchanged until then. At most one open
    amendment per agreement (a database constraint; a second try is a Conflict).
    """
    original = lock_and_check(agreement, actor=actor, action=Action.AMEND)
    if original.state != AgreementState.SIGNED:
        raise conflict_for_state(original, _("Een wijziging starten"))
    open_amendment = original.amendments.filter(
        state__in=[AgreementState.DRAFT, AgreementState.IN_REVIEW, AgreementState.APPROVED]
    ).first()
    if open_amendment:
        raise Conflict(
            _("Er loopt al een wijziging van deze afspraak: %(reference)s.") % {"reference": open_amendment.reference},
            state=original.state,
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            amendment = Agreement.objects.create(
                reference=ReferenceSequence.allocate(timezone.localdate().year),
                title=original.title,
                form=original.form,
                phase=original.phase,
                language=original.language,
                initiative=original.initiative,
                municipality=original.municipality,
                supersedes=original,
                created_by=actor,
                created_at=now,
                state_changed_at=now,
                evaluation_date=original.evaluation_date,
                valid_until=original.valid_until,
            )
    except IntegrityError:
        raise Conflict(_("Er loopt al een wijziging van deze afspraak."), state=original.state) from None
    _replace_neighbourhoods(
        amendment, [{"name": n.name, "cbs_code": n.cbs_code} for n in original.neighbourhoods.all()]
    )
    AdvisorAccess.objects.bulk_create(
        [
            AdvisorAccess(agreement=amendment, organisation_id=a.organisation_id, granted_by=actor)
            for a in original.advisor_accesses.all()
        ]
    )
    signed_version = original.frozen_version()
    new_version = AgreementVersion.objects.create(agreement=amendment, number=1, created_by=actor)
    signed_version.copy_content_to(new_version)
    record(
        agreement=amendment,
        actor=actor,
        action=AuditAction.AMENDED,
        request_meta=request_meta,
        to_state=amendment.state,
        version_number=1,
        note=_("Wijziging van %(reference)s") % {"reference": original.reference},
    )
    notifications.notify(event=Event.AMENDED, agreement=amendment, actor=actor)
    return amendment


@transaction.atomic
def agreement_expire(*, agreement: Agreement | int, request_meta: RequestMeta = SYSTEM) -> Agreement:
    """The system marks a signed agreement whose validity has passed as expired (daily task)."""
    agreement = lock_agreement(agreement)
    from_state = run_transition(agreement, agreement.expire, what=_("Laten verlopen"))
    agreement.save()
    record(
        agreement=agreement,
        actor=None,
        action=AuditAction.EXPIRED,
        request_meta=request_meta,
        from_state=from_state,
        to_state=agreement.state,
        note=_("Geldig tot en met %(date)s") % {"date": agreement.valid_until.isoformat()},
    )
    notifications.notify(event=Event.EXPIRED, agreement=agreement, actor=None)
    return agreement


# --- comments ----------------------------------------------------------------------------


@transaction.atomic
def comment_add(
    *,
    agreement: Agreement,
    actor: User,
    body: str,
    section_key: str = "",
    parent: Comment | None = None,
    request_meta: RequestMeta = SYSTEM,
) -> Comment:
    """Anyone who sees the agreement (advisors included) comments on the current version."""
    agreement = lock_and_check(agreement, actor=actor, action=Action.COMMENT)
    body = (body or "").strip()
    if not body:
        raise InvalidInput(errors={"body": [_("Schrijf eerst uw opmerking.")]})
    if len(body) > 5000:
        raise InvalidInput(errors={"body": [_("Een opmerking mag hoogstens 5000 tekens lang zijn.")]})
    if section_key and section_key not in SECTION_ORDER:
        raise InvalidInput(errors={"section_key": [_("Dit onderdeel bestaat niet.")]})
    if agreement.state not in (AgreementState.DRAFT, AgreementState.IN_REVIEW, AgreementState.APPROVED):
        raise conflict_for_state(agreement, _("Een opmerking plaatsen"))
    version = agreement.current_version()
    if parent is not None:
        if parent.version.agreement_id != agreement.pk:
            raise NotFound(_("Deze opmerking bestaat niet."))
        version = parent.version
        parent = parent.parent or parent  # replies stay one level deep
    comment = Comment.objects.create(version=version, section_key=section_key, parent=parent, author=actor, body=body)
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.COMMENTED,
        request_meta=request_meta,
        version_number=version.number,
    )
    notifications.notify(event=Event.COMMENTED, agreement=agreement, actor=actor, context={"comment_id": comment.pk})
    return comment


@transaction.atomic
def comment_resolve(*, comment: Comment, actor: User, request_meta: RequestMeta = SYSTEM) -> Comment:
    """The author, or a drafter of the initiative, marks a comment as handled."""
    agreement = lock_agreement(comment.version.agreement_id)
    if not can_see(actor, agreement):
        raise NotFound(_("Deze afspraak bestaat niet of u heeft er geen toegang toe."))
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not may_resolve_comment(actor, comment, agreement):
        raise NotPermitted(_("Alleen de schrijver of een opsteller van het initiatief kan deze opmerking afhandelen."))
    if comment.resolved_at is not None:
        raise Conflict(_("Deze opmerking is al afgehandeld."), state=agreement.state)
    comment.resolved_by = actor
    comment.resolved_at = timezone.now()
    comment.save(update_fields=["resolved_by", "resolved_at"])
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.COMMENT_RESOLVED,
        request_meta=request_meta,
        version_number=comment.version.number,
    )
    return comment


# --- advisors ----------------------------------------------------------------------------


@transaction.atomic
def advisor_grant(
    *, agreement: Agreement, actor: User, advisor: Organisation, request_meta: RequestMeta = SYSTEM
) -> AdvisorAccess:
    """A drafter of the initiative lets an advisor organisation read along."""
    agreement = lock_and_check(agreement, actor=actor, action=Action.GRANT_ADVISOR)
    if advisor.kind != OrganisationKind.ADVISOR:
        raise InvalidInput(errors={"advisor": [_("Alleen een adviesorganisatie kan meelezen.")]})
    access, created = AdvisorAccess.objects.get_or_create(
        agreement=agreement, organisation=advisor, defaults={"granted_by": actor}
    )
    if not created:
        raise Conflict(_("%(advisor)s leest al mee.") % {"advisor": advisor.name}, state=agreement.state)
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.ADVISOR_GRANTED,
        request_meta=request_meta,
        note=advisor.name,
    )
    return access


@transaction.atomic
def advisor_revoke(
    *, agreement: Agreement, actor: User, advisor: Organisation, request_meta: RequestMeta = SYSTEM
) -> None:
    """A drafter of the initiative ends an advisor organisation's access."""
    agreement = lock_and_check(agreement, actor=actor, action=Action.GRANT_ADVISOR)
    deleted, _details = AdvisorAccess.objects.filter(agreement=agreement, organisation=advisor).delete()
    if not deleted:
        raise Conflict(_("%(advisor)s las niet mee.") % {"advisor": advisor.name}, state=agreement.state)
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.ADVISOR_REVOKED,
        request_meta=request_meta,
        note=advisor.name,
    )


__all__ = [
    "agreement_create",
    "agreement_update_draft",
    "agreement_submit",
    "agreement_request_changes",
    "agreement_approve",
    "agreement_sign",
    "agreement_reopen",
    "agreement_withdraw",
    "agreement_amend",
    "agreement_expire",
    "comment_add",
    "comment_resolve",
    "advisor_grant",
    "advisor_revoke",
    "state_label",
]
