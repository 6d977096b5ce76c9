"""The progress overview through the API: the page's figures and export, for what the person sees."""

from __future__ import annotations

import csv
import io

import pytest
from rest_framework.test import APIClient

from agreements.choices import AgreementState as S
from tests.factories import AgreementFactory, UserFactory
from workflow.members.services.api_tokens import api_token_create
from workflow.models import ApiTokenScope

pytestmark = pytest.mark.django_db


def as_token(user) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Bearer " + api_token_create(user=user, name="Rapport", scope=ApiTokenScope.READ).secret
    )
    return client


@pytest.fixture
def agreements(world):
    mine = dict(initiative=world.initiative, municipality=world.municipality)
    return {
        "draft": AgreementFactory(**mine),
        "in_review": AgreementFactory(in_review=True, **mine),
        "signed": AgreementFactory(signed=True, **mine),
        "elsewhere": AgreementFactory(initiative=world.other_initiative, municipality=world.other_municipality),
    }


def test_the_figures_count_what_the_person_sees_with_the_pages_filters(world, agreements):
    client = as_token(world.reviewer)
    figures = client.get("/api/v1/monitoring/").json()
    assert figures["total"] == 3
    assert {state: n for state, n in figures["by_state"].items() if n} == {S.DRAFT: 1, S.IN_REVIEW: 1, S.SIGNED: 1}
    assert figures["reached"][S.SIGNED] == 1 and figures["durations"]["signed"] == 1
    assert [row["name"] for row in figures["municipalities"]] == ["Gemeente Test"]
    assert len(figures["signed_per_month"]) == 12

    narrowed = client.get("/api/v1/monitoring/", {"state": S.IN_REVIEW}).json()
    assert narrowed["total"] == 1 and narrowed["by_state"][S.IN_REVIEW] == 1
    elsewhere = client.get("/api/v1/monitoring/", {"municipality": world.other_municipality.pk}).json()
    assert elsewhere["total"] == 3  # a municipality one may not filter on is left out, as on the page


def test_the_export_streams_the_rows_the_filters_keep(world, agreements):
    response = as_token(world.reviewer).get("/api/v1/monitoring/export.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
    references = {row[0] for row in rows[1:]}
    assert references == {agreements[k].reference for k in ("draft", "in_review", "signed")}
    filtered = as_token(world.drafter).get("/api/v1/monitoring/export.csv", {"state": S.SIGNED})
    rows = list(csv.reader(io.StringIO(b"".join(filtered.streaming_content).decode("utf-8"))))
    assert [row[0] for row in rows[1:]] == [agreements["signed"].reference]


def test_someone_without_an_organisation_is_refused_and_the_anonymous_told_to_authenticate(db):
    loner = as_token(UserFactory())
    refused = loner.get("/api/v1/monitoring/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    refused = loner.get("/api/v1/monitoring/export.csv", HTTP_ACCEPT="text/csv")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert APIClient().get("/api/v1/monitoring/").status_code == 401
