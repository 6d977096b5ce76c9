"""Agreements in every shape the agreement page meets, each with the person looking at it.

Each builder takes the test world and a ``size``: "small" is the least the page can
show, "large" has more of everything that grows (comments and replies, advice,
review rounds, signatures, void signatures, audit events, advisors, third parties),
so a test can check that the number of queries does not grow with it.
"""

from __future__ import annotations

from django.utils import timezone

from agreements.choices import AgreementState as S
from agreements.choices import MembershipRole
from agreements.models import AdvisorAccess, Agreement, Comment, Responsibility, Signature, User
from tests.factories import OrganisationFactory, member
from tests.web.agreement_support import agreement_in
from workflow.lifecycle.services.advisors import advisor_grant
from workflow.lifecycle.services.comments import comment_add
from workflow.lifecycle.services.drafting import agreement_update_draft
from workflow.lifecycle.services.review import agreement_request_changes, agreement_submit


def _many(size: str, small: int, large: int) -> int:
    return small if size == "small" else large


def _comments(world, agreement: Agreement, size: str) -> None:
    """Party threads (open and resolved) with replies, and advisors' notes with replies."""
    for n in range(_many(size, 1, 6)):
        thread = comment_add(
            agreement=agreement, actor=world.reviewer, body=f"Vraag {n}", section_key=("aim", "resources", "")[n % 3]
        )
        comment_add(agreement=agreement, actor=world.drafter, body=f"Antwoord {n}", parent=thread)
        if n % 2:
            Comment.objects.filter(pk=thread.pk).update(resolved_by=world.drafter, resolved_at=thread.created_at)
    AdvisorAccess.objects.get_or_create(
        agreement=agreement, organisation=world.advisor_org, defaults={"granted_by": world.drafter}
    )
    for n in range(_many(size, 1, 4)):
        note = comment_add(agreement=agreement, actor=world.advisor, body=f"Advies {n}", section_key="aim")
        comment_add(agreement=agreement, actor=world.reviewer, body=f"Dank {n}", parent=note)


def _advisors(world, agreement: Agreement, size: str) -> None:
    for n in range(_many(size, 0, 3)):
        advisor_grant(
            agreement=agreement,
            actor=world.drafter,
            advisor=OrganisationFactory(advisor=True, name=f"Adviesbureau {n}"),
        )


def _third_parties(agreement: Agreement, size: str) -> None:
    version = agreement.current_version()
    for n in range(_many(size, 1, 5)):
        Responsibility.objects.create(
            version=version,
            position=10 + n,
            task=f"Taak met anderen {n}",
            phase="orientation",
            initiative_role="C",
            municipality_role="I",
            third_parties=[{"name": f"Netbeheerder {n}", "role": "R"}, {"name": f"Corporatie {n}", "role": ""}],
        )


def _review_rounds(world, agreement: Agreement, size: str, *, end_in_review: bool) -> Agreement:
    """Submitted, sent back and edited ``rounds`` times (each round a new version); in review or a draft at the end."""
    rounds = _many(size, 1, 4)
    for n in range(rounds):
        agreement = agreement_submit(agreement=agreement, actor=world.drafter)
        comment_add(agreement=agreement, actor=world.reviewer, body=f"Ronde {n}", section_key="resources")
        agreement = agreement_request_changes(agreement=agreement, actor=world.reviewer, note=f"Ronde {n}")
        version = agreement.current_version()
        agreement_update_draft(
            agreement=agreement,
            actor=world.drafter,
            based_on_revision=version.revision,
            sections={"resources": f"Budget, ronde {n}."},
        )
    if end_in_review:
        agreement = agreement_submit(agreement=agreement, actor=world.drafter)
    return Agreement.objects.get(pk=agreement.pk)


def _signatures(world, agreement: Agreement, size: str) -> None:
    """Extra signatories for both parties; in the large shape one of them signed, and older void signatures."""
    version = agreement.frozen_version()
    for n in range(_many(size, 0, 4)):
        member(world.initiative, MembershipRole.SIGNATORY, full_name=f"Extra bestuurder {n}")
        member(world.municipality, MembershipRole.SIGNATORY, full_name=f"Extra wethouder {n}")
    if size == "large":
        Signature.objects.create(
            version=version,
            party=world.initiative,
            signer=world.initiative_signer1,
            content_hash=version.content_hash,
        )
        Signature.objects.create(
            version=version,
            party=world.municipality,
            signer=world.municipal_signer,
            content_hash=version.content_hash,
            voided_at=timezone.now(),
            voided_by=world.reviewer,
            void_reason="Heropend.",
        )


def draft_as_drafter(world, size: str) -> tuple[Agreement, User]:
    agreement = agreement_in(world, S.DRAFT)
    _advisors(world, agreement, size)
    _third_parties(agreement, size)
    return agreement, world.drafter


def draft_sent_back_as_drafter(world, size: str) -> tuple[Agreement, User]:
    agreement = _review_rounds(world, agreement_in(world, S.DRAFT), size, end_in_review=False)
    _comments(world, agreement, size)
    return agreement, world.drafter


def in_review_as_reviewer(world, size: str) -> tuple[Agreement, User]:
    agreement = agreement_submit(agreement=agreement_in(world, S.DRAFT), actor=world.drafter)
    _comments(world, agreement, size)
    _advisors(world, agreement, size)
    return agreement, world.reviewer


def later_round_as_reviewer(world, size: str) -> tuple[Agreement, User]:
    """In review again after rounds of changes: the page marks what changed since the round before."""
    agreement = _review_rounds(world, agreement_in(world, S.DRAFT), size, end_in_review=True)
    _comments(world, agreement, size)
    return agreement, world.reviewer


def approved_as_signatory(world, size: str) -> tuple[Agreement, User]:
    agreement = agreement_in(world, S.APPROVED)
    _signatures(world, agreement, size)
    return agreement, world.initiative_signer2


def signed_as_drafter(world, size: str) -> tuple[Agreement, User]:
    agreement = agreement_in(world, S.SIGNED)
    _signatures(world, agreement, size)
    _advisors(world, agreement, size)
    return agreement, world.drafter


def withdrawn_as_reviewer(world, size: str) -> tuple[Agreement, User]:
    agreement = agreement_in(world, S.WITHDRAWN)
    _advisors(world, agreement, size)
    return agreement, world.reviewer


def in_review_as_advisor(world, size: str) -> tuple[Agreement, User]:
    agreement = agreement_submit(agreement=agreement_in(world, S.DRAFT), actor=world.drafter)
    _comments(world, agreement, size)
    _advisors(world, agreement, size)
    return agreement, world.advisor


SCENARIOS = {
    "draft as drafter": draft_as_drafter,
    "draft sent back, as drafter": draft_sent_back_as_drafter,
    "in review as reviewer": in_review_as_reviewer,
    "later round as reviewer": later_round_as_reviewer,
    "approved as signatory": approved_as_signatory,
    "signed as drafter": signed_as_drafter,
    "withdrawn as reviewer": withdrawn_as_reviewer,
    "in review as advisor": in_review_as_advisor,
}
