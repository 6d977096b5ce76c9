"""Schemathesis against the live schema: generated requests to every operation, as a signed-in drafter with a token.

Bounded (a few examples per operation, derandomised, so CI is quick and repeatable). Every answer must be no
server error and conform to what the schema documents: its status code, content type, headers and body,
error answers included (the one Error shape).
"""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.factories import AgreementFactory, build_world
from workflow.members.services.api_tokens import api_token_create
from workflow.models import ApiTokenScope

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def in_process_requests():
    """Requests through the WSGI handler in the test's own transaction: keep Django from closing the
    connection at each request's start and end (what its test client does too)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, in_process_requests):
    world = build_world()
    references = [
        AgreementFactory(initiative=world.initiative, municipality=world.municipality, content=True, **state).reference
        for state in ({}, {"in_review": True}, {"approved": True}, {"signed": True})
    ]
    secret = api_token_create(user=world.drafter, name="Schemathesis", scope=ApiTokenScope.WRITE).secret
    headers = {"Authorization": f"Bearer {secret}"}
    loaded = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", WSGIHandler(), headers=headers)
    return loaded, headers, references


def test_every_operation_answers_as_documented(api_schema):
    schema, headers, references = api_schema
    # Most examples use a reference that exists (a draft, one in review, approved, signed), so the generated
    # bodies meet the validation, the rules and the state machine, not only the 404 of a random reference.
    chosen = itertools.cycle([*references, None])
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30

    for operation in operations:

        @settings(
            max_examples=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def answers_as_documented(case):
            reference = next(chosen)
            if reference is not None and "reference" in (case.path_parameters or {}):
                case.path_parameters["reference"] = reference
            case.call_and_validate(checks=CHECKS, headers=headers)

        answers_as_documented()
