"""Reads for the home page: the person's agreements by state, and what waits on them.

A fixed number of queries whatever the number of agreements: the
agreements come from the visibility selector, with what the waiting list
needs (open comments, signatures so far) annotated in the same query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from agreements.choices import AgreementState, MembershipRole
from agreements.models import Agreement, AgreementVersion, Comment, Membership, Signature, User

from .selectors import agreement_list_for

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


@dataclass(frozen=True)
class WaitingItem:
    agreement: Agreement
    kind: str
    due_date: dt.date | None
    open_comments: int = 0

    @property
    def overdue(self) -> bool:
        return self.due_date is not None and self.due_date < timezone.localdate()


@dataclass(frozen=True)
class StateGroup:
    state: str
    label: str
    agreements: list[Agreement]


def _days(name: str, default: int) -> int:
    """The reminder policy's number of days: a reminder goes out then, so that is when it is due."""
    return int(getattr(settings, "REMINDERS", {}).get(name, default))


def home_agreements_for(user: User) -> list[StateGroup]:
    """The person's agreements grouped by state (empty groups left out), in STATE_ORDER. One query."""
    by_state: dict[str, list[Agreement]] = {}
    for agreement in agreement_list_for(user):
        by_state.setdefault(agreement.state, []).append(agreement)
    return [
        StateGroup(state=state, label=str(AgreementState(state).label), agreements=by_state[state])
        for state in STATE_ORDER
        if state in by_state
    ]


def waiting_items_for(user: User, *, today: dt.date | None = None) -> list[WaitingItem]:
    """What waits on this person, most urgent first (overdue, then by due date, then oldest).

    - review: agreements in review at a municipality where the person is reviewer;
    - answer comments: drafts and agreements in review of an initiative where the
      person drafts, with open comments by others in the current round;
    - revise: drafts of such an initiative that came back (changes requested or
      reopened) and have no open comments left: edit and submit again;
    - sign: approved agreements of a party where the person is a signatory with
      a current mandate, who has not signed yet, while the party still needs signatures.

    Three queries: the person's memberships, then the agreements with their
    counts annotated.
    """
    today = today or timezone.localdate()
    memberships = list(Membership.objects.filter(user=user).values_list("organisation_id", "role", "mandate_until"))
    reviewer_of = {org for org, role, _m in memberships if role == MembershipRole.REVIEWER}
    drafter_of = {org for org, role, _m in memberships if role == MembershipRole.DRAFTER}
    signatory_of = {
        org
        for org, role, mandate_until in memberships
        if role == MembershipRole.SIGNATORY and (mandate_until is None or mandate_until >= today)
    }
    conditions = Q(pk__in=[])
    if reviewer_of:
        conditions |= Q(state=AgreementState.IN_REVIEW, municipality_id__in=reviewer_of)
    if drafter_of:
        conditions |= Q(state__in=[AgreementState.DRAFT, AgreementState.IN_REVIEW], initiative_id__in=drafter_of)
    if signatory_of:
        conditions |= Q(state=AgreementState.APPROVED) & (
            Q(initiative_id__in=signatory_of) | Q(municipality_id__in=signatory_of)
        )
    if not (reviewer_of or drafter_of or signatory_of):
        return []

    # Only the comments of the current round count: on the version being edited
    # or reviewed, and on the one before it (whose review asked for the changes).
    latest_number = AgreementVersion.objects.filter(agreement=OuterRef("pk")).order_by("-number").values("number")[:1]
    open_comments = (
        Comment.objects.filter(
            version__agreement=OuterRef("pk"),
            version__number__gte=OuterRef("latest_number") - 1,
            resolved_at__isnull=True,
        )
        .exclude(author=user)
        .order_by()
        .values("version__agreement")
        .annotate(n=Count("pk"))
        .values("n")
    )

    agreements = (
        agreement_list_for(user)
        .filter(conditions)
        .annotate(latest_number=Subquery(latest_number))
        .annotate(
            open_comments=Coalesce(Subquery(open_comments, output_field=IntegerField()), 0),
            came_back=Exists(AgreementVersion.objects.filter(agreement=OuterRef("pk"), frozen_at__isnull=False)),
        )
    )

    agreements = list(agreements)
    signers, active_signatories = _signing_state(
        [a for a in agreements if a.state == AgreementState.APPROVED], today=today
    )

    review_days = _days("review_after_days", 7)
    sign_days = _days("signature_after_days", 7)
    items: list[WaitingItem] = []
    for agreement in agreements:
        if agreement.state == AgreementState.IN_REVIEW and agreement.municipality_id in reviewer_of:
            due = agreement.review_due_date or _plus_days(agreement.submitted_at, review_days)
            items.append(WaitingItem(agreement=agreement, kind=WaitingKind.REVIEW, due_date=due))
        if (
            agreement.state in (AgreementState.DRAFT, AgreementState.IN_REVIEW)
            and agreement.initiative_id in drafter_of
            and agreement.open_comments
        ):
            due = agreement.review_due_date if agreement.state == AgreementState.IN_REVIEW else None
            items.append(
                WaitingItem(
                    agreement=agreement,
                    kind=WaitingKind.ANSWER_COMMENTS,
                    due_date=due,
                    open_comments=agreement.open_comments,
                )
            )
        elif agreement.state == AgreementState.DRAFT and agreement.initiative_id in drafter_of and agreement.came_back:
            items.append(WaitingItem(agreement=agreement, kind=WaitingKind.REVISE, due_date=None))
        if agreement.state == AgreementState.APPROVED:
            signed = signers.get(agreement.pk, {})
            if user.pk in set().union(*signed.values()):
                continue
            for party in agreement.parties:
                if party.pk not in signatory_of:
                    continue
                complete, _second_pair = agreement.quorum_met(
                    party,
                    signer_ids=signed.get(party.pk, set()),
                    active_signatories=lambda party=party: active_signatories.get(party.pk, 0),
                )
                if not complete:
                    due = _plus_days(agreement.approved_at, sign_days)
                    items.append(WaitingItem(agreement=agreement, kind=WaitingKind.SIGN, due_date=due))
                    break

    far_future = dt.date.max
    items.sort(key=lambda i: (i.due_date or far_future, i.agreement.state_changed_at, i.agreement.pk))
    return items


def _signing_state(approved: list[Agreement], *, today: dt.date) -> tuple[dict, dict[int, int]]:
    """Who signed which approved agreement for which party, and each municipality's active signatories.

    Two queries for all the agreements together (none when there are none):
    the signing rule itself is Agreement.quorum_met, with these as its inputs.
    """
    if not approved:
        return {}, {}
    signers: dict[int, dict[int, set[int]]] = {}
    rows = Signature.objects.filter(version__agreement__in=[a.pk for a in approved]).values_list(
        "version__agreement_id", "party_id", "signer_id"
    )
    for agreement_id, party_id, signer_id in rows:
        signers.setdefault(agreement_id, {}).setdefault(party_id, set()).add(signer_id)
    counts = (
        Membership.objects.filter(
            organisation_id__in={a.municipality_id for a in approved}, role=MembershipRole.SIGNATORY
        )
        .filter(Q(mandate_until__isnull=True) | Q(mandate_until__gte=today))
        .values("organisation_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("organisation_id", "n")
    )
    return signers, dict(counts)


def _plus_days(moment: dt.datetime | None, days: int) -> dt.date | None:
    if moment is None:
        return None
    return timezone.localtime(moment).date() + dt.timedelta(days=days)
