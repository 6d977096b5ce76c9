"""Concurrency on PostgreSQL with real threads and committed transactions.

Each thread has its own database connection; a barrier releases them at the
same moment. The row lock in the services and the ConcurrentTransitionMixin
must make exactly one of them win.
"""

import threading

import pytest
from django.db import connection

from agreements.choices import AgreementState as S
from agreements.choices import AuditAction, MembershipRole
from agreements.models import Agreement, AuditEvent, Signature
from tests.factories import PASSWORD, AgreementFactory, member
from workflow.core.exceptions import Conflict
from workflow.lifecycle.services.amendments import agreement_amend
from workflow.lifecycle.services.drafting import agreement_update_draft
from workflow.lifecycle.services.review import agreement_approve
from workflow.lifecycle.services.signing import agreement_sign

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(calls):
    """Run each call in its own thread, all released together; return (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as error:  # noqa: BLE001 - collected and asserted by the test
            errors[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results, errors


def test_twenty_reviewers_approve_at_once_exactly_one_wins(world):
    agreement = AgreementFactory(in_review=True, initiative=world.initiative, municipality=world.municipality)
    reviewers = [member(world.municipality, MembershipRole.REVIEWER) for _ in range(20)]

    results, errors = run_at_once([lambda r=r: agreement_approve(agreement=agreement, actor=r) for r in reviewers])

    winners = [r for r in results if r is not None]
    conflicts = [e for e in errors if isinstance(e, Conflict)]
    unexpected = [e for e in errors if e is not None and not isinstance(e, Conflict)]
    assert not unexpected, unexpected
    assert len(winners) == 1 and len(conflicts) == 19
    assert all(c.state == S.APPROVED for c in conflicts)
    agreement.refresh_from_db()
    assert agreement.state == S.APPROVED
    assert AuditEvent.objects.filter(agreement=agreement, action=AuditAction.APPROVED).count() == 1
    assert agreement.approved_by == winners[0].approved_by


def test_three_required_signatures_at_once_all_recorded_one_transition(world):
    agreement = AgreementFactory(approved=True, initiative=world.initiative, municipality=world.municipality)
    content_hash = agreement.frozen_version().content_hash
    signers = [world.initiative_signer1, world.initiative_signer2, world.municipal_signer]

    results, errors = run_at_once(
        [
            lambda s=s: agreement_sign(
                password=PASSWORD, authority_confirmed=True, agreement=agreement, actor=s, content_hash=content_hash
            )
            for s in signers
        ]
    )

    assert errors == [None, None, None]
    assert Signature.objects.filter(version__agreement=agreement).count() == 3
    agreement.refresh_from_db()
    assert agreement.state == S.SIGNED
    to_signed = AuditEvent.objects.filter(agreement=agreement, to_state=S.SIGNED)
    assert to_signed.count() == 1
    assert AuditEvent.objects.filter(agreement=agreement, action=AuditAction.SIGNED_BY).count() == 3


def test_the_same_person_signing_twice_at_once_counts_once(world):
    agreement = AgreementFactory(approved=True, initiative=world.initiative, municipality=world.municipality)
    content_hash = agreement.frozen_version().content_hash
    signer = world.initiative_signer1

    results, errors = run_at_once(
        [
            lambda: agreement_sign(
                password=PASSWORD,
                authority_confirmed=True,
                agreement=agreement,
                actor=signer,
                content_hash=content_hash,
            )
        ]
        * 5
    )

    assert sum(r is not None for r in results) == 1
    assert all(isinstance(e, Conflict) for e in errors if e is not None)
    assert Signature.objects.filter(version__agreement=agreement, signer=signer).count() == 1


def test_two_drafters_saving_the_same_revision_at_once_one_wins(world):
    agreement = AgreementFactory(initiative=world.initiative, municipality=world.municipality)
    second_drafter = member(world.initiative, MembershipRole.DRAFTER)
    revision = agreement.current_version().revision

    results, errors = run_at_once(
        [
            lambda d=d, text=text: agreement_update_draft(
                agreement=agreement, actor=d, based_on_revision=revision, sections={"aim": text}
            )
            for d, text in ((world.drafter, "Tekst A"), (second_drafter, "Tekst B"))
        ]
    )

    assert sum(r is not None for r in results) == 1
    assert sum(isinstance(e, Conflict) for e in errors) == 1
    winner_text = "Tekst A" if results[0] is not None else "Tekst B"
    version = Agreement.objects.get(pk=agreement.pk).current_version()
    assert version.revision == revision + 1
    assert version.sections.get(key="aim").body == winner_text


def test_two_amendments_started_at_once_only_one_exists(world):
    original = AgreementFactory(signed=True, initiative=world.initiative, municipality=world.municipality)
    second_drafter = member(world.initiative, MembershipRole.DRAFTER)

    results, errors = run_at_once(
        [lambda d=d: agreement_amend(agreement=original, actor=d) for d in (world.drafter, second_drafter)]
    )

    assert sum(r is not None for r in results) == 1
    assert sum(isinstance(e, Conflict) for e in errors) == 1
    assert original.amendments.count() == 1


def test_two_drafters_saving_different_sections_at_once_both_land(world):
    agreement = AgreementFactory(initiative=world.initiative, municipality=world.municipality)
    second_drafter = member(world.initiative, MembershipRole.DRAFTER)
    version = agreement.current_version()

    results, errors = run_at_once(
        [
            lambda d=d, key=key: agreement_update_draft(
                agreement=agreement, actor=d, based_on_parts={key: version.part_revision(key)}, sections={key: key}
            )
            for d, key in ((world.drafter, "aim"), (second_drafter, "resources"))
        ]
    )

    assert errors == [None, None]
    stored = Agreement.objects.get(pk=agreement.pk).current_version()
    assert {s.key: s.body for s in stored.sections.filter(key__in=["aim", "resources"])} == {
        "aim": "aim",
        "resources": "resources",
    }
    assert stored.revision == version.revision + 2


def test_two_drafters_saving_the_same_section_at_once_one_wins_the_other_conflicts(world):
    agreement = AgreementFactory(initiative=world.initiative, municipality=world.municipality)
    second_drafter = member(world.initiative, MembershipRole.DRAFTER)
    loaded = agreement.current_version().part_revision("aim")

    results, errors = run_at_once(
        [
            lambda d=d, text=text: agreement_update_draft(
                agreement=agreement, actor=d, based_on_parts={"aim": loaded}, sections={"aim": text}
            )
            for d, text in ((world.drafter, "Tekst A"), (second_drafter, "Tekst B"))
        ]
    )

    assert sum(r is not None for r in results) == 1
    assert sum(isinstance(e, Conflict) for e in errors) == 1
    winner_text = "Tekst A" if results[0] is not None else "Tekst B"
    assert Agreement.objects.get(pk=agreement.pk).current_version().sections.get(key="aim").body == winner_text
