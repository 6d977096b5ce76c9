"""Demo data: eight municipalities, twelve initiatives, an advisor, and eighteen months of agreements.

Every agreement is made through the services, so its audit trail is real, and
every step runs at the moment the story says it happened (``clock.clock_at``):
the milestones, the audit log, the signatures and the monitoring figures all
carry those moments, and nothing is rewritten afterwards. The steps of all
agreements run in the order of their moments, so references are numbered in
the order the agreements were begun.

Nobody is e-mailed about this history (``silenced``), and the reminders that
are due when it has been loaded count as already sent in their current period
(``SentReminder`` rows without an e-mail): a first run of the worker does not
send a burst of reminders about waiting that happened "before" the platform
was started. From the next period on they go out as usual.

Loading again adds nothing: an agreement of the story is made only when its
initiative has no agreement with its title yet.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agreements.choices import AgreementState, MembershipRole
from agreements.models import Agreement, Comment, Commitment, Membership, Organisation, User
from agreements.sections import SECTION_ORDER
from workflow.after_signing.services.commitments import commitment_update, decision_record
from workflow.after_signing.services.escalations import escalation_raise, escalation_step_end
from workflow.after_signing.services.evaluations import evaluation_answer, evaluation_start
from workflow.core.queue import publishing_held
from workflow.demo.clock import clock_at
from workflow.demo.content import (
    ADVISOR_EMAIL,
    DEMO_USERS,
    ORGANISATIONS,
    PLACES,
    STORIES,
    AfterSigning,
    Amendment,
    Disagreement,
    JointEvaluation,
    Progress,
    Story,
    decision_moments,
    responsibilities_for,
    sections_for,
)
from workflow.demo.passwords import quick_password_hashing
from workflow.lifecycle.services.advisors import advisor_grant
from workflow.lifecycle.services.amendments import agreement_amend
from workflow.lifecycle.services.comments import comment_add, comment_resolve
from workflow.lifecycle.services.drafting import agreement_create, agreement_update_draft
from workflow.lifecycle.services.expiry import agreement_expire
from workflow.lifecycle.services.review import (
    agreement_approve,
    agreement_request_changes,
    agreement_submit,
    agreement_withdraw,
)
from workflow.lifecycle.services.signing import agreement_sign
from workflow.members.services.municipalities import SHIPPED_LIST, municipalities_load, read_municipality_list
from workflow.models import SentReminder
from workflow.notifications.outbox import silenced
from workflow.notifications.reminders import due_reminders

STAFF_EMAIL = "beheer@example.org"
STAFF_NAME = "Bram Beheerder"

# The people and organisations exist a few weeks before the first agreement is begun.
PEOPLE_BEFORE_STORY_DAYS = 30


@dataclass(frozen=True)
class Step:
    moment: dt.datetime
    order: int  # the order the steps were planned in: keeps one agreement's steps in order on equal moments
    run: Callable[[], None]


class DemoSeeder:
    def __init__(self, *, password: str, stdout=None) -> None:
        self.password = password
        self.stdout = stdout
        self.today = timezone.localdate()
        self.made: list[Agreement] = []
        self.held_tasks = 0
        self.planned = itertools.count()

    def say(self, text: str) -> None:
        if self.stdout:
            self.stdout.write(text)

    def run(self) -> None:
        # The demo's history is replayed through the services; nobody is e-mailed about it, and no task
        # is sent: the transaction commits inside the hold, so its on-commit publishes are held too.
        # The signed documents it leaves are queued by the worker's sweep (also run when a worker starts).
        with silenced(), publishing_held() as held, quick_password_hashing():
            with transaction.atomic():
                self._run()
        self.held_tasks = len(held)

    def _run(self) -> None:
        first_day = self.today - dt.timedelta(days=max(s.started for s in STORIES) + PEOPLE_BEFORE_STORY_DAYS)
        with clock_at(self.at(first_day, 9)):
            self.orgs = {key: self._organisation(**fields) for key, fields in ORGANISATIONS.items()}
            self.users = {email: self._user(email, name, org, roles) for email, name, org, roles in DEMO_USERS}
            self._staff()
        self._stories()
        self._check_states()
        self._reminders_count_as_sent()

    # --- organisations and people -----------------------------------------------------------------------

    def _organisation(self, **fields) -> Organisation:
        lookup = {"cbs_code": fields["cbs_code"]} if "cbs_code" in fields else {"name": fields["name"]}
        organisation, _created = Organisation.objects.get_or_create(**lookup, defaults=fields)
        return organisation

    def _user(self, email: str, name: str, org_key: str, roles: list[str]) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=self.password, full_name=name)
            self.say(f"  user {email}")
        for role in roles:
            Membership.objects.get_or_create(user=user, organisation=self.orgs[org_key], role=role)
        return user

    def _staff(self) -> None:
        if not User.objects.filter(email=STAFF_EMAIL).exists():
            User.objects.create_superuser(email=STAFF_EMAIL, password=self.password, full_name=STAFF_NAME)

    def member(self, org_key: str, role: str) -> User:
        """The first demo person with this role in this organisation."""
        return next(self.members(org_key, role))

    def members(self, org_key: str, role: str):
        return (self.users[email] for email, _name, org, roles in DEMO_USERS if org == org_key and role in roles)

    # --- the story --------------------------------------------------------------------------------------

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    def _stories(self) -> None:
        steps: list[Step] = []
        for story in STORIES:
            initiative = self.orgs[story.initiative]
            if Agreement.objects.filter(title=story.title, initiative=initiative).exists():
                continue
            steps += StoryPlan(self, story).steps()
        steps.sort(key=lambda step: (step.moment, step.order))
        for step in steps:
            with clock_at(step.moment):
                step.run()

    def _check_states(self) -> None:
        states = set(Agreement.objects.values_list("state", flat=True))
        missing = {s.value for s in AgreementState} - states
        if missing:
            raise RuntimeError(f"demo data lacks states {missing}")

    def _reminders_count_as_sent(self) -> None:
        """What is due now about the story's agreements was "sent" in its period already: no burst on first start."""
        made = {a.pk for a in self.made}
        for item in due_reminders():
            if item.agreement.pk in made:
                SentReminder.objects.get_or_create(
                    agreement=item.agreement, kind=item.kind, recipient=item.recipient, period=item.period
                )


