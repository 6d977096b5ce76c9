"""Advisors read along: their comments are advisory notes that never block approval, and they resolve nothing."""

import pytest
from rest_framework.test import APIClient

from agreements.choices import AgreementState as S
from agreements.choices import AuditAction
from agreements.models import AuditEvent
from tests.factories import AgreementFactory
from workflow.core.access import is_party_member, may_resolve_comment
from workflow.core.exceptions import Conflict, NotPermitted
from workflow.lifecycle.services.advisors import advisor_grant
from workflow.lifecycle.services.comments import comment_add, comment_resolve
from workflow.lifecycle.services.review import agreement_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(world):
    agreement = AgreementFactory(in_review=True, initiative=world.initiative, municipality=world.municipality)
    advisor_grant(agreement=agreement, actor=world.drafter, advisor=world.advisor_org)
    return agreement


def test_party_membership_is_any_role_in_either_party(world, in_review):
    for person in ("drafter", "initiative_signer1", "initiative_admin", "reviewer", "municipal_signer"):
        assert is_party_member(getattr(world, person), in_review), person
    assert not is_party_member(world.advisor, in_review)
    assert not is_party_member(world.outsider, in_review)


def test_an_advisors_comment_and_reply_are_advisory_a_partys_reply_is_not(world, in_review):
    note = comment_add(agreement=in_review, actor=world.advisor, body="Kijk eens naar Zwolle.", section_key="aim")
    assert note.is_advisory
    party_reply = comment_add(agreement=in_review, actor=world.reviewer, body="Goed idee.", parent=note)
    assert not party_reply.is_advisory
    advisor_reply = comment_add(agreement=in_review, actor=world.advisor, body="Graag gedaan.", parent=note)
    assert advisor_reply.is_advisory
    party_comment = comment_add(agreement=in_review, actor=world.reviewer, body="Hoeveel woningen?")
    assert not party_comment.is_advisory
    # An advisor answering a party's comment gives advice too.
    assert comment_add(agreement=in_review, actor=world.advisor, body="Zo'n 450.", parent=party_comment).is_advisory


def test_an_advisors_note_never_blocks_approval(world, in_review):
    note = comment_add(agreement=in_review, actor=world.advisor, body="Kijk eens naar Zwolle.")
    # Neither does the thread it starts, whoever answers it.
    comment_add(agreement=in_review, actor=world.reviewer, body="Nemen we mee.", parent=note)
    comment_add(agreement=in_review, actor=world.advisor, body="Prima.", parent=note)
    assert in_review.unresolved_comments().count() == 0
    approved = agreement_approve(agreement=in_review, actor=world.reviewer)
    assert approved.state == S.APPROVED
    note.refresh_from_db()
    assert note.resolved_at is None


def test_a_partys_open_comment_still_blocks_next_to_advice(world, in_review):
    comment_add(agreement=in_review, actor=world.advisor, body="Een advies.")
    comment_add(agreement=in_review, actor=world.reviewer, body="Een vraag.")
    with pytest.raises(Conflict) as caught:
        agreement_approve(agreement=in_review, actor=world.reviewer)
    assert "nog 1 open" in caught.value.message


def test_an_advisor_resolves_nothing_not_even_their_own_note(world, in_review):
    note = comment_add(agreement=in_review, actor=world.advisor, body="Een advies.")
    question = comment_add(agreement=in_review, actor=world.reviewer, body="Een vraag.")
    events_before = AuditEvent.objects.filter(agreement=in_review).count()
    for comment in (note, question):
        assert not may_resolve_comment(world.advisor, comment, in_review)
        with pytest.raises(NotPermitted) as caught:
            comment_resolve(comment=comment, actor=world.advisor)
        assert "Alleen de partijen handelen opmerkingen af" in caught.value.message
        comment.refresh_from_db()
        assert comment.resolved_at is None
    assert AuditEvent.objects.filter(agreement=in_review).count() == events_before


def test_an_advisory_note_is_never_resolved(world, in_review):
    note = comment_add(agreement=in_review, actor=world.advisor, body="Een advies.")
    assert not may_resolve_comment(world.drafter, note, in_review)
    with pytest.raises(Conflict) as caught:
        comment_resolve(comment=note, actor=world.drafter)
    assert "hoeft niet te worden afgehandeld" in caught.value.message
    note.refresh_from_db()
    assert note.resolved_at is None
    assert not AuditEvent.objects.filter(agreement=in_review, action=AuditAction.COMMENT_RESOLVED).exists()


def test_the_api_says_which_comments_are_advice(world, in_review):
    advisor_api = APIClient()
    advisor_api.force_authenticate(world.advisor)
    url = f"/api/v1/agreements/{in_review.reference}/comments/"
    created = advisor_api.post(url, {"body": "Een advies."})
    assert created.status_code == 201 and created.json()["is_advisory"] is True
    # Read-only: nobody makes a party's comment advice (or the reverse) by saying so.
    reviewer_api = APIClient()
    reviewer_api.force_authenticate(world.reviewer)
    created = reviewer_api.post(url, {"body": "Een vraag.", "is_advisory": True})
    assert created.status_code == 201 and created.json()["is_advisory"] is False
    listed = {c["body"]: c["is_advisory"] for c in reviewer_api.get(url).json()}
    assert listed == {"Een advies.": True, "Een vraag.": False}


def test_the_schema_shows_is_advisory_read_only(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    comment = schema["components"]["schemas"]["Comment"]
    assert comment["properties"]["is_advisory"]["type"] == "boolean"
    assert comment["properties"]["is_advisory"]["readOnly"] is True


def test_a_signed_agreement_takes_no_advice_either(world):
    signed = AgreementFactory(signed=True, initiative=world.initiative, municipality=world.municipality)
    advisor_grant(agreement=signed, actor=world.drafter, advisor=world.advisor_org)
    with pytest.raises(Conflict):
        comment_add(agreement=signed, actor=world.advisor, body="Te laat.")
