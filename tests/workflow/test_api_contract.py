"""What a generated client relies on: one error shape, documented for every operation; downloads by media type."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.documents.helpers import signed_agreement
from tests.factories import AgreementFactory
from workflow.documents.previews import document_preview_render
from workflow.documents.signed import signed_document_create

pytestmark = pytest.mark.django_db

READ_ERRORS = {"401", "403", "404"}
WRITE_ERRORS = {"400", "401", "403", "404", "409"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        out = io.StringIO()
        call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    return json.loads(out.getvalue())


def test_every_operation_documents_its_errors_in_the_one_shape(schema):
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) >= 14
    for path, method, operation in operations:
        expected = READ_ERRORS if method == "get" else WRITE_ERRORS
        assert expected <= set(operation["responses"]), (method, path)
        for code in expected:
            content = operation["responses"][code]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (method, path, code)
        assert {"tokenAuth": []} in operation["security"], (method, path)
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message"}
    assert {"state", "errors", "current_revision", "missing"} <= set(error["properties"])
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["tokenAuth"]["description"],
    }


def test_the_signed_document_is_linked_from_the_agreement_and_served_as_pdf_when_asked(world):
    agreement = signed_agreement(world)
    client = APIClient()
    client.force_authenticate(world.reviewer)
    detail = client.get(f"/api/v1/agreements/{agreement.reference}/").json()
    assert detail["document"] == f"http://testserver/api/v1/agreements/{agreement.reference}/document/"
    pdf_url = f"/api/v1/agreements/{agreement.reference}/document.pdf"
    not_yet = client.get(pdf_url, HTTP_ACCEPT="application/pdf")
    assert not_yet.status_code == 404 and not_yet["Content-Type"] == "application/json"
    assert not_yet.json()["code"] == "not_found"

    document = signed_document_create(version_id=agreement.frozen_version().pk)
    meta = client.get(detail["document"]).json()
    for accept in ("application/pdf", "*/*", "application/json"):
        response = client.get(meta["download_url"], HTTP_ACCEPT=accept)
        assert response.status_code == 200, accept
        assert response["Content-Type"] == "application/pdf"
        assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == document.sha256
    assert client.get(pdf_url, HTTP_ACCEPT="text/html").status_code == 406


def test_a_draft_has_no_document_link(world):
    draft = AgreementFactory(initiative=world.initiative, municipality=world.municipality)
    client = APIClient()
    client.force_authenticate(world.drafter)
    assert client.get(f"/api/v1/agreements/{draft.reference}/").json()["document"] is None


def test_errors_have_one_shape(world):
    client = APIClient()
    client.force_authenticate(world.drafter)
    cases = {
        ("get", "/api/v1/agreements/SK-0000-0000/"): (404, "not_found"),
        ("delete", "/api/v1/agreements/"): (405, "method_not_allowed"),
        # An address that matches no endpoint at all (Django's own 404) answers in the same shape.
        ("get", "/api/v1/agreements/SK-1/advisors/-5/"): (404, "not_found"),
    }
    for (method, url), (status, code) in cases.items():
        response = getattr(client, method)(url)
        assert response.status_code == status
        assert response.json()["code"] == code and response.json()["message"]
    in_review = AgreementFactory(in_review=True, initiative=world.initiative, municipality=world.municipality)
    client.force_authenticate(world.reviewer)
    url = f"/api/v1/agreements/{in_review.reference}/request-changes/"
    broken = client.post(url, "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["code"] == "parse_error" and broken.json()["message"]
    too_long = client.post(url, {"note": "x" * 6000}, format="json")
    assert too_long.status_code == 400 and list(too_long.json()["errors"]) == ["note"]


def test_a_draft_preview_is_asked_for_followed_and_downloaded(world):
    draft = AgreementFactory(initiative=world.initiative, municipality=world.municipality)
    client = APIClient()
    client.force_authenticate(world.drafter)
    url = f"/api/v1/agreements/{draft.reference}/preview/"
    assert client.get(url).json()["status"] is None
    asked = client.post(url)
    assert asked.status_code == 202 and asked.json()["status"] == "pending" and asked.json()["download_url"] is None
    assert client.post(url).json()["id"] == asked.json()["id"]  # the same revision: the same preview

    document_preview_render(preview_id=asked.json()["id"])  # the worker's half
    ready = client.get(url).json()
    assert ready["status"] == "ready" and ready["marking"] == "concept"
    pdf = client.get(ready["download_url"], HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")

    advisor = APIClient()
    advisor.force_authenticate(world.advisor)
    assert advisor.post(url).status_code == 404  # not granted: it does not exist for them
