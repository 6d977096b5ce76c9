"""Reads for the home page: the person's agreements by state, and what waits on them.

A fixed number of queries whatever the number of agreements: the
agreements come from the visibility selector, with what the waiting list
needs (open comments, signatures so far) annotated in the same query.

What grows with the number of agreements a person sees (which rows head each state group and how many
each has, the tasks that wait on them) is kept in the shared cache per person, under the tokens of their
organisations and of everyone (core/figures.py): any change to an agreement they see, to a membership,
an organisation or a reminder policy computes it again, and so does a new day. A page then reads only
the agreements it shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from agreements.choices import AgreementState, MembershipRole
from agreements.models import (
    Agreement,
    AgreementVersion,
    Comment,
    Membership,
    Neighbourhood,
    Signature,
    User,
    current_mandate,
    party_comments,
    quorum_rule,
)
from workflow.after_signing.selectors.commitments import waiting_commitments_for
from workflow.after_signing.selectors.evaluations import waiting_evaluations_for
from workflow.core.figures import cached_figure, person_figure_key
from workflow.core.visibility import agreement_list_for, visible_agreements
from workflow.notifications.policy import Policies

# The order of the groups on the home page: what can still move first.
STATE_ORDER = (
    AgreementState.IN_REVIEW,
    AgreementState.DRAFT,
    AgreementState.APPROVED,
    AgreementState.SIGNED,
    AgreementState.EXPIRED,
    AgreementState.SUPERSEDED,
    AgreementState.WITHDRAWN,
)


class WaitingKind:
    REVIEW = "review"
    ANSWER_COMMENTS = "answer_comments"
    REVISE = "revise"
    SIGN = "sign"
    # After signing (workflow/after_signing/): tasks past their date, decision moments whose date came.
    UPDATE_COMMITMENTS = "update_commitments"
    RECORD_DECISIONS = "record_decisions"
    ANSWER_EVALUATION = "answer_evaluation"


@dataclass(frozen=True)
class WaitingItem:
    agreement: Agreement
    kind: str
    due_date: dt.date | None
    # How many wait: open comments (ANSWER_COMMENTS), commitments (UPDATE_COMMITMENTS), decisions (RECORD_DECISIONS).
    count: int = 0

    @property
    def overdue(self) -> bool:
        return self.due_date is not None and self.due_date < timezone.localdate()


@dataclass(frozen=True)
class StateGroup:
    state: str
    label: str
    agreements: list[Agreement]
    # All the person's agreements in this state (that match the search), not only the rows shown.
    count: int = 0


# A search term longer than this is not a title, reference or neighbourhood anyone typed.
SEARCH_MAX = 200
# The home page without a search shows this many rows of each state group, with a link to the rest.
GROUP_ROWS = 5
# A searched or filtered list, and the full waiting list, show this many rows a page.
PAGE_SIZE = 25

_NEWEST_FIRST = (F("state_changed_at").desc(), F("pk").desc())


def _searched(user: User, *, search: str, state: str) -> QuerySet[Agreement]:
    """The visible agreements that match the search and the state (an unknown state keeps none)."""
    agreements = agreement_list_for(user, state=state or None)
    search = search.strip()[:SEARCH_MAX]
    if search:
        in_neighbourhood = Neighbourhood.objects.filter(agreement=OuterRef("pk")).filter(
            Q(name__icontains=search) | Q(cbs_code__icontains=search)
        )
        agreements = agreements.filter(
            Q(title__icontains=search) | Q(reference__icontains=search) | Q(Exists(in_neighbourhood))
        )
    return agreements


def _with_state_count(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """Each row carries how many rows of its state the whole query has (a window: before any LIMIT)."""
    return agreements.annotate(in_state=Window(Count("pk"), partition_by=[F("state")]))


def _groups(rows) -> list[StateGroup]:
    by_state: dict[str, list[Agreement]] = {}
    for agreement in rows:
        by_state.setdefault(agreement.state, []).append(agreement)
    return [
        StateGroup(
            state=state,
            label=str(AgreementState(state).label),
            agreements=by_state[state],
            count=by_state[state][0].in_state,
        )
        for state in STATE_ORDER
        if state in by_state
    ]


def home_agreements_for(user: User, *, rows: int = GROUP_ROWS) -> list[StateGroup]:
    """The first ``rows`` of each state of the person's agreements (empty groups left out), in
    STATE_ORDER, newest first; each group's ``count`` is all of its agreements.

    Which rows and how many per state come from the shared cache (``core/figures.py person_figure_key``);
    computed, the windows run over narrow rows (id, state, moment), so sorting every visible agreement stays
    cheap. Then the rows shown are read whole, and their neighbourhoods: two queries with the cache, three
    without.
    """
    first = cached_figure(
        "home-groups",
        key=person_figure_key(user),
        parts=(rows,),
        compute=lambda: dict(
            _with_state_count(visible_agreements(user))
            .annotate(row=Window(RowNumber(), partition_by=[F("state")], order_by=_NEWEST_FIRST))
            .filter(row__lte=rows)
            .values_list("pk", "in_state")
        ),
    )
    shown = list(agreement_list_for(user).filter(pk__in=list(first)).prefetch_related("neighbourhoods"))
    for agreement in shown:
        agreement.in_state = first[agreement.pk]
    return _groups(shown)


@dataclass(frozen=True)
class AgreementPage:
    """One page of a searched or filtered list: the paginator's page, its rows grouped by state."""

    page: Page
    groups: list[StateGroup]


