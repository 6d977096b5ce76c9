"""Reads for the agreement page: timeline, comments, signing status, and what this person may do now.

Nothing here writes. The actions offered are computed from the same
permission check and state machine the services use, so a button is only
shown when pressing it would succeed (apart from someone else acting first).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy

from agreements.audit_notes import audit_note, voided_counts
from agreements.choices import OPEN_STATES, AgreementState, AuditAction, MembershipRole, RaciRole
from agreements.models import (
    Agreement,
    AgreementVersion,
    AuditEvent,
    Comment,
    Membership,
    Organisation,
    Signature,
    User,
    current_mandate,
)
from agreements.sections import SECTION_DEFINITIONS, SECTIONS_BY_KEY
from workflow.core.access import has_role, is_party_member, may_resolve_comment
from workflow.core.visibility import audit_event_list_for
from workflow.lifecycle.diff import changed_parts
from workflow.lifecycle.rules import available_actions, open_amendment
from workflow.notifications.events import Event
from workflow.notifications.recipients import recipients_for


def version_with_content(agreement: Agreement, number: int | None = None) -> AgreementVersion | None:
    """A version with its sections, responsibilities and decision moments loaded in one go."""
    versions = agreement.versions.prefetch_related("sections", "responsibilities", "decision_moments")
    if number is None:
        return versions.order_by("-number").first()
    return versions.filter(number=number).first()


def sections_of(version: AgreementVersion | None) -> list[dict]:
    bodies = {s.key: s.body for s in version.sections.all()} if version else {}
    return [
        {"key": d.key, "title": d.title, "guidance": d.guidance, "body": bodies.get(d.key, "")}
        for d in SECTION_DEFINITIONS
    ]


# --- timeline -----------------------------------------------------------------------------


def timeline(user: User, agreement: Agreement, events: list[AuditEvent] | None = None) -> list[dict]:
    """The audit log as people read it: newest first, who did what, the state it led to, notes in their language."""
    entries = []
    voided = voided_counts(agreement)
    for event in audit_event_list_for(user, agreement=agreement) if events is None else events:
        entries.append(
            {
                "at": event.at,
                "actor": str(event.actor) if event.actor else None,
                "action": event.action,
                "label": event.get_action_display(),
                "to_state": event.get_to_state_display() if event.to_state else "",
                "version_number": event.version_number,
                "note": audit_note(event, voided=voided),
            }
        )
    entries.reverse()
    return entries


def last_saved(agreement: Agreement) -> AuditEvent | None:
    """The newest draft save, to say who saved when (the editor and the stale-save screen)."""
    return (
        agreement.audit_events.filter(action__in=[AuditAction.DRAFT_UPDATED, AuditAction.CREATED])
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )


# --- comments -----------------------------------------------------------------------------


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)
    may_resolve: bool = False

    @property
    def resolved(self) -> bool:
        return self.comment.resolved_at is not None


def _all_threads(user: User, agreement: Agreement) -> list[Thread]:
    """Every thread on every version of the agreement, oldest first (one query, and one for the replies)."""
    comments = (
        Comment.objects.filter(version__agreement=agreement, parent__isnull=True)
        .select_related("author", "resolved_by", "version")
        .prefetch_related(Prefetch("replies", queryset=Comment.objects.select_related("author").order_by("created_at")))
        .order_by("created_at", "pk")
    )
    return [
        Thread(
            comment=comment,
            replies=list(comment.replies.all()),
            may_resolve=comment.resolved_at is None and may_resolve_comment(user, comment, agreement),
        )
        for comment in comments
    ]


def comment_threads(user: User, agreement: Agreement, threads: list[Thread] | None = None) -> dict[str, list[Thread]]:
    """The parties' threads of every version, per section key ("" for the agreement as a whole), oldest first.

    Advisory notes are left out: they are ``advisory_threads``.
    """
    threads = _all_threads(user, agreement) if threads is None else threads
    by_section: dict[str, list[Thread]] = {"": []}
    for definition in SECTION_DEFINITIONS:
        by_section[definition.key] = []
    for thread in threads:
        if not thread.comment.is_advisory:
            by_section.setdefault(thread.comment.section_key, []).append(thread)
    return by_section


def advisory_threads(user: User, agreement: Agreement, threads: list[Thread] | None = None) -> list[Thread]:
    """The advisors' notes of every version with their replies, oldest first: shown apart, never resolved."""
    threads = _all_threads(user, agreement) if threads is None else threads
    return [thread for thread in threads if thread.comment.is_advisory]


# --- why the agreement came back to the drafters -------------------------------------------


@dataclass
class OpenComment:
    pk: int
    section_title: str
    author: str
    body: str
    version_number: int


@dataclass
class SentBackPanel:
    """Why the agreement is back with the drafters: who sent it back, when, why, and what is still open.

    General on purpose: the page shows any such reason in the same panel (``agreements/_sent_back_panel.html``).
    """

    title: str
    actor: User | None
    at: dt.datetime
    reason: str
    version_number: int | None
    open_comments: list[OpenComment]


