"""Every endpoint × person × own or other organisation × method, once with a session and once with a token.

The expected answers follow the rules of the site: 404 for whoever cannot see the agreement (also an
advisor not granted it), 403 for whoever sees it but may not take the action, 2xx for whoever may. The
person's organisation decides: the same role in another municipality sees nothing.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from agreements.choices import AgreementState as S
from agreements.choices import MembershipRole
from agreements.models import AdvisorAccess, Comment
from tests.factories import PASSWORD, AgreementFactory, OrganisationFactory, member
from workflow.members.services.api_tokens import api_token_create
from workflow.models import ApiTokenScope

pytestmark = pytest.mark.django_db

PEOPLE = (
    "drafter",
    "reviewer",
    "initiative_signer1",
    "municipal_signer",
    "granted_advisor",
    "advisor",
    "outsider",
    "other_reviewer",
)
SEES = {"drafter", "reviewer", "initiative_signer1", "municipal_signer", "granted_advisor"}


def readers(ok: int = 200) -> dict[str, int]:
    return {person: ok if person in SEES else 404 for person in PEOPLE}


def only(ok: int, *who: str) -> dict[str, int]:
    """``ok`` for ``who``; 403 for the others who see the agreement; 404 for those who do not."""
    return {person: ok if person in who else (403 if person in SEES else 404) for person in PEOPLE}


# (method, path under the agreement, the agreement's state, body, expected status per person)
CASES = [
    ("get", "", S.IN_REVIEW, None, readers()),
    ("get", "draft/", S.DRAFT, None, readers()),
    ("get", "timeline/", S.IN_REVIEW, None, readers()),
    ("get", "comments/", S.IN_REVIEW, None, readers()),
    ("get", "advisors/", S.DRAFT, None, readers()),
    ("get", "versions/", S.IN_REVIEW, None, readers()),
    ("get", "versions/compare/", S.IN_REVIEW, None, readers()),
    ("get", "preview/", S.DRAFT, None, readers()),
    ("get", "versions/1/", S.IN_REVIEW, None, readers()),
    ("get", "dossier/", S.SIGNED, None, only(200, "drafter", "reviewer", "initiative_signer1", "municipal_signer")),
    ("patch", "draft/", S.DRAFT, {"revision": "{revision}", "title": "Nieuwe titel"}, only(200, "drafter")),
    ("post", "submit/", S.DRAFT, {}, only(200, "drafter")),
    ("post", "withdraw/", S.DRAFT, {}, only(200, "drafter")),
    ("post", "advisors/", S.DRAFT, {"organisation": "{new_advisor_org}"}, only(201, "drafter")),
    ("post", "approve/", S.IN_REVIEW, {}, only(200, "reviewer")),
    ("post", "request-changes/", S.IN_REVIEW, {"note": "Graag aanvullen."}, only(200, "reviewer")),
    (
        "post",
        "comments/",
        S.IN_REVIEW,
        {"body": "Een vraag."},
        only(201, "drafter", "reviewer", "initiative_signer1", "municipal_signer", "granted_advisor"),
    ),
    (
        "post",
        "sign/",
        S.APPROVED,
        {"content_hash": "{hash}", "authorised": True, "password": PASSWORD},
        only(200, "initiative_signer1", "municipal_signer"),
    ),
    ("post", "reopen/", S.APPROVED, {"note": "Nog niet."}, only(200, "drafter", "reviewer")),
    ("post", "decline/", S.APPROVED, {"reason": "Zo niet."}, only(200, "initiative_signer1", "municipal_signer")),
    ("post", "amend/", S.SIGNED, {}, only(200, "drafter")),
    ("delete", "advisors/{advisor_org}/", S.DRAFT, None, only(204, "drafter")),
    ("post", "comments/{comment}/resolve/", S.IN_REVIEW, None, only(200, "drafter", "reviewer")),
    ("post", "preview/", S.DRAFT, None, only(202, "drafter", "reviewer", "initiative_signer1", "municipal_signer")),
    (
        "post",
        "dossier/",
        S.SIGNED,
        None,
        only(202, "drafter", "reviewer", "initiative_signer1", "municipal_signer"),
    ),
]


def _client(user, auth: str) -> APIClient:
    client = APIClient()
    if auth == "session":
        client.force_login(user)
    else:
        secret = api_token_create(
            user=user, name=f"Matrix {user.api_tokens.count() + 1}", scope=ApiTokenScope.WRITE
        ).secret
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _agreement_and_url(world, state: str, path: str):
    """An agreement in ``state`` that the world's advisor organisation reads along with, and the path's URL."""
    agreement = AgreementFactory(
        initiative=world.initiative, municipality=world.municipality, content=True, state=state
    )
    AdvisorAccess.objects.create(agreement=agreement, organisation=world.advisor_org, granted_by=world.drafter)
    comment_id = 0
    if "{comment}" in path:  # an open comment would hold up approval elsewhere
        comment_id = Comment.objects.create(version=agreement.current_version(), author=world.reviewer, body="?").pk
    path = path.format(advisor_org=world.advisor_org.pk, comment=comment_id)
    return agreement, f"/api/v1/agreements/{agreement.reference}/{path}"


def _filled(body, *, world, agreement):
    """The body with its placeholders filled in for this agreement."""
    if body is None:
        return None
    frozen = agreement.frozen_version()
    values = {
        "{new_advisor_org}": world.new_advisor_org.pk,
        "{hash}": frozen.content_hash if frozen else "",
        "{revision}": agreement.current_version().revision,
    }
    return {key: values.get(value, value) if isinstance(value, str) else value for key, value in body.items()}


@pytest.mark.parametrize("auth", ["session", "token"])
@pytest.mark.parametrize(
    ("method", "path", "state", "body", "expected"), CASES, ids=[f"{c[0]}-{c[1] or 'detail'}-{c[2]}" for c in CASES]
)
def test_each_person_gets_what_the_rules_say(world, auth, method, path, state, body, expected):
    # The world's advisor organisation reads along with every agreement here; "advisor" is someone of another one.
    world.granted_advisor = world.advisor
    other_advisor_org = OrganisationFactory(advisor=True, name="Ander adviesbureau")
    world.advisor = member(other_advisor_org, MembershipRole.DRAFTER, email="ander-advies@example.org")
    world.new_advisor_org = OrganisationFactory(advisor=True, name="Nog een adviesbureau")
    answers = {}
    for person in PEOPLE:
        # A fresh agreement per person: one's action must not change the state the next one meets.
        agreement, url = _agreement_and_url(world, state, path)
        client = _client(getattr(world, person), auth)
        response = getattr(client, method)(url, _filled(body, world=world, agreement=agreement), format="json")
        answers[person] = response.status_code
    assert answers == expected


@pytest.mark.parametrize("auth", ["session", "token"])
def test_organisations_and_members_by_organisation(world, auth):
    admin = member(world.municipality, MembershipRole.ADMIN, email="beheer@gemeente.example.org")
    url = f"/api/v1/organisations/{world.municipality.pk}/members/"
    assert _client(admin, auth).get(url).status_code == 200
    assert _client(world.reviewer, auth).get(url).status_code == 403  # a member, not its admin
    assert _client(world.other_reviewer, auth).get(url).status_code == 404  # another municipality's
    assert _client(world.reviewer, auth).get("/api/v1/organisations/").status_code == 200


UNSAFE = [case for case in CASES if case[0] != "get"]


@pytest.mark.parametrize(
    ("method", "path", "state", "body", "expected"), UNSAFE, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in UNSAFE]
)
def test_a_read_only_token_is_refused_every_change(world, method, path, state, body, expected):
    person = next(who for who, status in expected.items() if status < 300)
    agreement = AgreementFactory(
        initiative=world.initiative, municipality=world.municipality, content=True, state=state
    )
    AdvisorAccess.objects.create(agreement=agreement, organisation=world.advisor_org, granted_by=world.drafter)
    comment = Comment.objects.create(version=agreement.current_version(), author=world.reviewer, body="Vraag?")
    world.new_advisor_org = OrganisationFactory(advisor=True, name="Nog een adviesbureau")
    client = APIClient()
    secret = api_token_create(user=getattr(world, person), name="Lezen", scope=ApiTokenScope.READ).secret
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = f"/api/v1/agreements/{agreement.reference}/" + path.format(
        advisor_org=world.advisor_org.pk, comment=comment.pk
    )
    response = getattr(client, method)(url, _filled(body, world=world, agreement=agreement), format="json")
    assert response.status_code == 403 and "alleen lezen" in response.json()["message"]
    agreement.refresh_from_db()
    assert agreement.state == state
