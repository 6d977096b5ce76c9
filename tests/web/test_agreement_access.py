"""Every agreement page per person: 404 if they cannot see it, 403 if they may not act, 409 in the wrong state."""

from __future__ import annotations

import pytest

from agreements.choices import AgreementState as S
from agreements.models import AdvisorAccess
from tests.web.agreement_support import agreement_in, url

pytestmark = pytest.mark.django_db

# (page, state, person, expected status)
CASES = [
    # The agreement page: both parties' members and granted advisors; nobody else.
    ("detail", S.DRAFT, "drafter", 200),
    ("detail", S.DRAFT, "reviewer", 200),
    ("detail", S.DRAFT, "initiative_signer1", 200),
    ("detail", S.DRAFT, "municipal_signer", 200),
    ("detail", S.DRAFT, "granted_advisor", 200),
    ("detail", S.DRAFT, "advisor", 404),
    ("detail", S.DRAFT, "outsider", 404),
    ("detail", S.DRAFT, "other_reviewer", 404),
    ("detail", S.SIGNED, "reviewer", 200),
    ("detail", S.WITHDRAWN, "drafter", 200),
    # The editor: drafters of the initiative, only while it is a draft.
    ("edit", S.DRAFT, "drafter", 200),
    ("edit", S.DRAFT, "reviewer", 403),
    ("edit", S.DRAFT, "initiative_signer1", 403),
    ("edit", S.DRAFT, "granted_advisor", 403),
    ("edit", S.DRAFT, "outsider", 404),
    ("edit", S.IN_REVIEW, "drafter", 409),
    ("edit", S.SIGNED, "drafter", 409),
    # Signing: signatories of either party, only when approved.
    ("sign", S.APPROVED, "initiative_signer1", 200),
    ("sign", S.APPROVED, "municipal_signer", 200),
    ("sign", S.APPROVED, "drafter", 403),
    ("sign", S.APPROVED, "reviewer", 403),
    ("sign", S.APPROVED, "granted_advisor", 403),
    ("sign", S.APPROVED, "outsider", 404),
    ("sign", S.DRAFT, "initiative_signer1", 409),
    ("sign", S.IN_REVIEW, "municipal_signer", 409),
    # Versions and their exact content: whoever sees the agreement.
    ("versions", S.IN_REVIEW, "reviewer", 200),
    ("versions", S.IN_REVIEW, "granted_advisor", 200),
    ("versions", S.IN_REVIEW, "outsider", 404),
    ("version_content", S.IN_REVIEW, "drafter", 200),
    ("version_content", S.DRAFT, "drafter", 404),
    ("version_content", S.IN_REVIEW, "outsider", 404),
]


def _person(world, agreement, name):
    if name == "granted_advisor":
        AdvisorAccess.objects.create(agreement=agreement, organisation=world.advisor_org, granted_by=world.drafter)
        return world.advisor
    return getattr(world, name)


@pytest.mark.parametrize(("page", "state", "person", "expected"), CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_page_by_role(client, world, page, state, person, expected):
    agreement = agreement_in(world, state)
    client.force_login(_person(world, agreement, person))
    kwargs = {"number": 1} if page == "version_content" else {}
    response = client.get(url(page, agreement, **kwargs))
    assert response.status_code == expected, response.content.decode()[:2000]
    if expected == 404:
        # Nothing of the agreement leaks onto the "not found" page.
        assert agreement.title not in response.content.decode()


@pytest.mark.parametrize("page", ["detail", "edit", "sign", "versions"])
def test_anonymous_is_sent_to_sign_in(client, world, page):
    agreement = agreement_in(world, S.APPROVED if page == "sign" else S.DRAFT)
    response = client.get(url(page, agreement))
    assert response.status_code == 302
    assert "/inloggen/" in response["Location"]


def test_unknown_reference_is_404(client, world):
    client.force_login(world.drafter)
    assert client.get("/afspraken/SK-0000-0000/").status_code == 404


@pytest.mark.parametrize(
    ("person", "expected"), [("drafter", 200), ("outsider", 200), ("reviewer", 403), ("advisor", 403)]
)
def test_create_page_is_for_initiative_drafters(client, world, person, expected):
    client.force_login(getattr(world, person))
    assert client.get("/afspraken/nieuw/").status_code == expected


def test_wrong_state_page_says_what_the_state_is(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    client.force_login(world.drafter)
    response = client.get(url("edit", agreement))
    assert response.status_code == 409
    html = response.content.decode()
    assert "in beoordeling" in html
    assert url("detail", agreement) in html


def test_version_content_is_the_hashed_bytes(client, world):
    import hashlib

    agreement = agreement_in(world, S.APPROVED)
    client.force_login(world.reviewer)
    response = client.get(url("version_content", agreement, number=1))
    assert hashlib.sha256(response.content).hexdigest() == agreement.frozen_version().content_hash