# The audit actions that send an agreement back to its drafters, with the panel's title.
SENT_BACK_TITLES = {
    AuditAction.CHANGES_REQUESTED: gettext_lazy("De gemeente vraagt wijzigingen"),
    AuditAction.DECLINED_TO_SIGN: gettext_lazy("Een ondertekenaar weigert te tekenen"),
}


def _open_threads_since(threads: list[Thread], version_number: int | None) -> list[OpenComment]:
    """The parties' open threads on the version that was sent back and on the draft after it."""
    return [
        OpenComment(
            pk=t.comment.pk,
            section_title=str(SECTIONS_BY_KEY[t.comment.section_key].title) if t.comment.section_key else "",
            author=str(t.comment.author),
            body=t.comment.body,
            version_number=t.comment.version.number,
        )
        for t in threads
        if not t.comment.is_advisory
        and not t.resolved
        and (version_number is None or t.comment.version.number >= version_number)
    ]


def changes_requested_panel(
    user: User,
    agreement: Agreement,
    *,
    events: list[AuditEvent] | None = None,
    threads: list[Thread] | None = None,
) -> SentBackPanel | None:
    """The latest request for changes, while the agreement is a draft that has not been submitted since.

    None once the drafters submit again (or when nothing was ever sent back). ``events`` and ``threads``
    may be passed when the page has them already (the audit log oldest first, every comment thread).
    """
    if agreement.state != AgreementState.DRAFT:
        return None
    events = list(audit_event_list_for(user, agreement=agreement)) if events is None else events
    latest = next(
        (e for e in reversed(events) if e.action in SENT_BACK_TITLES or e.action == AuditAction.SUBMITTED), None
    )
    if latest is None or latest.action not in SENT_BACK_TITLES:
        return None
    threads = _all_threads(user, agreement) if threads is None else threads
    return SentBackPanel(
        title=str(SENT_BACK_TITLES[latest.action]),
        actor=latest.actor,
        at=latest.at,
        reason=latest.note,
        version_number=latest.version_number,
        open_comments=_open_threads_since(threads, latest.version_number),
    )


# --- what changed since the last review round ----------------------------------------------


def changed_since_last_round(user: User, agreement: Agreement, version: AgreementVersion | None) -> dict | None:
    """For the drafters and reviewers of an open agreement in its second round or later: what differs from the
    version before (``{"old": n-1, "new": n, "sections": keys, "responsibilities": bool, "decision_moments": bool}``).
    """
    if version is None or version.number < 2 or agreement.state not in OPEN_STATES:
        return None
    if not (
        has_role(user, agreement.initiative, MembershipRole.DRAFTER)
        or has_role(user, agreement.municipality, MembershipRole.REVIEWER)
    ):
        return None
    previous = version_with_content(agreement, version.number - 1)
    if previous is None:
        return None
    return {"old": previous.number, "new": version.number, **changed_parts(previous, version)}


# --- the confirmation pages: what submitting or approving will set in motion ------------------


def submit_confirmation(user: User, agreement: Agreement) -> dict:
    """Before submitting: the version that will be frozen, who will be asked to review it (the people the
    e-mail goes to; none when the municipality has no reviewer yet), and the requested review date."""
    return {
        "version": agreement.current_version(),
        "reviewers": [person for person in recipients_for(Event.SUBMITTED, agreement, {}) if person.pk != user.pk],
        "review_due_date": agreement.review_due_date,
    }


