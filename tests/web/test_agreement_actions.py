"""The actions on the agreement page, per role and state, through the pages as a browser posts them."""

from __future__ import annotations

import pytest

from agreements.choices import AgreementState as S
from agreements.choices import AuditAction
from agreements.models import AdvisorAccess, Agreement, Comment
from tests.web.agreement_support import agreement_in, text_of, url

pytestmark = pytest.mark.django_db

# (action, state, person, posted data, expected status, state afterwards)
CASES = [
    ("submit", S.DRAFT, "drafter", {}, 302, S.IN_REVIEW),
    ("submit", S.DRAFT, "reviewer", {}, 403, S.DRAFT),
    ("submit", S.DRAFT, "outsider", {}, 404, S.DRAFT),
    ("submit", S.IN_REVIEW, "drafter", {}, 409, S.IN_REVIEW),
    ("request_changes", S.IN_REVIEW, "reviewer", {"note": "Graag de escalatie uitwerken."}, 302, S.DRAFT),
    ("request_changes", S.IN_REVIEW, "reviewer", {"note": "  "}, 400, S.IN_REVIEW),
    ("request_changes", S.IN_REVIEW, "drafter", {"note": "Zelf terugsturen"}, 403, S.IN_REVIEW),
    ("request_changes", S.IN_REVIEW, "other_reviewer", {"note": "x"}, 404, S.IN_REVIEW),
    ("request_changes", S.DRAFT, "reviewer", {"note": "Te vroeg"}, 409, S.DRAFT),
    ("approve", S.IN_REVIEW, "reviewer", {}, 302, S.APPROVED),
    ("approve", S.IN_REVIEW, "drafter", {}, 403, S.IN_REVIEW),
    ("approve", S.IN_REVIEW, "municipal_signer", {}, 403, S.IN_REVIEW),
    ("approve", S.IN_REVIEW, "outsider", {}, 404, S.IN_REVIEW),
    ("approve", S.APPROVED, "reviewer", {}, 409, S.APPROVED),
    ("reopen", S.APPROVED, "drafter", {"reopen-note": "Nog een taak erbij"}, 302, S.DRAFT),
    ("reopen", S.APPROVED, "reviewer", {}, 302, S.DRAFT),
    ("reopen", S.APPROVED, "initiative_signer1", {}, 403, S.APPROVED),
    ("reopen", S.DRAFT, "drafter", {}, 409, S.DRAFT),
    ("withdraw", S.IN_REVIEW, "drafter", {"withdraw-note": "We stoppen"}, 302, S.WITHDRAWN),
    ("withdraw", S.IN_REVIEW, "reviewer", {}, 403, S.IN_REVIEW),
    ("withdraw", S.SIGNED, "drafter", {}, 409, S.SIGNED),
    ("amend", S.SIGNED, "drafter", {}, 302, S.SIGNED),
    ("amend", S.SIGNED, "reviewer", {}, 403, S.SIGNED),
    ("amend", S.DRAFT, "drafter", {}, 409, S.DRAFT),
]


@pytest.mark.parametrize(
    ("action", "state", "person", "data", "expected", "after"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[4]}" for c in CASES],
)
def test_action_by_role_and_state(client, world, action, state, person, data, expected, after):
    agreement = agreement_in(world, state)
    client.force_login(getattr(world, person))
    response = client.submit(url(action, agreement), data)
    assert response.status_code == expected, text_of(response)[:2000]
    agreement.refresh_from_db()
    assert agreement.state == after
    if expected == 409:
        # The agreement page as it is now, with a message that names the state; never an error trace.
        html = text_of(response)
        assert 'id="conflict"' in html or "Foutcode 409" in html
        assert str(agreement.get_state_display()) in html


