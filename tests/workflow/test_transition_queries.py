"""How many queries each transition asks: exact counts, so a regression shows up as a failing test.

A transition reads what it needs once under the row lock (the visibility rule, the frozen version and its
open comments in the locking read; for signing one snapshot of the signatures and signatories) and writes
each kind of row with one statement. The counts are those of production: the tests commit for real
(``transaction=True``), so the service's ``atomic`` is the outermost one and opens no savepoint; the counts
include its BEGIN and COMMIT, which are round trips too (bench/transitions.py counts only the queries). The actor's
roles are read first (``warm``), as the pages and middleware of a request have by the time a service runs;
with a fresh user object add one query.

A feature that adds writes to a transition (webhook rows, commitments) adds at most one bulk query per kind
of row, and updates the count asserted here in the same change. Webhooks: the locking read brings the two
parties, whose ``webhook_events`` say whether anyone listens to the event; nobody does in these tests, which
costs no query. When one listens, the endpoints are read and their rows written in one bulk INSERT (counted
in tests/workflow/test_webhooks.py).
"""

from __future__ import annotations

import datetime as dt

import pytest

from agreements.choices import AgreementState as S
from agreements.models import Agreement, Signature
from tests.factories import PASSWORD
from workflow.core.access import roles_in
from workflow.lifecycle.services.drafting import agreement_create, agreement_update_draft
from workflow.lifecycle.services.review import (
    agreement_approve,
    agreement_reopen,
    agreement_request_changes,
    agreement_submit,
    agreement_withdraw,
)
from workflow.lifecycle.services.signing import agreement_decline_to_sign, agreement_sign
from workflow.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)
# The counts are PostgreSQL's (production): another database may split a bulk write or a transaction differently.
counted = pytest.mark.postgres
# After the commit, outside the transition: the monitoring figures of everyone who sees the agreement are
# renewed, for which the advisors granted it are read (core/figures.py agreement_changed).
AFTER_COMMIT = 1

SECTIONS = {key: f"Tekst voor {key}" for key in ("aim", "roles", "process", "resources", "communication")} | {
    key: f"Tekst voor {key}" for key in ("information", "escalation", "evaluation", "duration")
}


def warm(*users) -> None:
    """Read each person's roles, as a request has before it calls a service (core/access.py caches them)."""
    for user in users:
        roles_in(user, 0)


def rows(n: int) -> dict:
    return {
        "neighbourhoods": [{"name": f"Wijk {i}", "cbs_code": ""} for i in range(n)],
        "responsibilities": [
            {"task": f"Taak {i}", "phase": "orientation", "initiative_role": "R", "municipality_role": "A"}
            for i in range(n)
        ],
        "decision_moments": [
            {"title": f"Besluit {i}", "deciding_body": "college", "planned_date": dt.date(2027, 1, 1)} for i in range(n)
        ],
    }


def draft(world) -> Agreement:
    agreement = agreement_create(
        actor=world.drafter,
        initiative=world.initiative,
        municipality=world.municipality,
        title="Warmtenet Oost",
        form="letter_of_intent",
        phase="orientation",
    )
    agreement_update_draft(agreement=agreement, actor=world.drafter, based_on_revision=1, sections=SECTIONS, **rows(2))
    return agreement


def in_review(world) -> Agreement:
    agreement = draft(world)
    agreement_submit(agreement=agreement, actor=world.drafter)
    return agreement


def approved(world) -> Agreement:
    agreement = in_review(world)
    agreement_approve(agreement=agreement, actor=world.reviewer)
    return agreement


def content_hash(agreement: Agreement) -> str:
    return Agreement.objects.get(pk=agreement.pk).frozen_version().content_hash


def sign(agreement: Agreement, actor, signed_hash: str | None = None) -> Signature:
    return agreement_sign(
        agreement=agreement,
        actor=actor,
        content_hash=signed_hash or content_hash(agreement),
        password=PASSWORD,
        authority_confirmed=True,
    )