def home_agreement_page_for(
    user: User, *, search: str = "", state: str = "", page: str | int | None = None
) -> AgreementPage:
    """A page of PAGE_SIZE agreements that match, in STATE_ORDER and newest first within a state.

    A page number out of range gives the last page, one that is no number the first (Paginator.get_page).
    Three queries whatever the number of agreements: the count, the page's rows (each with its
    group's count over all the pages), and their neighbourhoods.
    """
    state_rank = Case(
        *(When(state=s, then=Value(i)) for i, s in enumerate(STATE_ORDER)),
        default=Value(len(STATE_ORDER)),
        output_field=IntegerField(),
    )
    agreements = (
        _with_state_count(_searched(user, search=search, state=state))
        .annotate(state_rank=state_rank)
        .order_by("state_rank", *_NEWEST_FIRST)
        .prefetch_related("neighbourhoods")
    )
    current = Paginator(agreements, PAGE_SIZE).get_page(page)
    return AgreementPage(page=current, groups=_groups(current.object_list))


@dataclass(frozen=True)
class _Roles:
    """The organisations where the person reviews, drafts, and signs with a current mandate."""

    reviewer_of: frozenset[int]
    drafter_of: frozenset[int]
    signatory_of: frozenset[int]


def _roles_of(user: User, *, today: dt.date) -> _Roles:
    memberships = list(
        Membership.objects.filter(user=user)
        .annotate(mandated=ExpressionWrapper(current_mandate(today), output_field=BooleanField()))
        .values_list("organisation_id", "role", "mandated")
    )
    return _Roles(
        reviewer_of=frozenset(org for org, role, _m in memberships if role == MembershipRole.REVIEWER),
        drafter_of=frozenset(org for org, role, _m in memberships if role == MembershipRole.DRAFTER),
        signatory_of=frozenset(
            org for org, role, mandated in memberships if role == MembershipRole.SIGNATORY and mandated
        ),
    )


# What the waiting list needs of each agreement that may wait: read as plain values, not models, so
# a reviewer with hundreds of agreements in review costs a tuple each; only the page's rows become models.
_WAIT_FIELDS = (
    "pk",
    "state",
    "initiative_id",
    "municipality_id",
    "review_due_date",
    "submitted_at",
    "state_changed_at",
)