def test_request_changes_without_note_shows_the_error_next_to_the_field(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    client.force_login(world.reviewer)
    html = text_of(client.submit(url("request_changes", agreement), {"note": ""}))
    assert "Schrijf op welke wijzigingen u vraagt." in html
    assert 'aria-invalid="true"' in html


def test_second_reviewer_acting_after_the_first_gets_a_friendly_409(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    client.force_login(world.reviewer)
    assert client.submit(url("approve", agreement)).status_code == 302
    client.force_login(world.reviewer2)
    response = client.submit(url("request_changes", agreement), {"note": "Toch nog iets"})
    assert response.status_code == 409
    html = text_of(response)
    assert "goedgekeurd" in html
    assert "Dat lukte niet." in html


def test_approve_with_an_open_comment_says_so(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    Comment.objects.create(version=agreement.frozen_version(), author=world.reviewer, body="Vraag", section_key="aim")
    client.force_login(world.reviewer)
    page = text_of(client.get(url("detail", agreement)))
    assert "Er staat nog 1 opmerking open." in page
    assert url("approve", agreement) not in page  # not offered, because it would not succeed
    response = client.submit(url("approve", agreement))
    assert response.status_code == 409
    assert "opmerkingen zijn afgehandeld" in text_of(response)


def test_amend_opens_the_new_draft_in_the_editor(client, world):
    agreement = agreement_in(world, S.SIGNED)
    client.force_login(world.drafter)
    response = client.submit(url("amend", agreement))
    amendment = Agreement.objects.get(supersedes=agreement)
    assert response["Location"] == url("edit", amendment)
    assert client.submit(url("amend", agreement)).status_code == 409  # one open amendment at a time


def test_submit_incomplete_lists_what_is_missing(client, world):
    agreement = agreement_in(world, S.DRAFT, content=False)
    client.force_login(world.drafter)
    response = client.submit(url("submit", agreement))
    assert response.status_code == 409
    html = text_of(response)
    assert "Doel en ambitie" in html and "nog leeg" in html
    assert "uitvoerend (R) of eindverantwoordelijk (A)" in html


# --- comments --------------------------------------------------------------------------------------


def test_comment_reply_and_resolve(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    client.force_login(world.reviewer)
    response = client.submit(url("comment_add", agreement), {"body": "Hoeveel woningen?", "section_key": "aim"})
    assert response.status_code == 302
    comment = Comment.objects.get(body="Hoeveel woningen?")
    assert comment.section_key == "aim" and comment.author == world.reviewer

    client.force_login(world.drafter)
    response = client.submit(
        url("comment_add", agreement), {"body": "Ongeveer 450.", "section_key": "aim", "parent": comment.pk}
    )
    assert response.status_code == 302
    assert comment.replies.get().body == "Ongeveer 450."
    html = text_of(client.get(url("detail", agreement)))
    assert "Hoeveel woningen?" in html and "Ongeveer 450." in html

    assert client.submit(url("comment_resolve", agreement, comment_id=comment.pk)).status_code == 302
    comment.refresh_from_db()
    assert comment.resolved_by == world.drafter
    # Twice is a conflict, not an error.
    assert client.submit(url("comment_resolve", agreement, comment_id=comment.pk)).status_code == 409


def test_only_the_author_or_a_drafter_resolves(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    comment = Comment.objects.create(version=agreement.frozen_version(), author=world.reviewer, body="Vraag")
    client.force_login(world.municipal_signer)
    assert client.submit(url("comment_resolve", agreement, comment_id=comment.pk)).status_code == 403
    client.force_login(world.outsider)
    assert client.submit(url("comment_resolve", agreement, comment_id=comment.pk)).status_code == 404


def test_granted_advisor_may_comment(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    AdvisorAccess.objects.create(agreement=agreement, organisation=world.advisor_org, granted_by=world.drafter)
    client.force_login(world.advisor)
    assert client.submit(url("comment_add", agreement), {"body": "Tip: kijk naar Zwolle."}).status_code == 302


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Schrijf eerst uw opmerking."), ("x" * 5001, "hoogstens 5000 tekens")],
)
def test_comment_is_validated_next_to_its_field(client, world, body, message):
    agreement = agreement_in(world, S.IN_REVIEW)
    client.force_login(world.reviewer)
    response = client.submit(url("comment_add", agreement), {"body": body, "section_key": "resources"})
    assert response.status_code == 400
    html = text_of(response)
    assert message in html
    assert 'id="id_body_resources_error1"' in html
    assert not Comment.objects.exists()


def test_comment_on_a_signed_agreement_is_a_conflict(client, world):
    agreement = agreement_in(world, S.SIGNED)
    client.force_login(world.reviewer)
    assert client.submit(url("comment_add", agreement), {"body": "Te laat"}).status_code == 409


def test_comment_text_is_escaped(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    client.force_login(world.reviewer)
    client.submit(url("comment_add", agreement), {"body": "<script>alert(1)</script>", "section_key": "aim"})
    html = text_of(client.get(url("detail", agreement)))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- advisors --------------------------------------------------------------------------------------


def test_drafter_grants_and_revokes_an_advisor(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    assert client.submit(url("advisor_grant", agreement), {"advisor": world.advisor_org.pk}).status_code == 302
    assert AdvisorAccess.objects.filter(agreement=agreement, organisation=world.advisor_org).exists()
    revoke = url("advisor_revoke", agreement, organisation_id=world.advisor_org.pk)
    assert client.submit(revoke).status_code == 302
    assert not AdvisorAccess.objects.exists()
    assert client.submit(revoke).status_code == 409


def test_advisor_grant_by_role(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.reviewer)
    assert client.submit(url("advisor_grant", agreement), {"advisor": world.advisor_org.pk}).status_code == 403
    client.force_login(world.outsider)
    assert client.submit(url("advisor_grant", agreement), {"advisor": world.advisor_org.pk}).status_code == 404
    client.force_login(world.drafter)
    response = client.submit(url("advisor_grant", agreement), {"advisor": world.other_initiative.pk})
    assert response.status_code == 400
    assert "Kies een adviesorganisatie uit de lijst." in text_of(response)


# --- what the page offers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "person", "offered", "not_offered"),
    [
        (S.DRAFT, "drafter", ["edit", "submit", "withdraw"], ["approve", "sign", "reopen"]),
        (S.DRAFT, "reviewer", [], ["edit", "submit", "approve", "request_changes"]),
        (S.IN_REVIEW, "reviewer", ["approve", "request_changes"], ["edit", "sign", "reopen"]),
        (S.IN_REVIEW, "drafter", ["withdraw"], ["edit", "submit", "approve"]),
        (S.APPROVED, "initiative_signer1", ["sign"], ["approve", "reopen", "edit"]),
        (S.APPROVED, "reviewer", ["reopen"], ["approve", "sign"]),
        (S.SIGNED, "drafter", ["amend"], ["withdraw", "reopen", "edit"]),
        (S.SIGNED, "initiative_signer1", [], ["sign", "amend"]),
    ],
)
def test_the_page_offers_only_what_would_succeed(client, world, state, person, offered, not_offered):
    agreement = agreement_in(world, state)
    client.force_login(getattr(world, person))
    html = text_of(client.get(url("detail", agreement)))
    for action in offered:
        assert url(action, agreement) in html, action
    for action in not_offered:
        assert url(action, agreement) not in html, action


def test_timeline_shows_what_happened(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    client.force_login(world.reviewer)
    client.submit(url("request_changes", agreement), {"note": "Meer over het budget, graag."})
    html = text_of(client.get(url("detail", agreement)))
    assert "Wijzigingen gevraagd" in html
    assert "Meer over het budget, graag." in html
    assert agreement.audit_events.filter(action=AuditAction.CHANGES_REQUESTED, actor=world.reviewer).exists()


@pytest.mark.parametrize("state", [S.DRAFT, S.IN_REVIEW, S.APPROVED, S.SIGNED])
def test_the_page_offers_advisor_access_in_every_state_the_service_allows(client, world, state):
    # The page once offered it only while the agreement was open, the service and the API in every state.
    agreement = agreement_in(world, state)
    client.force_login(world.drafter)
    page = client.get(url("detail", agreement)).content.decode()
    assert url("advisor_grant", agreement) in page
    assert client.submit(url("advisor_grant", agreement), {"advisor": world.advisor_org.pk}).status_code == 302
    assert AdvisorAccess.objects.filter(agreement=agreement, organisation=world.advisor_org).exists()