@counted
def test_approve_asks_five_queries(world, django_assert_num_queries):
    agreement = in_review(world)
    warm(world.reviewer)
    # BEGIN
    # 1 the locking read: the row and both parties FOR UPDATE, the visibility rule in its WHERE, the frozen
    #   version's number and its open comments as subqueries (with_transition_facts); the check and the
    #   django-fsm condition answer from it
    # 2 UPDATE of the four columns approve changes (state checked as django-fsm's ConcurrentTransitionMixin does)
    # 3 INSERT of the audit row
    # 4 the signatories of both parties with their daily-overview choice (recipients and preferences in one)
    # 5 INSERT of the e-mail rows (one bulk insert)
    # COMMIT
    with django_assert_num_queries(2 + 5 + AFTER_COMMIT):
        agreement_approve(agreement=agreement, actor=world.reviewer)
    assert Agreement.objects.get(pk=agreement.pk).state == S.APPROVED
    assert Notification.objects.filter(agreement=agreement, event="approved").count() == 3


@counted
def test_a_signature_asks_eight_queries_and_the_last_ten(world, django_assert_num_queries):
    agreement = approved(world)
    warm(world.initiative_signer1, world.initiative_signer2, world.municipal_signer)
    signed_hash = content_hash(agreement)  # what the sign page showed
    # Before the step-up (outside the transaction, so a wrong password is counted even though nothing is signed):
    # 1 the row as the signatory sees it, with its frozen version (id, number, hash)
    # 2 the signing snapshot: the version's signatures in force and both parties' signatories (one UNION)
    # The signing transaction, between BEGIN and COMMIT:
    # 3 the locking read, as 1, FOR UPDATE
    # 4 the signing snapshot again, under the lock: every rule, the signatory's function and the recipients use it
    # 5 INSERT of the signature
    # 6 INSERT of the audit row
    # 7 the signatories still to sign, by id, with their daily-overview choice
    # 8 INSERT of the e-mail rows
    with django_assert_num_queries(8 + 2 + AFTER_COMMIT):
        sign(agreement, world.initiative_signer1, signed_hash)
    with django_assert_num_queries(8 + 2 + AFTER_COMMIT):
        sign(agreement, world.initiative_signer2, signed_hash)
    # The last signature: the same, plus
    # 9 UPDATE of the three columns signing changes (state, state_changed_at, signed_at)
    # and instead of 7 everyone involved, advisors included (one query; the sealed PDF is queued after commit,
    # not a query); and the commitments, one bulk INSERT (10), made from the signed version's canonical content,
    # which the locking read (3) brought because the read before it (2) showed this signature would be the last
    with django_assert_num_queries(10 + 2 + AFTER_COMMIT):
        sign(agreement, world.municipal_signer, signed_hash)
    assert Agreement.objects.get(pk=agreement.pk).state == S.SIGNED
    assert Signature.objects.filter(version__agreement=agreement).count() == 3


@counted
@pytest.mark.parametrize("n", [1, 30])
def test_saving_a_draft_asks_the_same_number_of_queries_for_one_row_or_thirty(world, n, django_assert_num_queries):
    agreement = draft(world)
    warm(world.drafter)
    # BEGIN
    # 1 the locking read (visibility in its WHERE)
    # 2 the editable version (the stale-form check)
    # 3 UPDATE of the agreement's own fields
    # 4-5 DELETE and one bulk INSERT of the neighbourhoods
    # 6 the version's sections
    # 7 one bulk UPDATE of the sections that changed, however many
    # 8-9 DELETE and one bulk INSERT of the role division
    # 10-11 DELETE and one bulk INSERT of the decision moments
    # 12 UPDATE of the version's revision (only while it is not frozen)
    # 13 INSERT of the audit row
    # COMMIT
    with django_assert_num_queries(2 + 13 + AFTER_COMMIT):
        agreement_update_draft(
            agreement=agreement,
            actor=world.drafter,
            based_on_revision=2,
            fields={"title": f"Warmtenet Oost {n}"},
            sections={key: f"{body} ({n})" for key, body in list(SECTIONS.items())[:n]},
            **rows(n),
        )
    assert agreement.versions.get().responsibilities.count() == n