def _open_comment_counts(user: User, roles: _Roles) -> dict[int, int]:
    """For the drafts and agreements in review of the initiatives the person drafts for: the open comments by
    others in the current round, per agreement (those without any are left out).

    Only the comments of the current round count: on the version being edited or reviewed, and on the one
    before it (whose review asked for the changes). Advisory notes wait for nobody (party_comments). Read
    from the open comments, so it costs what there is to answer, not how many agreements there are.
    """
    if not roles.drafter_of:
        return {}
    latest_number = (
        AgreementVersion.objects.filter(agreement=OuterRef("version__agreement"))
        .order_by("-number")
        .values("number")[:1]
    )
    rows = (
        Comment.objects.filter(
            party_comments(),
            resolved_at__isnull=True,
            version__agreement__initiative_id__in=roles.drafter_of,
            version__agreement__state__in=[AgreementState.DRAFT, AgreementState.IN_REVIEW],
        )
        .exclude(author=user)
        .annotate(latest_number=Subquery(latest_number))
        .filter(version__number__gte=F("latest_number") - 1)
        .order_by()
        .values("version__agreement")
        .annotate(n=Count("pk"))
        .values_list("version__agreement", "n")
    )
    return dict(rows)


def _agreements_that_may_wait(user: User, roles: _Roles, *, open_comments: dict[int, int]) -> QuerySet[Agreement]:
    """The agreements where one of the person's roles is asked now (for a signatory: could be; the signing
    rule decides). A draft came back when it was submitted before (changes requested, reopened, declined):
    only submitting sets ``submitted_at``, and nothing clears it."""
    conditions = Q(pk__in=[])
    if roles.reviewer_of:
        conditions |= Q(state=AgreementState.IN_REVIEW, municipality_id__in=roles.reviewer_of)
    if roles.drafter_of:
        conditions |= Q(initiative_id__in=roles.drafter_of) & (
            Q(state=AgreementState.DRAFT, submitted_at__isnull=False) | Q(pk__in=list(open_comments))
        )
    if roles.signatory_of:
        conditions |= Q(state=AgreementState.APPROVED) & (
            Q(initiative_id__in=roles.signatory_of) | Q(municipality_id__in=roles.signatory_of)
        )
    return visible_agreements(user).filter(conditions).order_by()  # read as values: no joins or order needed


@dataclass(frozen=True)
class _Task:
    """One waiting task before its agreement is read: what sorting and counting need."""

    agreement_id: int
    kind: str
    due_date: dt.date | None
    state_changed_at: dt.datetime
    count: int = 0

    def sort_key(self) -> tuple:
        return (self.due_date or dt.date.max, self.state_changed_at, self.agreement_id)


def _drafting_tasks(row: dict, roles: _Roles, policies: Policies, *, open_comments: int) -> list[_Task]:
    """Review for a reviewer; answering comments or revising for a drafter."""
    tasks = []
    common = {"agreement_id": row["pk"], "state_changed_at": row["state_changed_at"]}
    if row["state"] == AgreementState.IN_REVIEW and row["municipality_id"] in roles.reviewer_of:
        review_days = policies.for_municipality(row["municipality_id"]).review_after_days
        due = row["review_due_date"] or _plus_days(row["submitted_at"], review_days)
        tasks.append(_Task(kind=WaitingKind.REVIEW, due_date=due, **common))
    if row["initiative_id"] not in roles.drafter_of:
        return tasks
    if row["state"] in (AgreementState.DRAFT, AgreementState.IN_REVIEW) and open_comments:
        due = row["review_due_date"] if row["state"] == AgreementState.IN_REVIEW else None
        tasks.append(_Task(kind=WaitingKind.ANSWER_COMMENTS, due_date=due, count=open_comments, **common))
    elif row["state"] == AgreementState.DRAFT and row["submitted_at"] is not None:  # it came back
        tasks.append(_Task(kind=WaitingKind.REVISE, due_date=None, **common))
    return tasks


# What the signing rule needs of an approved agreement and its parties, read as values too.
_SIGN_FIELDS = (
    "pk",
    "initiative_id",
    "municipality_id",
    "approved_at",
    "approved_by_id",
    "state_changed_at",
    "initiative__signing_quorum",
    "municipality__signing_quorum",
    "municipality__four_eyes_signing",
)


