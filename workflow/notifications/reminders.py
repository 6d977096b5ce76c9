"""The reminder policy: what is overdue or near, who is reminded, and at most once per period.

Eight kinds: a review waiting longer than N days, a signature waiting longer
than N days, an evaluation date within N days, the end of validity within N
days, and for a signed agreement's decision moments (``Commitment`` rows) a date
within N days, and a date passed without a recorded outcome; and a joint evaluation one party
answered and the other not; an escalation step whose time ran out. The defaults
live in ``settings.REMINDERS``; a municipality can
override each value (ReminderPolicy, in the admin). Selecting what is due
is a handful of queries whatever the number of agreements: one per kind for
the agreements, one for the people, one for what was already sent.

A reminder goes out at most once per (agreement, kind, recipient, period) --
a database constraint on SentReminder holds that even when two runs race --
and never once the person acted: the review reminder stops when the
agreement leaves review, the signature reminder when this person (or
enough of their party) signed, the expiry reminder once an amendment is
under way."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import (
    OPEN_COMMITMENT_STATUSES,
    OPEN_STATES,
    AgreementState,
    CommitmentKind,
    EscalationStatus,
    MembershipRole,
    ResponsibleParty,
)
from agreements.models import (
    Agreement,
    Commitment,
    Escalation,
    EvaluationResponse,
    Membership,
    Signature,
    User,
    current_mandate,
)
from workflow.models import ReminderKind, SentReminder
from workflow.notifications.outbox import create_reminder_notification, queue_delivery
from workflow.notifications.policy import Policies, Policy
from workflow.webhooks.events import REMINDER_DUE
from workflow.webhooks.outbox import webhook_deliveries_record

logger = logging.getLogger(__name__)


@dataclass
class DueReminder:
    agreement: Agreement
    kind: str
    recipient: User
    period: str
    reason: str
    context: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str, int, str]:
        return (self.agreement.pk, self.kind, self.recipient.pk, self.period)


def _period(anchor: dt.date, index: int) -> str:
    return f"{anchor.isoformat()}/{index}"


def _people_by_organisation(org_ids: set[int], role: str, today: dt.date) -> dict[int, list[User]]:
    memberships = Membership.objects.filter(organisation_id__in=org_ids, role=role, user__is_active=True)
    if role == MembershipRole.SIGNATORY:
        memberships = memberships.filter(current_mandate(today))
    people: dict[int, list[User]] = defaultdict(list)
    for membership in memberships.select_related("user").order_by("user_id"):
        people[membership.organisation_id].append(membership.user)
    return people


def _keepers(agreements: list[Agreement], today: dt.date) -> tuple[dict[int, list[User]], dict[int, list[User]]]:
    """The people who keep these agreements: the initiatives' drafters and the municipalities' reviewers, by
    organisation id (two queries)."""
    drafters = _people_by_organisation({a.initiative_id for a in agreements}, MembershipRole.DRAFTER, today)
    reviewers = _people_by_organisation({a.municipality_id for a in agreements}, MembershipRole.REVIEWER, today)
    return drafters, reviewers


def _due_reviews(policies: Policies, now: dt.datetime, today: dt.date) -> list[DueReminder]:
    agreements = list(
        Agreement.objects.filter(state=AgreementState.IN_REVIEW)
        .filter(policies.condition(lambda p: Q(state_changed_at__lte=now - dt.timedelta(days=p.review_after_days))))
        .select_related("initiative", "municipality")
    )
    reviewers = _people_by_organisation({a.municipality_id for a in agreements}, MembershipRole.REVIEWER, today)
    due = []
    for a in agreements:
        policy = policies.for_municipality(a.municipality_id)
        waited = (now - a.state_changed_at).days
        period = _period(
            timezone.localtime(a.state_changed_at).date(), (waited - policy.review_after_days) // policy.period_days
        )
        for person in reviewers.get(a.municipality_id, []):
            reason = _("wacht %(days)s dagen op beoordeling") % {"days": waited}
            due.append(DueReminder(a, ReminderKind.REVIEW, person, period, reason, {"days": waited}))
    return due


def _due_signatures(policies: Policies, now: dt.datetime, today: dt.date) -> list[DueReminder]:
    agreements = list(
        Agreement.objects.filter(state=AgreementState.APPROVED)
        .filter(policies.condition(lambda p: Q(state_changed_at__lte=now - dt.timedelta(days=p.signature_after_days))))
        .select_related("initiative", "municipality")
    )
    if not agreements:
        return []
    # While approved, the only signatures in force an agreement has are on its
    # approved version: reopening declares them void.
    signed: dict[tuple[int, int], set[int]] = defaultdict(set)
    for agreement_id, party_id, signer_id in (
        Signature.objects.in_force()
        .filter(version__agreement_id__in=[a.pk for a in agreements])
        .values_list("version__agreement_id", "party_id", "signer_id")
    ):
        signed[(agreement_id, party_id)].add(signer_id)
    party_ids = {a.initiative_id for a in agreements} | {a.municipality_id for a in agreements}
    signatories = _people_by_organisation(party_ids, MembershipRole.SIGNATORY, today)
    due = []
    for a in agreements:
        policy = policies.for_municipality(a.municipality_id)
        waited = (now - a.state_changed_at).days
        period = _period(
            timezone.localtime(a.state_changed_at).date(), (waited - policy.signature_after_days) // policy.period_days
        )
        for party in a.parties:
            signer_ids = signed[(a.pk, party.pk)]
            people = signatories.get(party.pk, [])
            complete, _needs_second_pair_of_eyes = a.quorum_met(
                party, signer_ids=signer_ids, active_signatories=lambda people=people: len(people)
            )
            if complete:
                continue
            for person in people:
                if person.pk in signer_ids:
                    continue  # this person acted
                reason = _("wacht %(days)s dagen op de handtekening voor %(party)s") % {
                    "days": waited,
                    "party": party.name,
                }
                due.append(DueReminder(a, ReminderKind.SIGNATURE, person, period, reason, {"days": waited}))
    return due


def _due_by_date(
    policies: Policies, today: dt.date, *, kind: str, date_field: str, window: str, extra: Q | None = None
) -> list[DueReminder]:
    """Signed agreements whose ``date_field`` lies within the policy's window from today."""

    def within(policy: Policy) -> Q:
        days = getattr(policy, window)
        return Q(**{f"{date_field}__gte": today, f"{date_field}__lte": today + dt.timedelta(days=days)})

    query = Agreement.objects.filter(state=AgreementState.SIGNED).filter(policies.condition(within))
    if extra is not None:
        query = query.filter(extra)
    agreements = list(query.select_related("initiative", "municipality"))
    drafters, reviewers = _keepers(agreements, today)
    due = []
    for a in agreements:
        policy = policies.for_municipality(a.municipality_id)
        date = getattr(a, date_field)
        days_left = (date - today).days
        period = _period(date, (getattr(policy, window) - days_left) // policy.period_days)
        if kind == ReminderKind.EVALUATION:
            reason = _("evaluatie op %(date)s, over %(days)s dagen") % {"date": date.isoformat(), "days": days_left}
        else:
            reason = _("geldig tot en met %(date)s, nog %(days)s dagen") % {"date": date.isoformat(), "days": days_left}
        seen: set[int] = set()
        for person in drafters.get(a.initiative_id, []) + reviewers.get(a.municipality_id, []):
            if person.pk in seen:
                continue
            seen.add(person.pk)
            due.append(DueReminder(a, kind, person, period, reason, {"days": days_left, "date": date.isoformat()}))
    return due


def _due_decisions(policies: Policies, today: dt.date) -> list[DueReminder]:
    """Open decision moments of signed agreements: from the policy's days before their date (once per date: a
    postponement to a new date reminds again), and after it while no outcome is recorded (once a period).

    The deciding party is reminded: its drafters for the initiative, its reviewers for the municipality (the
    people who keep the agreement; any member may record the outcome). Two queries and the people.
    """
    longest = max(
        [policies.default.decision_within_days, *(p.decision_within_days for p in policies.overrides.values())]
    )
    commitments = list(
        Commitment.objects.filter(
            kind=CommitmentKind.DECISION,
            status__in=OPEN_COMMITMENT_STATUSES,
            agreement__state=AgreementState.SIGNED,
            planned_date__lte=today + dt.timedelta(days=longest),
        )
        .select_related("agreement__initiative", "agreement__municipality")
        .order_by("pk")
    )
    if not commitments:
        return []
    agreements = [c.agreement for c in commitments]
    drafters, reviewers = _keepers(agreements, today)
    due = []
    for commitment in commitments:
        agreement = commitment.agreement
        policy = policies.for_municipality(agreement.municipality_id)
        if not policy.enabled:
            continue
        days_left = (commitment.planned_date - today).days
        if days_left > policy.decision_within_days:
            continue
        anchor = f"c{commitment.pk}/{commitment.planned_date.isoformat()}"
        if days_left >= 0:
            kind, period = ReminderKind.DECISION_DUE, anchor
            reason = _("besluitmoment op %(date)s, over %(days)s dagen") % {
                "date": commitment.planned_date.isoformat(),
                "days": days_left,
            }
        else:
            kind, period = ReminderKind.DECISION_OVERDUE, f"{anchor}/{(-days_left - 1) // policy.period_days}"
            reason = _("besluitmoment van %(date)s zonder uitkomst") % {"date": commitment.planned_date.isoformat()}
        people = []
        if commitment.responsible in (ResponsibleParty.INITIATIVE, ResponsibleParty.BOTH):
            people += drafters.get(agreement.initiative_id, [])
        if commitment.responsible in (ResponsibleParty.MUNICIPALITY, ResponsibleParty.BOTH):
            people += reviewers.get(agreement.municipality_id, [])
        context = {
            "days": abs(days_left),
            "date": commitment.planned_date.isoformat(),
            "decision": commitment.title,
            "path": f"/afspraken/{agreement.reference}/uitvoering/{commitment.pk}/",
        }
        seen: set[int] = set()
        for person in people:
            if person.pk not in seen:
                seen.add(person.pk)
                due.append(DueReminder(agreement, kind, person, period, reason, context))
    return due


def _due_evaluation_answers(policies: Policies, now: dt.datetime, today: dt.date) -> list[DueReminder]:
    """An open joint evaluation that one party answered and the other not: the other party is reminded, once a
    period counted from the first answer (its drafters for the initiative, its reviewers for the municipality)."""
    rows = list(
        EvaluationResponse.objects.filter(
            submitted_at__isnull=False,
            evaluation__completed_at__isnull=True,
            evaluation__agreement__state=AgreementState.SIGNED,
        )
        .select_related("evaluation__agreement__initiative", "evaluation__agreement__municipality")
        .order_by("pk")
    )
    if not rows:
        return []
    agreements = [r.evaluation.agreement for r in rows]
    drafters, reviewers = _keepers(agreements, today)
    due = []
    for response in rows:
        agreement = response.evaluation.agreement
        policy = policies.for_municipality(agreement.municipality_id)
        if not policy.enabled:
            continue
        waited = (now - response.submitted_at).days
        period = f"e{response.evaluation_id}/{waited // policy.period_days}"
        if response.party_id == agreement.initiative_id:
            people, answered = reviewers.get(agreement.municipality_id, []), agreement.initiative.name
        else:
            people, answered = drafters.get(agreement.initiative_id, []), agreement.municipality.name
        reason = _("%(party)s beantwoordde de evaluatie, uw organisatie nog niet") % {"party": answered}
        context = {
            "days": waited,
            "party": answered,
            "path": f"/afspraken/{agreement.reference}/evaluaties/{response.evaluation_id}/",
        }
        for person in people:
            due.append(DueReminder(agreement, ReminderKind.EVALUATION_ANSWER, person, period, reason, context))
    return due


def _due_escalation_steps(policies: Policies, today: dt.date) -> list[DueReminder]:
    """An open escalation whose current step's time ran out: both parties are reminded, once per step (their
    drafters and reviewers, the people who keep the agreement)."""
    escalations = [
        escalation
        for escalation in Escalation.objects.filter(
            status=EscalationStatus.OPEN, agreement__state=AgreementState.SIGNED
        ).select_related("agreement__initiative", "agreement__municipality")
        if escalation.step_due is not None and escalation.step_due < today
    ]
    if not escalations:
        return []
    agreements = [e.agreement for e in escalations]
    drafters, reviewers = _keepers(agreements, today)
    due = []
    for escalation in escalations:
        agreement = escalation.agreement
        if not policies.for_municipality(agreement.municipality_id).enabled:
            continue
        level = escalation.current_step["level"]
        reason = _("de termijn van de stap %(level)s is voorbij") % {"level": level}
        context = {
            "subject": escalation.subject,
            "level": level,
            "date": escalation.step_due.isoformat(),
            "path": f"/afspraken/{agreement.reference}/escalaties/{escalation.pk}/",
        }
        seen: set[int] = set()
        for person in drafters.get(agreement.initiative_id, []) + reviewers.get(agreement.municipality_id, []):
            if person.pk not in seen:
                seen.add(person.pk)
                period = f"x{escalation.pk}/{escalation.step}"
                due.append(DueReminder(agreement, ReminderKind.ESCALATION_STEP_DUE, person, period, reason, context))
    return due


def _without_already_sent(due: list[DueReminder]) -> list[DueReminder]:
    if not due:
        return []
    sent: set[tuple[int, str, int, str]] = set()
    by_kind: dict[str, set[int]] = defaultdict(set)
    for item in due:
        by_kind[item.kind].add(item.agreement.pk)
    query = Q(pk__in=[])
    for kind, agreement_ids in by_kind.items():
        query |= Q(kind=kind, agreement_id__in=agreement_ids)
    for row in SentReminder.objects.filter(query).values_list("agreement_id", "kind", "recipient_id", "period"):
        sent.add(tuple(row))
    return [item for item in due if item.key not in sent]


def due_reminders(*, now: dt.datetime | None = None) -> list[DueReminder]:
    """Everything that should be sent now and was not sent in its period yet."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    policies = Policies()
    open_amendment = Agreement.objects.filter(supersedes=OuterRef("pk"), state__in=[s.value for s in OPEN_STATES])
    due = (
        _due_reviews(policies, now, today)
        + _due_signatures(policies, now, today)
        + _due_by_date(
            policies, today, kind=ReminderKind.EVALUATION, date_field="evaluation_date", window="evaluation_within_days"
        )
        + _due_by_date(
            policies,
            today,
            kind=ReminderKind.EXPIRY,
            date_field="valid_until",
            window="expiry_within_days",
            # Once an amendment is under way, the drafters acted.
            extra=~Q(Exists(open_amendment)),
        )
        + _due_decisions(policies, today)
        + _due_evaluation_answers(policies, now, today)
        + _due_escalation_steps(policies, today)
    )
    return _without_already_sent(due)


def send_reminder(item: DueReminder) -> int | None:
    """Record and queue one reminder; None when it was already sent in this period (lost a race)."""
    try:
        with transaction.atomic():
            notification = create_reminder_notification(
                agreement=item.agreement, kind=item.kind, recipient=item.recipient, context=item.context
            )
            SentReminder.objects.create(
                agreement=item.agreement,
                kind=item.kind,
                recipient=item.recipient,
                period=item.period,
                notification=notification,
            )
    except IntegrityError:
        return None
    return notification.pk


DELIVERY_BATCH = 50


def send_due_reminders(*, now: dt.datetime | None = None) -> int:
    """Create the due reminders and queue their delivery in batches. Returns how many were created."""
    due = due_reminders(now=now)
    # One transaction, a savepoint per reminder: one commit instead of one per row.
    with transaction.atomic():
        sent = [(item, send_reminder(item)) for item in due]
        ids = [pk for _item, pk in sent if pk is not None]
        for start in range(0, len(ids), DELIVERY_BATCH):
            queue_delivery(ids[start : start + DELIVERY_BATCH])
        # One webhook per agreement and kind of reminder, however many people were reminded.
        reminded = {(item.agreement.pk, item.kind): item.agreement for item, pk in sent if pk is not None}
        for (_pk, kind), agreement in reminded.items():
            webhook_deliveries_record(cause=REMINDER_DUE, agreement=agreement, detail={"reminder": kind})
    if ids:
        logger.info("Queued %s reminders", len(ids))
    return len(ids)
