"""The REST API answers 404 / 403 / 409 (docs/architecture.md, "Conventions") and writes through services."""

import pytest
from rest_framework.test import APIClient

from agreements.choices import AgreementState as S
from tests.factories import PASSWORD, AgreementFactory


@pytest.fixture
def api(world):
    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


@pytest.fixture
def in_review(world):
    return AgreementFactory(in_review=True, initiative=world.initiative, municipality=world.municipality)


def test_list_shows_only_visible_agreements(world, api, in_review):
    elsewhere = AgreementFactory(initiative=world.other_initiative, municipality=world.other_municipality)
    response = api(world.reviewer).get("/api/v1/agreements/")
    assert response.status_code == 200
    references = [a["reference"] for a in response.json()["results"]]
    assert references == [in_review.reference]
    assert elsewhere.reference not in references


def test_anonymous_gets_401_that_says_how_to_authenticate(db, in_review):
    response = APIClient().get("/api/v1/agreements/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="samenkader"'
    assert response.json()["code"] == "not_authenticated"


def test_detail_has_version_content_and_hash(world, api, in_review):
    body = api(world.drafter).get(f"/api/v1/agreements/{in_review.reference}/").json()
    assert body["state"] == S.IN_REVIEW
    assert body["version"]["content_hash"] == in_review.frozen_version().content_hash
    assert len(body["version"]["sections"]) == 9


def test_not_visible_is_404_not_permitted_is_403(world, api, in_review):
    assert api(world.outsider).post(f"/api/v1/agreements/{in_review.reference}/approve/").status_code == 404
    response = api(world.drafter).post(f"/api/v1/agreements/{in_review.reference}/approve/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_approve_then_a_second_approval_is_409_with_the_state(world, api, in_review):
    response = api(world.reviewer).post(f"/api/v1/agreements/{in_review.reference}/approve/")
    assert response.status_code == 200 and response.json()["state"] == S.APPROVED
    response = api(world.reviewer2).post(f"/api/v1/agreements/{in_review.reference}/approve/")
    assert response.status_code == 409
    body = response.json()
    assert body["state"] == S.APPROVED and "goedgekeurd" in body["message"]


def test_request_changes_without_note_is_400(world, api, in_review):
    response = api(world.reviewer).post(f"/api/v1/agreements/{in_review.reference}/request-changes/", {"note": ""})
    assert response.status_code == 400
    assert "note" in response.json()["errors"]


def test_submit_incomplete_is_409_with_what_is_missing(world, api):
    draft = AgreementFactory(initiative=world.initiative, municipality=world.municipality)
    response = api(world.drafter).post(f"/api/v1/agreements/{draft.reference}/submit/")
    assert response.status_code == 409
    assert len(response.json()["missing"]) == 11


def test_sign_and_comment(world, api):
    approved = AgreementFactory(approved=True, initiative=world.initiative, municipality=world.municipality)
    content_hash = approved.frozen_version().content_hash
    url = f"/api/v1/agreements/{approved.reference}/sign/"
    signer = api(world.municipal_signer)
    refused = signer.post(url, {"content_hash": content_hash, "authorised": True, "password": "wrong"})
    # The service checks the password (after permission) and answers in the API's InvalidInput shape.
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["password"]
    refused = signer.post(url, {"content_hash": content_hash, "authorised": False, "password": PASSWORD})
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["authorised"]
    assert not approved.frozen_version().signatures.exists()
    response = signer.post(url, {"content_hash": content_hash, "authorised": True, "password": PASSWORD})
    assert response.status_code == 200
    signing = {s["party"]: s for s in response.json()["signing"]}
    assert signing[world.municipality.name]["complete"] is True
    assert signing[world.initiative.name]["signed"] == 0

    response = api(world.advisor).post(f"/api/v1/agreements/{approved.reference}/comments/", {"body": "Vraag"})
    assert response.status_code == 404  # the advisor was not granted on this one


def test_timeline_lists_the_audit_log(world, api, in_review):
    api(world.reviewer).post(f"/api/v1/agreements/{in_review.reference}/approve/")
    events = api(world.drafter).get(f"/api/v1/agreements/{in_review.reference}/timeline/").json()
    assert [e["action"] for e in events] == ["approved"]


def test_schema_is_generated(client, db):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_the_agreement_detail_asks_a_fixed_number_of_queries(world, api, django_assert_max_num_queries):
    approved = AgreementFactory(approved=True, initiative=world.initiative, municipality=world.municipality)
    client = api(world.reviewer)
    url = f"/api/v1/agreements/{approved.reference}/"
    # Session and user, one's memberships, the agreement, its current version with sections, role division
    # and decisions, the frozen version, and one query for both parties' signatures and signatories.
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    assert [s["complete"] for s in response.json()["signing"]] == [False, False]


def test_the_list_s_count_comes_from_the_cache_and_follows_a_change(
    world, api, in_review, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from workflow.lifecycle.services.drafting import agreement_create

    def listing(**params):
        """As a new request meets the person: nothing of theirs read yet."""
        return api(type(world.reviewer).objects.get(pk=world.reviewer.pk)).get("/api/v1/agreements/", params).json()

    assert listing()["count"] == 1
    client = api(type(world.reviewer).objects.get(pk=world.reviewer.pk))
    # The person's memberships and the page's rows: the count is not asked again.
    with django_assert_num_queries(2):
        assert client.get("/api/v1/agreements/").json()["count"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        agreement_create(
            actor=world.drafter,
            initiative=world.initiative,
            municipality=world.municipality,
            title="Warmtenet West",
            form="letter_of_intent",
            phase="orientation",
        )
    listed = listing()
    assert listed["count"] == 2 and len(listed["results"]) == 2
    assert listing(state="in_review")["count"] == 1