def _signatories(party: Organisation) -> list[dict]:
    """The party's signatories whose mandate has not ended, by name, with the end of their mandate if set."""
    memberships = (
        party.memberships.filter(role=MembershipRole.SIGNATORY, user__is_active=True)
        .filter(current_mandate())
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [{"name": str(m.user), "mandate_until": m.mandate_until} for m in memberships]


def approve_confirmation(agreement: Agreement) -> dict:
    """Before approving: the version that will be signed, and per party who will be asked to sign and how many
    signatures it needs."""
    return {
        "version": agreement.frozen_version(),
        "parties": [
            {"party": party, "required": party.signing_quorum, "signatories": _signatories(party)}
            for party in agreement.parties
        ],
    }


# --- signing ------------------------------------------------------------------------------


def signing_status(agreement: Agreement) -> list[dict]:
    """Per party: who signed the version under signature, how many are needed, and whether it is complete.

    While the agreement waits for signatures, ``to_sign`` names the party's
    signatories who may still sign and have not (their membership, with the
    function they would sign under); empty once the party is complete.
    """
    version = agreement.frozen_version()
    if version is None or agreement.state in (AgreementState.DRAFT, AgreementState.IN_REVIEW):
        return []
    signatures = list(version.signatures.in_force().select_related("signer").order_by("signed_at", "pk"))
    result = []
    for party in agreement.parties:
        status = agreement.party_signing_status(party, version)
        status["signatures"] = [s for s in signatures if s.party_id == party.pk]
        status["missing"] = max(status["required"] - status["signed"], 0)
        if status["needs_second_pair_of_eyes"]:
            status["missing"] = max(status["missing"], 1)
        status["to_sign"] = (
            _signatories_still_to_sign(agreement, party, signed={s.signer_id for s in status["signatures"]})
            if agreement.state == AgreementState.APPROVED and not status["complete"]
            else []
        )
        result.append(status)
    return result


def _signatories_still_to_sign(agreement: Agreement, party: Organisation, *, signed: set[int]) -> list[Membership]:
    """The party's signatories who may sign today (mandate not ended, not of the other party) and have not signed."""
    other = agreement.municipality_id if party.pk == agreement.initiative_id else agreement.initiative_id
    return list(
        Membership.objects.filter(organisation=party, role=MembershipRole.SIGNATORY, user__is_active=True)
        .filter(current_mandate())
        .exclude(user_id__in=signed)
        .exclude(user__memberships__organisation_id=other)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


def signing_function_for(user: User, party: Organisation | None) -> str:
    """The function ``user`` signs under for ``party`` (on their signatory membership; each signature copies it)."""
    if party is None:
        return ""
    return (
        Membership.objects.filter(user=user, organisation=party, role=MembershipRole.SIGNATORY)
        .values_list("function", flat=True)
        .first()
        or ""
    )


def void_signatures(agreement: Agreement) -> list[Signature]:
    """The signatures of every version that reopening declared void: kept on record, shown as void, never counted."""
    return list(
        Signature.objects.voided()
        .filter(version__agreement=agreement)
        .select_related("signer", "party", "voided_by", "version")
        .order_by("voided_at", "signed_at", "pk")
    )


def own_signature(user: User, agreement: Agreement) -> Signature | None:
    version = agreement.frozen_version()
    if version is None:
        return None
    return version.signatures.in_force().filter(signer=user).select_related("party").first()


# --- what this person may do now ----------------------------------------------------------


# The actions offered come from workflow.lifecycle.rules, the checks the services make.


# --- the role division as a matrix --------------------------------------------------------

RACI_WORDS = {
    RaciRole.RESPONSIBLE: RaciRole.RESPONSIBLE.label,
    RaciRole.ACCOUNTABLE: RaciRole.ACCOUNTABLE.label,
    RaciRole.CONSULTED: RaciRole.CONSULTED.label,
    RaciRole.INFORMED: RaciRole.INFORMED.label,
}


def responsibility_matrix(version: AgreementVersion | None) -> dict:
    """Rows grouped by phase, and whether any row names a third party (an extra column)."""
    rows = list(version.responsibilities.all()) if version else []
    has_third_party = any(r.third_party_roles for r in rows)
    by_phase: dict[str, list] = {}
    for row in rows:
        by_phase.setdefault(row.get_phase_display(), []).append(row)
    return {"rows": rows, "by_phase": by_phase, "has_third_party": has_third_party, "legend": RACI_WORDS}


# --- the page as a whole ------------------------------------------------------------------


def roles_here(user: User, agreement: Agreement) -> list[str]:
    """The person's roles in this agreement's parties, for the page header ("you are ... here")."""
    roles = []
    for party in agreement.parties:
        for role in MembershipRole:
            if has_role(user, party, role):
                roles.append(f"{role.label} – {party.name}")
    return roles


def agreement_page(user: User, agreement: Agreement) -> dict:
    version = version_with_content(agreement)
    versions = list(agreement.versions.filter(frozen_at__isnull=False).order_by("number"))
    threads = _all_threads(user, agreement)
    events = list(audit_event_list_for(user, agreement=agreement))
    return {
        "agreement": agreement,
        "version": version,
        "sections": sections_of(version),
        "threads": comment_threads(user, agreement, threads),
        "advisory_threads": advisory_threads(user, agreement, threads),
        # Advisors who read along comment (as advice), but resolve nothing and ask for no previews.
        "party_member": is_party_member(user, agreement),
        "matrix": responsibility_matrix(version),
        "decision_moments": list(version.decision_moments.all()) if version else [],
        "neighbourhoods": list(agreement.neighbourhoods.all()),
        "timeline": timeline(user, agreement, events),
        "sent_back": changes_requested_panel(user, agreement, events=events, threads=threads),
        "changed_since": changed_since_last_round(user, agreement, version),
        "signing": signing_status(agreement),
        "void_signatures": void_signatures(agreement),
        "own_signature": own_signature(user, agreement),
        "frozen_versions": versions,
        "advisors": list(agreement.advisor_accesses.select_related("organisation").order_by("organisation__name")),
        "open_amendment": open_amendment(agreement),
        "amendments": list(agreement.amendments.order_by("-created_at")),
        "roles_here": roles_here(user, agreement),
        **available_actions(user, agreement),
    }