def _signing_task(
    user: User, row: dict, roles: _Roles, policies: Policies, *, signed: dict, active_signatories: dict
) -> _Task | None:
    """Sign, while this person has not signed and a party they sign for is not complete (``quorum_rule``,
    the rule of Agreement.quorum_met_by_count on plain values)."""
    if user.pk in set().union(*signed.values()):
        return None
    parties = (
        (row["initiative_id"], row["initiative__signing_quorum"], False),
        (row["municipality_id"], row["municipality__signing_quorum"], row["municipality__four_eyes_signing"]),
    )
    for party_id, signing_quorum, four_eyes in parties:
        if party_id not in roles.signatory_of:
            continue
        signer_ids = signed.get(party_id, set())
        complete, _second_pair = quorum_rule(
            signing_quorum=signing_quorum,
            four_eyes=four_eyes,
            signed=len(signer_ids),
            only_the_approver_signed=row["approved_by_id"] is not None and signer_ids == {row["approved_by_id"]},
            active_signatories=lambda party_id=party_id: active_signatories.get(party_id, 0),
        )
        if not complete:
            sign_days = policies.for_municipality(row["municipality_id"]).signature_after_days
            return _Task(
                agreement_id=row["pk"],
                kind=WaitingKind.SIGN,
                due_date=_plus_days(row["approved_at"], sign_days),
                state_changed_at=row["state_changed_at"],
            )
    return None


class WaitingList(Sequence):
    """The tasks that wait on a person, most urgent first; a slice reads its agreements in one query.

    Counting and sorting need no agreement models, so "Wacht op u" (the first few and the count)
    and a page of "/wacht-op-u/" read only the agreements they show. Works with Paginator.
    """

    def __init__(self, user: User, tasks: list[_Task]) -> None:
        self._user = user
        self._tasks = sorted(tasks, key=_Task.sort_key)  # Timsort: a list the cache kept sorted costs one pass

    def __len__(self) -> int:
        return len(self._tasks)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._items(self._tasks[index])
        return self._items([self._tasks[index]])[0]

    def _items(self, tasks: list[_Task]) -> list[WaitingItem]:
        if not tasks:
            return []
        agreements = agreement_list_for(self._user).in_bulk([task.agreement_id for task in tasks])
        return [
            WaitingItem(
                agreement=agreements[task.agreement_id],
                kind=task.kind,
                due_date=task.due_date,
                count=task.count,
            )
            for task in tasks
            if task.agreement_id in agreements
        ]


def waiting_for(user: User, *, today: dt.date | None = None) -> WaitingList:
    """What waits on this person, most urgent first (overdue, then by due date, then oldest).

    - review: agreements in review at a municipality where the person is reviewer;
    - answer comments: drafts and agreements in review of an initiative where the
      person drafts, with open comments by others in the current round (the
      parties' comments: advisory notes wait for nobody);
    - revise: drafts of such an initiative that came back (changes requested or
      reopened) and have no open comments left: edit and submit again;
    - sign: approved agreements of a party where the person is a signatory with
      a current mandate, who has not signed yet, while the party still needs signatures;
    - after signing, for any member of the party that keeps them: tasks past their planned date, and
      decision moments whose date has come without an outcome (``after_signing.selectors.commitments``); and for
      a member of either party an open joint evaluation its party has not answered yet.

    The tasks come from the shared cache (``core/figures.py person_figure_key``); computed, a fixed number of
    queries: the memberships, for drafters the open comments per agreement, the agreements that wait (as values; for
    signatories the approved ones with their parties' signing settings in one more), the reminder policies,
    for signatories the signatures and the signatories' count. Then one for the agreements of each slice read.
    """
    today = today or timezone.localdate()
    return WaitingList(user, _cached_tasks(user, today=today))


def waiting_head_for(user: User, *, rows: int, today: dt.date | None = None) -> tuple[list[WaitingItem], int]:
    """The ``rows`` most urgent tasks (with their agreements) and how many there are in all: what the home page
    shows. Kept in the cache on their own, so a signatory with a thousand approved agreements to sign does not
    read the whole list back on every view."""
    today = today or timezone.localdate()

    def head() -> tuple[list[_Task], int]:
        tasks = _cached_tasks(user, today=today)
        return tasks[:rows], len(tasks)

    first, count = cached_figure("home-waiting-head", key=person_figure_key(user), parts=(today, rows), compute=head)
    return WaitingList(user, first)[:], count


def _cached_tasks(user: User, *, today: dt.date) -> list[_Task]:
    """Every task that waits on the person, most urgent first, from the cache (``person_figure_key``)."""
    return cached_figure(
        "home-waiting",
        key=person_figure_key(user),
        parts=(today,),
        compute=lambda: sorted(_waiting_tasks(user, today=today), key=_Task.sort_key),
    )


