"""Reads for the agreement page: timeline, comments, signing status, and what this person may do now.

Nothing here writes. The actions offered are computed from the same
permission check and state machine the services use, so a button is only
shown when pressing it would succeed (apart from someone else acting first).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Prefetch, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy

from agreements.audit_notes import VOIDING_ACTIONS, audit_note, voided_counts_of
from agreements.choices import (
    OPEN_STATES,
    SIGNED_STATES,
    AgreementState,
    AuditAction,
    MembershipRole,
    OrganisationKind,
)
from agreements.models import (
    AdvisorAccess,
    Agreement,
    AgreementVersion,
    AuditEvent,
    Comment,
    Membership,
    ModelAgreement,
    Organisation,
    Signature,
    User,
    current_mandate,
)
from agreements.sections import SECTION_DEFINITIONS, SECTIONS_BY_KEY
from workflow.core.access import Action, has_role, is_party_member, may, may_record_lesson, may_resolve_comment
from workflow.core.visibility import audit_event_list_for
from workflow.lifecycle.diff import changed_parts
from workflow.lifecycle.model_deviation import ModelDeviation, model_deviation
from workflow.lifecycle.rules import available_actions, open_amendment
from workflow.lifecycle.selectors.content import (
    RACI_WORDS,  # noqa: F401 - where the sign page has always found it
    cache_get,
    cache_set,
    changed_parts_key,
    content_html,
    load_content,
    prefetched,
    responsibility_matrix,  # noqa: F401 - the sign page renders the matrix too
    versions_with_latest_content,
)
from workflow.lifecycle.selectors.sharing import sharing_state
from workflow.notifications.events import Event
from workflow.notifications.recipients import recipients_for


def version_with_content(agreement: Agreement, number: int | None = None) -> AgreementVersion | None:
    """A version with its sections, responsibilities, decision moments and escalation ladder loaded in one go."""
    versions = agreement.versions.prefetch_related(
        "sections", "responsibilities", "decision_moments", "escalation_steps"
    )
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


def timeline(events: list[AuditEvent], *, voided: dict) -> list[dict]:
    """The audit log as people read it: newest first, who did what, the state it led to, notes in their language.

    ``events`` are the agreement's log rows as read for the page; ``voided`` the counts of
    ``audit_notes.voided_counts``, from the signatures read already.
    """
    entries = []
    for event in events:
        entries.append(
            {
                "at": event.at,
                "actor": str(event.actor) if event.actor else None,
                "api_token": event.api_token,
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
    return _signing_statuses(
        agreement,
        version,
        in_force=signatures,
        still_to_sign=lambda party, signed: _signatories_still_to_sign(agreement, party, signed=signed),
    )


def _signing_statuses(
    agreement: Agreement,
    version: AgreementVersion,
    *,
    in_force: list[Signature],
    still_to_sign: Callable[[Organisation, set[int]], list[Membership]],
) -> list[dict]:
    """``signing_status`` from the version's signatures in force, however they were read."""
    result = []
    for party in agreement.parties:
        status = agreement.party_signing_status(party, version)
        status["signatures"] = [s for s in in_force if s.party_id == party.pk]
        status["missing"] = max(status["required"] - status["signed"], 0)
        if status["needs_second_pair_of_eyes"]:
            status["missing"] = max(status["missing"], 1)
        status["to_sign"] = (
            still_to_sign(party, {s.signer_id for s in status["signatures"]})
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

# ``responsibility_matrix`` and ``RACI_WORDS`` live in selectors/content.py, with the content's render.


# --- the page as a whole ------------------------------------------------------------------


def roles_here(user: User, agreement: Agreement) -> list[str]:
    """The person's roles in this agreement's parties, for the page header ("you are ... here")."""
    roles = []
    for party in agreement.parties:
        for role in MembershipRole:
            if has_role(user, party, role):
                roles.append(f"{role.label} – {party.name}")
    return roles


# The audit actions after which an agreement in another state can hold signatures (in force or void).
SIGNATURE_EVENTS = frozenset({AuditAction.APPROVED, *VOIDING_ACTIONS})


class _Rows(list):
    """Rows already read, answering the two questions the rules ask of a queryset."""

    def count(self) -> int:  # type: ignore[override]
        return len(self)

    def exists(self) -> bool:
        return bool(self)


def _answer(instance, name: str, value_for: Callable) -> None:
    """Memoise a method's answer on this one instance, for this one page (a call with arguments asks the model)."""
    method = getattr(type(instance), name)

    def answered(*args, **kwargs):
        found = value_for(*args, **kwargs)
        return method(instance, *args, **kwargs) if found is _ASK else found

    instance.__dict__[name] = answered


_ASK = object()


# Read with the page's agreement, in the same query (``agreement_get_for(annotations=...)``): whether it has
# amendments, so that a signed agreement without any asks no query for them.
PAGE_ANNOTATIONS = {"page_has_amendments": Exists(Agreement.objects.filter(supersedes=OuterRef("pk")))}


class _PageRows:
    """Everything the agreement page shows, each read once, handed to the rules as already-loaded rows.

    The page's Agreement and Organisation instances answer ``frozen_version``, ``current_version``,
    ``unresolved_comments``, ``party_signing_status`` and ``active_signatory_ids`` from these rows
    (``_answer``): the rules and the page then ask the database nothing twice. Only this request's
    instances are touched; the services read their locked rows afresh.
    """

    def __init__(self, user: User, agreement: Agreement) -> None:
        self.user, self.agreement = user, agreement
        self.versions = list(versions_with_latest_content(agreement))
        for version in self.versions:
            version.agreement = agreement
        self.by_id = {v.pk: v for v in self.versions}
        self.latest = self.versions[-1] if self.versions else None
        frozen = [v for v in self.versions if v.frozen_at is not None]
        self.frozen = frozen[-1] if frozen else None
        self.frozen_versions = frozen
        self.events = list(audit_event_list_for(user, agreement=agreement))
        self._signatures()
        self.threads = self._threads()
        self._memberships: list[Membership] | None = None
        self._related()
        self._content_loaded: set[int] = set()
        self._answers()

    # -- reads ---------------------------------------------------------------------------------

    def _signatures(self) -> None:
        """Every signature of every version, in force or void, in one query; none read while there can be none."""
        # A signature needs an approved version: an agreement approved now or since, or one whose signatures
        # a reopening (or a refusal to sign) declared void; the audit log says which.
        may_have = self.agreement.state in (AgreementState.APPROVED, *SIGNED_STATES) or any(
            e.action in SIGNATURE_EVENTS for e in self.events
        )
        if may_have and self.versions:
            prefetch_related_objects(
                self.versions,
                Prefetch(
                    "signatures",
                    queryset=Signature.objects.select_related("signer", "party", "voided_by").order_by(
                        "signed_at", "pk"
                    ),
                ),
            )
        else:
            for version in self.versions:
                prefetched(version, "signatures", [])
        self.signatures = [s for v in self.versions for s in v.signatures.all()]

    def _threads(self) -> list[Thread]:
        """Every comment of every version in one query, as threads (first comments with their replies)."""
        comments = list(
            Comment.objects.filter(version__agreement=self.agreement)
            .select_related("author", "resolved_by")
            .order_by("created_at", "pk")
        )
        replies: dict[int, list[Comment]] = {}
        for comment in comments:
            comment.version = self.by_id[comment.version_id]
            if comment.parent_id is not None:
                replies.setdefault(comment.parent_id, []).append(comment)
        return [
            Thread(
                comment=comment,
                replies=replies.get(comment.pk, []),
                may_resolve=comment.resolved_at is None and may_resolve_comment(self.user, comment, self.agreement),
            )
            for comment in comments
            if comment.parent_id is None
        ]

    def memberships(self) -> list[Membership]:
        """Both parties' members (every role), read the first time a question about signatories needs them."""
        if self._memberships is None:
            agreement = self.agreement
            self._memberships = list(
                Membership.objects.filter(organisation_id__in=[agreement.initiative_id, agreement.municipality_id])
                .annotate(in_mandate=ExpressionWrapper(current_mandate(), output_field=BooleanField()))
                .select_related("user")
                .order_by("user__full_name", "pk")
            )
        return self._memberships

    def active_signatory_ids(self, party: Organisation) -> set[int]:
        return {
            m.user_id
            for m in self.memberships()
            if m.organisation_id == party.pk and m.role == MembershipRole.SIGNATORY and m.in_mandate
        }

    def still_to_sign(self, party: Organisation, *, signed: set[int]) -> list[Membership]:
        """``_signatories_still_to_sign`` from the rows read: mandate not ended, active, not of the other party."""
        agreement = self.agreement
        other = agreement.municipality_id if party.pk == agreement.initiative_id else agreement.initiative_id
        of_other = {m.user_id for m in self.memberships() if m.organisation_id == other}
        return [
            m
            for m in self.memberships()
            if m.organisation_id == party.pk
            and m.role == MembershipRole.SIGNATORY
            and m.in_mandate
            and m.user.is_active
            and m.user_id not in signed
            and m.user_id not in of_other
        ]

    def _related(self) -> None:
        """The amendments of a signed agreement and the original an amendment changes: one query, when any can be.

        The page's read says whether the agreement has amendments (``PAGE_ANNOTATIONS``); an agreement read
        without it may have some.
        """
        agreement = self.agreement
        amendments: list[Agreement] = []
        may_have_amendments = agreement.state in SIGNED_STATES and getattr(agreement, "page_has_amendments", True)
        if agreement.supersedes_id or may_have_amendments:
            related = list(
                Agreement.objects.filter(Q(supersedes=agreement) | Q(pk=agreement.supersedes_id or 0)).order_by(
                    "-created_at"
                )
            )
            amendments = [a for a in related if a.supersedes_id == agreement.pk]
            original = next((a for a in related if a.pk == agreement.supersedes_id), None)
            if original is not None:
                agreement.supersedes = original
        prefetched(agreement, "amendments", amendments)
        self.amendments = amendments

    def advisors(self, *, may_grant: bool) -> tuple[list, list[Organisation]]:
        """The advisors reading along, and (for whoever may let one in) the ones who could: one query."""
        if not may_grant:
            accesses = list(
                self.agreement.advisor_accesses.select_related("organisation").order_by("organisation__name")
            )
            return accesses, []
        organisations = list(
            Organisation.objects.filter(kind=OrganisationKind.ADVISOR)
            .annotate(
                granted=Exists(AdvisorAccess.objects.filter(agreement=self.agreement, organisation=OuterRef("pk")))
            )
            .order_by("name")
        )
        return [{"organisation": o} for o in organisations if o.granted], [o for o in organisations if not o.granted]

    def load_content(self, *versions: AgreementVersion | None) -> None:
        wanted = [v for v in versions if v is not None and v.pk not in self._content_loaded]
        if wanted or not self._content_loaded:
            load_content(self.agreement, wanted)
            self._content_loaded.update(v.pk for v in wanted)
            self._content_loaded.add(0)  # the neighbourhoods

    # -- the model's answers, from these rows -------------------------------------------------

    def _answers(self) -> None:
        agreement = self.agreement
        _answer(agreement, "frozen_version", lambda *a, **k: _ASK if a or k else self.frozen)
        _answer(agreement, "current_version", lambda *a, **k: _ASK if a or k else self.latest)
        _answer(agreement, "unresolved_comments", lambda *a, **k: _ASK if a or k else self.unresolved())
        _answer(agreement, "party_signing_status", self.party_signing_status)
        for party in agreement.parties:
            _answer(
                party,
                "active_signatory_ids",
                lambda *a, party=party, **k: _ASK if a or k else self.active_signatory_ids(party),
            )

    def unresolved(self) -> _Rows:
        """``Agreement.unresolved_comments``: the parties' open threads on the frozen version (``party_comments``)."""
        return _Rows(
            t.comment
            for t in self.threads
            if self.frozen is not None
            and t.comment.version_id == self.frozen.pk
            and not t.comment.is_advisory
            and t.comment.resolved_at is None
        )

    def party_signing_status(self, party: Organisation, version: AgreementVersion | None = None, **kwargs):
        """``Agreement.party_signing_status`` from the signatures read; the rule itself is ``Agreement.quorum_met``."""
        version = version or self.frozen
        if kwargs or (version is not None and version.pk not in self.by_id):
            return _ASK
        signatures = version.signatures.all() if version else []
        signer_ids = {s.signer_id for s in signatures if not s.is_void and s.party_id == party.pk}
        complete, needs_second_pair_of_eyes = self.agreement.quorum_met(
            party, signer_ids=signer_ids, active_signatories=lambda: len(self.active_signatory_ids(party))
        )
        return {
            "party": party,
            "signed": len(signer_ids),
            "required": party.signing_quorum,
            "complete": complete,
            "needs_second_pair_of_eyes": needs_second_pair_of_eyes,
        }


def _page_signing(rows: _PageRows) -> list[dict]:
    """``signing_status`` from the rows read."""
    agreement, version = rows.agreement, rows.frozen
    if version is None or agreement.state in (AgreementState.DRAFT, AgreementState.IN_REVIEW):
        return []
    return _signing_statuses(
        agreement,
        version,
        in_force=[s for s in version.signatures.all() if not s.is_void],
        still_to_sign=lambda party, signed: rows.still_to_sign(party, signed=signed),
    )


def _page_changed_since(rows: _PageRows) -> dict | None:
    """``changed_since_last_round`` from the rows read; two frozen versions' differences come from the cache."""
    user, agreement, version = rows.user, rows.agreement, rows.latest
    if version is None or version.number < 2 or agreement.state not in OPEN_STATES:
        return None
    if not (
        has_role(user, agreement.initiative, MembershipRole.DRAFTER)
        or has_role(user, agreement.municipality, MembershipRole.REVIEWER)
    ):
        return None
    previous = next((v for v in rows.versions if v.number == version.number - 1), None)
    if previous is None:
        return None
    key = changed_parts_key(previous, version)
    parts = cache_get(key)
    if parts is None:
        rows.load_content(previous, version)
        parts = changed_parts(previous, version)
        cache_set(key, parts)
    return {"old": previous.number, "new": version.number, **parts}


def _page_model_deviation(rows: _PageRows, version: AgreementVersion | None) -> ModelDeviation | None:
    """Where the shown version differs from the model it started from; a frozen version's answer never changes."""
    if version is None or version.started_from_id is None:
        return None
    key = (
        # Per language: the section titles in it are translated.
        f"model-deviation:{get_language()}:{version.content_hash}:{version.started_from_id}"
        if version.is_frozen and version.content_hash
        else None
    )
    deviation = cache_get(key)
    if deviation is None:
        rows.load_content(version)
        model = ModelAgreement.objects.select_related("owner").get(pk=version.started_from_id)
        deviation = model_deviation(version, model)
        cache_set(key, deviation)
    return deviation


# Around its evaluation date, and once it has ended, the page asks the parties what they learnt.
LESSON_PROMPT_DAYS = 30


def _lesson_prompt(agreement: Agreement) -> bool:
    if agreement.state == AgreementState.EXPIRED:
        return True
    if agreement.state != AgreementState.SIGNED or agreement.evaluation_date is None:
        return False
    return agreement.evaluation_date - dt.timedelta(days=LESSON_PROMPT_DAYS) <= timezone.localdate()


def agreement_page(user: User, agreement: Agreement) -> dict:
    """Everything the agreement page shows, each thing read once (docs/architecture.md, "The agreement page").

    ``agreement`` comes from the visibility selector (``agreement_get_for``) with its parties.
    """
    rows = _PageRows(user, agreement)
    version = rows.latest
    changed_since = _page_changed_since(rows)
    content = content_html(agreement, version, load=lambda: rows.load_content(version))
    if agreement.state == AgreementState.DRAFT and may(user, Action.SUBMIT, agreement):
        rows.load_content(version)  # what is still missing before submitting is read from the draft's content
    actions = available_actions(user, agreement)
    advisors, advisor_candidates = rows.advisors(may_grant=Action.GRANT_ADVISOR in actions["actions"])
    threads = rows.threads
    signed_here = rows.frozen.signatures.all() if rows.frozen else []
    return {
        "agreement": agreement,
        "version": version,
        "sections": [{"key": d.key, "title": d.title, "guidance": d.guidance} for d in SECTION_DEFINITIONS],
        "content": content,
        "threads": comment_threads(user, agreement, threads),
        "advisory_threads": advisory_threads(user, agreement, threads),
        # Advisors who read along comment (as advice), but resolve nothing and ask for no previews.
        "party_member": is_party_member(user, agreement),
        "timeline": _timeline(rows),
        "sent_back": changes_requested_panel(user, agreement, events=rows.events, threads=threads),
        "changed_since": changed_since,
        "model_deviation": _page_model_deviation(rows, version),
        "sharing": sharing_state(user, agreement) if agreement.state in SIGNED_STATES else None,
        # Commitments live beside a signed agreement (workflow/after_signing/); the panel links there, no query.
        "after_signing": agreement.state in SIGNED_STATES,
        "lesson_party": may_record_lesson(user, agreement),
        "lesson_prompt": _lesson_prompt(agreement),
        "signing": _page_signing(rows),
        "void_signatures": sorted(
            (s for s in rows.signatures if s.is_void), key=lambda s: (s.voided_at, s.signed_at, s.pk)
        ),
        "own_signature": next((s for s in signed_here if not s.is_void and s.signer_id == user.pk), None),
        "frozen_versions": rows.frozen_versions,
        "advisors": advisors,
        "advisor_candidates": advisor_candidates,
        "open_amendment": open_amendment(agreement),
        "amendments": rows.amendments,
        "roles_here": roles_here(user, agreement),
        **actions,
    }


def _timeline(rows: _PageRows) -> list[dict]:
    return timeline(rows.events, voided=voided_counts_of(rows.signatures))