@counted
def test_submit_asks_thirteen_queries(world, django_assert_num_queries):
    agreement = draft(world)
    warm(world.drafter)
    # BEGIN
    # 1 the locking read (visibility, frozen version facts)
    # 2-6 the current version with its sections, role division, decision moments and escalation ladder: the
    #     completeness check, the django-fsm condition and the canonical JSON all read these same rows
    # 7 UPDATE of the columns submit changes
    # 8 the neighbourhoods (for the canonical JSON)
    # 9 the version is not frozen yet (AgreementVersion.save's guard)
    # 10 UPDATE of the version: its canonical JSON, hash and frozen_at
    # 11 INSERT of the audit row
    # 12 the reviewers with their daily-overview choice
    # 13 INSERT of the e-mail rows
    # COMMIT
    with django_assert_num_queries(2 + 13 + AFTER_COMMIT):
        agreement_submit(agreement=agreement, actor=world.drafter)
    assert Agreement.objects.get(pk=agreement.pk).state == S.IN_REVIEW


@counted
def test_the_ways_back_ask_a_handful_of_queries(world, django_assert_num_queries):
    agreement = in_review(world)
    warm(world.reviewer, world.drafter, world.municipal_signer, world.initiative_signer1)
    # Each between BEGIN and COMMIT.
    # locking read, UPDATE, audit row, the drafters with their choice, the e-mail rows
    with django_assert_num_queries(2 + 5 + AFTER_COMMIT):
        agreement_request_changes(agreement=agreement, actor=world.reviewer, note="Graag aanvullen.")
    agreement_submit(agreement=agreement, actor=world.drafter)
    agreement_approve(agreement=agreement, actor=world.reviewer)
    sign(agreement, world.initiative_signer1)
    # locking read, UPDATE, one UPDATE voiding the signatures collected, audit row, recipients, e-mail rows
    with django_assert_num_queries(2 + 6 + AFTER_COMMIT):
        agreement_reopen(agreement=agreement, actor=world.reviewer, note="Nog niet.")
    assert Signature.objects.get(version__agreement=agreement).is_void
    agreement_submit(agreement=agreement, actor=world.drafter)
    agreement_approve(agreement=agreement, actor=world.reviewer)
    # locking read, signing snapshot, UPDATE, one UPDATE voiding, audit row, recipients, e-mail rows
    with django_assert_num_queries(2 + 7 + AFTER_COMMIT):
        agreement_decline_to_sign(agreement=agreement, actor=world.municipal_signer, reason="Zo niet.")
    # locking read, UPDATE, audit row, everyone involved, e-mail rows
    with django_assert_num_queries(2 + 5 + AFTER_COMMIT):
        agreement_withdraw(agreement=agreement, actor=world.drafter)
    assert Agreement.objects.get(pk=agreement.pk).state == S.WITHDRAWN


@pytest.mark.parametrize("name", sorted(Agreement.TRANSITION_FIELDS))
def test_each_transition_changes_only_the_columns_it_saves(world, name):
    """``save_transition`` writes only TRANSITION_FIELDS: a transition that sets another column must name it."""
    agreement = Agreement(initiative=world.initiative, municipality=world.municipality, created_by=world.drafter)
    before = {field.attname: getattr(agreement, field.attname) for field in Agreement._meta.concrete_fields}
    method = getattr(Agreement, name)
    kwargs = {"by": world.reviewer} if name in ("submit", "approve") else {}
    method.__wrapped__(agreement, **kwargs)  # the body alone: the state and its conditions are django-fsm's
    changed = {
        attname for attname, value in before.items() if getattr(agreement, attname) != value and attname != "state"
    }
    saved = {Agreement._meta.get_field(f).attname for f in ("state_changed_at", *Agreement.TRANSITION_FIELDS[name])}
    assert changed <= saved
