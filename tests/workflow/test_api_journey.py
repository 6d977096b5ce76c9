"""The whole journey through the API alone, each person with nothing but their own token:
from a new draft to the sealed PDF, with a stale save, comments, advisors, a second round and the diff."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.choices import AgreementState as S
from agreements.models import Agreement
from tests.factories import PASSWORD
from workflow.demo.content import SECTIONS, decision_moments, responsibility_rows
from workflow.documents.signed import signed_document_create
from workflow.members.services.api_tokens import api_token_create
from workflow.models import ApiTokenScope

pytestmark = pytest.mark.django_db

API = "/api/v1"


def as_token(user, scope=ApiTokenScope.WRITE) -> APIClient:
    client = APIClient()
    name = f"Integratie {user.api_tokens.count() + 1}"
    secret = api_token_create(user=user, name=name, scope=scope).secret
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def ok(response, status=200) -> dict | list:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.json() if response.content else None


def test_from_a_new_draft_to_the_signed_pdf_through_the_api(world):
    drafter, reviewer = as_token(world.drafter), as_token(world.reviewer)

    # Who am I, and with whom: my initiative and the municipality come from the directory.
    mine = ok(drafter.get(f"{API}/organisations/?kind=initiative"))
    assert [(o["id"], o["my_roles"]) for o in mine] == [(world.initiative.pk, ["drafter"])]
    municipalities = {o["name"]: o["id"] for o in ok(drafter.get(f"{API}/organisations/?kind=municipality"))}
    assert municipalities["Gemeente Test"] == world.municipality.pk

    # Reviewers may not start agreements, and hear it before their body is looked at.
    assert reviewer.post(f"{API}/agreements/", {}, format="json").status_code == 403
    refused = drafter.post(f"{API}/agreements/", {"initiative": world.other_initiative.pk}, format="json")
    assert refused.status_code == 400 and {"title", "form", "phase", "municipality"} <= set(refused.json()["errors"])

    created = drafter.post(
        f"{API}/agreements/",
        {
            "initiative": world.initiative.pk,
            "municipality": world.municipality.pk,
            "title": "Warmte in Test-Oost",
            "form": "cooperation_agreement",
            "phase": "orientation",
            "neighbourhoods": [{"name": "Test-Oost", "cbs_code": "BU01930101"}],
        },
        format="json",
    )
    body = ok(created, 201)
    reference = body["reference"]
    assert body["state"] == S.DRAFT and created["Location"].endswith(f"{API}/agreements/{reference}/")

    draft = ok(drafter.get(f"{API}/agreements/{reference}/draft/"))
    assert draft["editable"] is True and set(draft["sections"]) == set(SECTIONS) and not any(draft["sections"].values())
    saved = ok(
        drafter.patch(
            f"{API}/agreements/{reference}/draft/",
            {
                "revision": draft["revision"],
                "sections": SECTIONS,
                "responsibilities": responsibility_rows(),
                "decision_moments": decision_moments(timezone.localdate()),
            },
            format="json",
        )
    )
    assert saved["revision"] == draft["revision"] + 1 and saved["sections"] == SECTIONS
    assert len(saved["responsibilities"]) == len(responsibility_rows())

    # A save based on what was read before that one is refused whole, with the revision now.
    stale = drafter.patch(
        f"{API}/agreements/{reference}/draft/",
        {"revision": draft["revision"], "title": "Overschreven"},
        format="json",
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_revision" and stale.json()["current_revision"] == saved["revision"]
    assert ok(drafter.get(f"{API}/agreements/{reference}/"))["title"] == "Warmte in Test-Oost"
    assert reviewer.patch(f"{API}/agreements/{reference}/draft/", {"revision": 0}, format="json").status_code == 403

    # An advisor reads along, and stops.
    advisors = ok(
        drafter.post(f"{API}/agreements/{reference}/advisors/", {"organisation": world.advisor_org.pk}, format="json"),
        201,
    )
    assert [a["name"] for a in advisors] == ["Participatiecoalitie Test"]
    assert ok(as_token(world.advisor, ApiTokenScope.READ).get(f"{API}/agreements/{reference}/"))["reference"]
    ok(drafter.delete(f"{API}/agreements/{reference}/advisors/{world.advisor_org.pk}/"), 204)
    assert as_token(world.advisor).get(f"{API}/agreements/{reference}/").status_code == 404

    # First round: a comment, a reply, changes asked for, a new version, the comment handled, and the diff.
    assert ok(drafter.post(f"{API}/agreements/{reference}/submit/"))["state"] == S.IN_REVIEW
    comment = ok(
        reviewer.post(
            f"{API}/agreements/{reference}/comments/", {"body": "Wie zit het projectteam voor?", "section_key": "roles"}
        ),
        201,
    )
    ok(drafter.post(f"{API}/agreements/{reference}/comments/", {"body": "De gemeente.", "parent": comment["id"]}), 201)
    asked = reviewer.post(f"{API}/agreements/{reference}/request-changes/", {"note": "Noem de voorzitter."})
    assert ok(asked)["state"] == S.DRAFT
    draft = ok(drafter.get(f"{API}/agreements/{reference}/draft/"))
    roles = draft["sections"]["roles"] + "\n\nDe gemeente zit het projectteam voor."
    ok(
        drafter.patch(
            f"{API}/agreements/{reference}/draft/",
            {"revision": draft["revision"], "sections": {"roles": roles}},
            format="json",
        )
    )
    resolved = ok(drafter.post(f"{API}/agreements/{reference}/comments/{comment['id']}/resolve/"))
    assert resolved["resolved_at"] is not None
    assert ok(drafter.post(f"{API}/agreements/{reference}/submit/"))["state"] == S.IN_REVIEW
    versions = ok(drafter.get(f"{API}/agreements/{reference}/versions/"))
    assert [v["number"] for v in versions] == [1, 2] and all(v["content_hash"] for v in versions)
    diff = ok(reviewer.get(f"{API}/agreements/{reference}/versions/compare/"))
    assert (diff["from_version"], diff["to_version"], diff["changed_total"]) == (1, 2, 1)
    changed = [s for s in diff["sections"] if s["changed"]]
    assert [s["key"] for s in changed] == ["roles"]
    inserted = "".join(segment["text"] for segment in changed[0]["segments"] if segment["op"] == "insert")
    assert "De gemeente zit het projectteam voor." in inserted
    assert ok(reviewer.get(f"{API}/agreements/{reference}/versions/2/"))["content_hash"] == versions[1]["content_hash"]

    # Approval and three signatures, each signatory with their own token and password.
    assert ok(reviewer.post(f"{API}/agreements/{reference}/approve/"))["state"] == S.APPROVED
    content_hash = versions[1]["content_hash"]
    for signer in (world.initiative_signer1, world.initiative_signer2, world.municipal_signer):
        signed = as_token(signer).post(
            f"{API}/agreements/{reference}/sign/",
            {"content_hash": content_hash, "authorised": True, "password": PASSWORD},
            format="json",
        )
        ok(signed)
    agreement = ok(drafter.get(f"{API}/agreements/{reference}/"))
    assert agreement["state"] == S.SIGNED and agreement["document"]

    # The worker makes the sealed PDF; then it is there for whoever reads the agreement.
    document = signed_document_create(version_id=Agreement.objects.get(reference=reference).frozen_version().pk)
    meta = ok(drafter.get(agreement["document"]))
    assert meta["sha256"] == document.sha256
    pdf = drafter.get(meta["download_url"], HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest() == document.sha256

    timeline = ok(drafter.get(f"{API}/agreements/{reference}/timeline/"))
    assert all(event["api_token"].startswith("Integratie ") for event in timeline)
    assert len(timeline) >= 12


def test_members_are_shown_to_the_organisations_admin_only(world):
    members = ok(
        as_token(world.initiative_admin, ApiTokenScope.READ).get(f"{API}/organisations/{world.initiative.pk}/members/")
    )
    emails = {m["email"]: m for m in members}
    assert {"drafter@example.org", "bestuur1@example.org"} <= set(emails)
    assert emails["drafter@example.org"]["roles"] == ["opsteller"]
    refused = as_token(world.drafter).get(f"{API}/organisations/{world.initiative.pk}/members/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert as_token(world.outsider).get(f"{API}/organisations/{world.initiative.pk}/members/").status_code == 404


def test_organisations_show_the_directory_and_the_initiatives_one_sees(world):
    names = {o["name"] for o in ok(as_token(world.reviewer).get(f"{API}/organisations/"))}
    assert {"Gemeente Test", "Gemeente Anders", "Participatiecoalitie Test"} <= names
    assert "Buurtwarmte Test-Oost" not in names and "Energie Anderdorp" not in names