def _waiting_tasks(user: User, *, today: dt.date) -> list[_Task]:
    roles = _roles_of(user, today=today)
    after_signing = _after_signing_tasks(user, today=today)
    if not (roles.reviewer_of or roles.drafter_of or roles.signatory_of):
        return after_signing
    open_comments = _open_comment_counts(user, roles)
    candidates = _agreements_that_may_wait(user, roles, open_comments=open_comments)
    rows = list(candidates.exclude(state=AgreementState.APPROVED).values(*_WAIT_FIELDS))
    approved = (
        list(candidates.filter(state=AgreementState.APPROVED).values(*_SIGN_FIELDS)) if roles.signatory_of else []
    )
    if not rows and not approved:
        return after_signing
    signers, active_signatories = _signing_state(approved, today=today)
    # A reminder goes out after the policy's number of days, so that is when a step is due;
    # each municipality's own policy counts, as for the reminders themselves.
    policies = Policies()
    tasks: list[_Task] = []
    for row in rows:
        tasks += _drafting_tasks(row, roles, policies, open_comments=open_comments.get(row["pk"], 0))
    for row in approved:
        task = _signing_task(
            user,
            row,
            roles,
            policies,
            signed=signers.get(row["pk"], {}),
            active_signatories=active_signatories,
        )
        if task is not None:
            tasks.append(task)
    return tasks + after_signing


def _after_signing_tasks(user: User, *, today: dt.date) -> list[_Task]:
    """After signing, per agreement: the tasks past their date and the decision moments to record (one query), and
    an open joint evaluation the person's party has not answered (one query)."""
    tasks = [
        _Task(
            agreement_id=waiting.agreement_id,
            state_changed_at=waiting.state_changed_at,
            kind=WaitingKind.ANSWER_EVALUATION,
            due_date=None,
        )
        for waiting in waiting_evaluations_for(user)
    ]
    for waiting in waiting_commitments_for(user, today=today):
        common = {"agreement_id": waiting.agreement_id, "state_changed_at": waiting.state_changed_at}
        if waiting.decisions:
            tasks.append(
                _Task(
                    kind=WaitingKind.RECORD_DECISIONS,
                    due_date=waiting.earliest_decision,
                    count=waiting.decisions,
                    **common,
                )
            )
        if waiting.tasks:
            tasks.append(
                _Task(
                    kind=WaitingKind.UPDATE_COMMITMENTS, due_date=waiting.earliest_task, count=waiting.tasks, **common
                )
            )
    return tasks


def waiting_items_for(user: User, *, today: dt.date | None = None) -> list[WaitingItem]:
    """Every task that waits on the person, with its agreement, computed now rather than taken from the cache:
    what ``waiting_for`` holds after the next change."""
    return WaitingList(user, _waiting_tasks(user, today=today or timezone.localdate()))[:]


def _signing_state(approved: list[dict], *, today: dt.date) -> tuple[dict, dict[int, int]]:
    """Who signed which approved agreement for which party, and each municipality's active signatories.

    Two queries for all the agreements together (none when there are none):
    the signing rule itself is Agreement.quorum_met, with these as its inputs.
    """
    if not approved:
        return {}, {}
    signers: dict[int, dict[int, set[int]]] = {}
    rows = (
        Signature.objects.in_force()
        .filter(version__agreement__in=[row["pk"] for row in approved])
        .values_list("version__agreement_id", "party_id", "signer_id")
    )
    for agreement_id, party_id, signer_id in rows:
        signers.setdefault(agreement_id, {}).setdefault(party_id, set()).add(signer_id)
    counts = (
        Membership.objects.filter(
            organisation_id__in={row["municipality_id"] for row in approved}, role=MembershipRole.SIGNATORY
        )
        .filter(current_mandate(today))
        .values("organisation_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("organisation_id", "n")
    )
    return signers, dict(counts)


def _plus_days(moment: dt.datetime | None, days: int) -> dt.date | None:
    if moment is None:
        return None
    return timezone.localtime(moment).date() + dt.timedelta(days=days)