class StoryPlan:
    """One agreement of the story (and its amendment) as steps at moments."""

    def __init__(self, seeder: DemoSeeder, story: Story) -> None:
        self.seeder = seeder
        self.story = story
        self.place = PLACES[story.initiative]
        self.initiative = seeder.orgs[story.initiative]
        self.municipality = seeder.orgs[self.place.municipality]
        self.drafter = seeder.member(story.initiative, MembershipRole.DRAFTER)
        self.reviewer = seeder.member(self.place.municipality, MembershipRole.REVIEWER)
        self.signers = [
            *seeder.members(story.initiative, MembershipRole.SIGNATORY),
            *seeder.members(self.place.municipality, MembershipRole.SIGNATORY),
        ]
        self.advisor = seeder.users[ADVISOR_EMAIL]
        self.state = SimpleNamespace(agreement=None, amendment=None, question=None, evaluation=None, escalation=None)
        self._steps: list[Step] = []

    def day(self, days_ago: int) -> dt.date:
        return self.seeder.today - dt.timedelta(days=days_ago)

    def in_days(self, days: int | None) -> dt.date | None:
        return None if days is None else self.seeder.today + dt.timedelta(days=days)

    def add(self, day: dt.date, hour: int, run: Callable[[], None], minute: int = 0) -> dt.datetime:
        moment = self.seeder.at(day, hour, minute)
        if self._steps and moment <= self._steps[-1].moment:
            raise ValueError(f"{self.story.title}: a step at {moment} does not follow the one before")
        self._steps.append(Step(moment, next(self.seeder.planned), run))
        return moment

    def steps(self) -> list[Step]:
        story = self.story
        start = self.day(story.started)
        self.add(start, 9, self._create, 30)
        if story.advisor:
            self.add(start, 9, lambda: self._grant(self.state.agreement), 40)
        self.add(start + dt.timedelta(days=1), 15, self._write)
        if story.drafting is None:
            return self._steps
        submitted = self._review_round("agreement", start + dt.timedelta(days=story.drafting), story)
        if story.withdrawn:
            days, note = story.withdrawn
            self.add(submitted.date() + dt.timedelta(days=days), 12, lambda: self._withdraw(note))
            return self._steps
        if story.review is None:
            return self._steps
        signed = self._approve_and_sign("agreement", submitted.date() + dt.timedelta(days=story.review), story)
        if story.after_signing:
            self._after_signing(story.after_signing, signed.date())
        elif signed is not None and not (story.expires or story.amendment):
            self._some_progress(signed.date())
        if story.expires:
            self.add(self.in_days(story.valid) + dt.timedelta(days=1), 2, self._expire, 15)
        if story.amendment:
            self._amend(story.amendment, signed.date() + dt.timedelta(days=story.amendment.after))
        return self._steps

    # --- after signing: progress on the commitments, a joint evaluation, an escalation ---------------------

    def _after_signing(self, plan: AfterSigning, signed: dt.date) -> None:
        steps: list[tuple[dt.date, int, Callable[[], None]]] = []
        for progress in plan.progress:
            steps.append((signed + dt.timedelta(days=progress.after), 11, self._progress(progress)))
        if plan.evaluation:
            evaluation = plan.evaluation
            start = signed + dt.timedelta(days=evaluation.after)
            steps.append((start, 13, lambda: self._evaluation_start(evaluation)))
            for n, party in enumerate(evaluation.answered):
                steps.append((start + dt.timedelta(days=1 + 2 * n), 14, self._evaluation_answer(evaluation, party)))
        if plan.disagreement:
            disagreement = plan.disagreement
            raised = signed + dt.timedelta(days=disagreement.after)
            steps.append((raised, 15, lambda: self._escalate(disagreement)))
            if disagreement.stepped_up is not None:
                steps.append((raised + dt.timedelta(days=disagreement.stepped_up), 15, self._step_up(disagreement)))
        for day, hour, run in sorted(steps, key=lambda step: (step[0], step[1])):
            self.add(day, hour, run)

    def _some_progress(self, signed: dt.date) -> None:
        """Most signed agreements see their first task under way in the last weeks; one in four does not move (it
        shows as stalled once 90 days have passed since signing)."""
        if not self.story.complete or zlib.crc32(self.story.title.encode()) % 4 == 0:
            return
        day = self.seeder.today - dt.timedelta(days=7 + zlib.crc32(self.story.title.encode()) % 30)
        if day <= signed:
            return
        progress = self._progress(
            Progress(0, "Bewonersavonden organiseren", status="in_progress", note="De eerste avond is gepland.")
        )

        def start_if_signed() -> None:
            # An agreement the story leaves with a signature missing is not signed: it has no commitments yet.
            if self._agreement().state == AgreementState.SIGNED:
                progress()

        self.add(day, 11, start_if_signed)

    def _party_member(self, party: str) -> User:
        return self.drafter if party == "initiative" else self.reviewer

    def _progress(self, progress: Progress) -> Callable[[], None]:
        def update() -> None:
            title = progress.task.replace("{source}", self.place.source)
            commitment = Commitment.objects.get(agreement=self._agreement(), title=title)
            planned = (
                timezone.localdate() + dt.timedelta(days=progress.planned_in)
                if progress.planned_in is not None
                else commitment.planned_date
            )
            actor = self._party_member(progress.by)
            if progress.outcome:
                decision_record(
                    commitment=commitment,
                    actor=actor,
                    outcome=progress.outcome,
                    new_date=planned,
                    note=progress.note,
                    evidence_url=progress.evidence_url,
                )
            else:
                commitment_update(
                    commitment=commitment,
                    actor=actor,
                    status=progress.status,
                    planned_date=planned,
                    note=progress.note,
                    evidence_url=progress.evidence_url,
                )

        return update

    def _evaluation_start(self, evaluation: JointEvaluation) -> None:
        self.state.evaluation = evaluation_start(
            agreement=self._agreement(), actor=self._party_member(evaluation.by), reason=evaluation.reason
        )

    def _evaluation_answer(self, evaluation: JointEvaluation, party: str) -> Callable[[], None]:
        def answer() -> None:
            score = evaluation.scores[party]
            answers = {
                key: {"works": "Het overleg in het projectteam loopt goed.", "score": score} for key in SECTION_ORDER
            }
            if party in evaluation.should_change:
                key, text = evaluation.should_change[party]
                answers[key] = {**answers[key], "should_change": text, "score": max(1, score - 2)}
            evaluation_answer(
                evaluation=self.state.evaluation, actor=self._party_member(party), answers=answers, send=True
            )

        return answer

    def _escalate(self, disagreement: Disagreement) -> None:
        self.state.escalation = escalation_raise(
            agreement=self._agreement(),
            actor=self._party_member(disagreement.by),
            subject=disagreement.subject,
            description=disagreement.description,
            informed=disagreement.informed,
        )

    def _step_up(self, disagreement: Disagreement) -> Callable[[], None]:
        def step_up() -> None:
            escalation_step_end(
                escalation=self.state.escalation,
                actor=self.reviewer,
                step=0,
                outcome=disagreement.outcome,
                solved=False,
                informed_next="De stuurgroep, in haar volgende vergadering.",
            )

        return step_up

    def _review_round(self, which: str, day: dt.date, story: Story | Amendment) -> dt.datetime:
        """Submit on ``day``; the reviewer may send it back and the drafter submit again. Returns the last submit."""
        submitted = self.add(day, 16, lambda: self._submit(which))
        changes = getattr(story, "changes", None)
        if changes:
            asked = self.add(
                day + dt.timedelta(days=changes.after), 11, lambda: self._request_changes(changes.note), 30
            )
            again = asked.date() + dt.timedelta(days=changes.resubmitted)
            self.add(again, 10, lambda: self._add_to_section(changes.section, changes.addition))
            submitted = self.add(again, 16, lambda: self._submit(which))
        if getattr(story, "question", ""):
            self.add(submitted.date() + dt.timedelta(days=1), 10, lambda: self._ask(story.question))
        if getattr(story, "advice", ""):
            self.add(submitted.date() + dt.timedelta(days=2), 13, lambda: self._advise(story.advice))
        return submitted

    def _approve_and_sign(self, which: str, day: dt.date, story: Story | Amendment) -> dt.datetime | None:
        """Approve on ``day`` and sign as the story says; returns the last signature's moment."""
        if getattr(story, "question", ""):
            self.add(day, 9, self._resolve_question)
        approved = self.add(day, 11, lambda: self._approve(which))
        if len(story.signing) > len(self.signers):
            raise ValueError(f"{self.story.title}: more signatures than signatories")
        last = None
        for index, days in enumerate(story.signing):
            signer = self.signers[index]
            last = self.add(approved.date() + dt.timedelta(days=days), 10 + index, self._signer(which, signer))
        return last

    def _amend(self, amendment: Amendment, day: dt.date) -> None:
        self.add(day, 10, self._start_amendment)
        self.add(day, 11, lambda: self._write_amendment(amendment))
        if amendment.drafting is None:
            return
        submitted = self._review_round("amendment", day + dt.timedelta(days=amendment.drafting), amendment)
        if amendment.review is not None:
            self._approve_and_sign("amendment", submitted.date() + dt.timedelta(days=amendment.review), amendment)

    # --- the steps: each one service call ---------------------------------------------------------------

    def _agreement(self, which: str = "agreement") -> Agreement:
        agreement = getattr(self.state, which)
        agreement.refresh_from_db()
        return agreement

    def _create(self) -> None:
        story = self.story
        neighbourhoods = story.neighbourhoods or self.place.neighbourhoods
        review_due = self.day(story.started - story.drafting - 21) if story.drafting is not None else None
        agreement = agreement_create(
            actor=self.drafter,
            initiative=self.initiative,
            municipality=self.municipality,
            title=story.title,
            form=story.form,
            phase=story.phase,
            neighbourhoods=[{"name": name, "cbs_code": code} for name, code in neighbourhoods],
            review_due_date=review_due,
            evaluation_date=self.in_days(story.evaluation),
            valid_until=self.in_days(story.valid),
        )
        self.state.agreement = agreement
        self.seeder.made.append(agreement)
        self.seeder.say(f"  agreement {agreement.reference}: {story.title}")

    def _grant(self, agreement: Agreement) -> None:
        advisor_grant(agreement=agreement, actor=self.drafter, advisor=self.seeder.orgs["coalition"])

    def _write(self) -> None:
        agreement = self._agreement()
        sections = sections_for(
            self.place,
            municipality=self.municipality.name,
            valid_until=agreement.valid_until,
            year=timezone.localdate().year,
        )
        if not self.story.complete:
            agreement_update_draft(
                agreement=agreement, actor=self.drafter, based_on_revision=1, sections={"aim": sections["aim"]}
            )
            return
        agreement_update_draft(
            agreement=agreement,
            actor=self.drafter,
            based_on_revision=1,
            sections=sections,
            responsibilities=responsibilities_for(self.place),
            decision_moments=decision_moments(timezone.localdate()),
        )

    def _submit(self, which: str) -> None:
        agreement_submit(agreement=self._agreement(which), actor=self.drafter)

    def _request_changes(self, note: str) -> None:
        agreement_request_changes(agreement=self._agreement(), actor=self.reviewer, note=note)

    def _add_to_section(self, key: str, addition: str) -> None:
        agreement = self._agreement()
        version = agreement.current_version()
        body = version.sections.get(key=key).body
        agreement_update_draft(
            agreement=agreement,
            actor=self.drafter,
            based_on_revision=version.revision,
            sections={key: f"{body} {addition}"},
        )

    def _ask(self, question: str) -> None:
        self.state.question = comment_add(
            agreement=self._agreement(self._open()), actor=self.reviewer, section_key="resources", body=question
        )

    def _advise(self, advice: str) -> None:
        comment_add(agreement=self._agreement(self._open()), actor=self.advisor, section_key="roles", body=advice)

    def _resolve_question(self) -> None:
        comment_resolve(comment=Comment.objects.get(pk=self.state.question.pk), actor=self.drafter)

    def _open(self) -> str:
        return "amendment" if self.state.amendment is not None else "agreement"

    def _approve(self, which: str) -> None:
        agreement_approve(agreement=self._agreement(which), actor=self.reviewer)

    def _signer(self, which: str, signer: User) -> Callable[[], None]:
        def sign() -> None:
            agreement = self._agreement(which)
            agreement_sign(
                agreement=agreement,
                actor=signer,
                content_hash=agreement.frozen_version().content_hash,
                password=self.seeder.password,
                authority_confirmed=True,
            )

        return sign

    def _withdraw(self, note: str) -> None:
        agreement_withdraw(agreement=self._agreement(), actor=self.drafter, note=note)

    def _expire(self) -> None:
        agreement_expire(agreement=self._agreement())

    def _start_amendment(self) -> None:
        self.state.amendment = agreement_amend(agreement=self._agreement(), actor=self.drafter)
        self.seeder.made.append(self.state.amendment)
        self.seeder.say(f"  amendment {self.state.amendment.reference}: {self.story.title}")

    def _write_amendment(self, amendment: Amendment) -> None:
        agreement = self._agreement("amendment")
        fields = {}
        if amendment.phase:
            fields["phase"] = amendment.phase
        if amendment.evaluation is not None:
            fields["evaluation_date"] = self.in_days(amendment.evaluation)
        if amendment.valid is not None:
            fields["valid_until"] = self.in_days(amendment.valid)
        agreement_update_draft(
            agreement=agreement,
            actor=self.drafter,
            based_on_revision=agreement.current_version().revision,
            fields=fields or None,
            sections=amendment.sections,
        )


def seed_demo(*, stdout=None) -> int:
    """Load the demo; returns how many tasks were held for the worker's sweep (signed documents to make)."""
    if settings.PRODUCTION:
        raise RuntimeError("Demo data and its published password are refused in production.")
    seeder = DemoSeeder(password=settings.DEMO_PASSWORD, stdout=stdout)
    seeder.run()
    # Every other municipality of CBS's list too, so an initiative finds its own (the demo's keep their names).
    municipalities_load(rows=read_municipality_list(SHIPPED_LIST))
    return seeder.held_tasks
