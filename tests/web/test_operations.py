"""Operations: one id per request (answered, logged, written on the audit rows), the JSON request log,
and /metrics for the allow-listed or the token holder only."""

from __future__ import annotations

import json
import logging

import pytest
from django.urls import reverse

from agreements.choices import AuditAction
from agreements.models import AuditEvent
from tests.factories import PASSWORD
from tests.web.agreement_support import agreement_in, url
from workflow.models import Notification

pytestmark = pytest.mark.django_db


def test_every_answer_names_its_request_and_the_audit_row_carries_it(client, world):
    agreement = agreement_in(world)
    client.force_login(world.drafter)
    response = client.submit(url("submit", agreement))
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    submitted = AuditEvent.objects.get(agreement=agreement, action=AuditAction.SUBMITTED)
    assert submitted.request_id == request_id
    assert client.get("/healthz")["X-Request-ID"] != request_id


def test_an_id_from_our_own_proxy_is_kept_and_a_clients_is_not(client, settings, db):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="from-the-client-123")["X-Request-ID"] != "from-the-client-123"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get("/healthz", HTTP_X_REQUEST_ID="from-the-proxy-1234")["X-Request-ID"] == "from-the-proxy-1234"
    # Not an id (too short, odd characters): a new one is made.
    assert client.get("/healthz", HTTP_X_REQUEST_ID="x<y")["X-Request-ID"] != "x<y"


def test_production_logs_one_json_line_per_request_without_content(client, world, settings, caplog):
    settings.REQUEST_LOG_JSON = True
    agreement = agreement_in(world, title="Geheime titel die niet in het log hoort")
    with caplog.at_level(logging.INFO, logger="samenkader.requests"):
        client.submit(reverse("login"), {"username": world.drafter.email, "password": PASSWORD})
        response = client.get(url("detail", agreement) + "?q=geheim")
    lines = [json.loads(record.getMessage()) for record in caplog.records if record.name == "samenkader.requests"]
    page = lines[-1]
    assert page == {
        "request_id": response["X-Request-ID"],
        "user_id": world.drafter.pk,
        "method": "GET",
        "route": "agreement:detail",
        "status": 200,
        "duration_ms": page["duration_ms"],
    }
    assert lines[-2]["route"] == "login" and lines[-2]["status"] == 302
    text = caplog.text
    assert agreement.reference not in text and "Geheime" not in text and "geheim" not in text


def test_metrics_answer_the_allowed_addresses_and_the_token_only(client, world, settings):
    Notification.objects.create(
        kind="event", event="submitted", recipient=world.reviewer, recipient_email=world.reviewer.email
    )
    client.get("/healthz")
    page = client.get("/metrics")  # the test client comes from 127.0.0.1
    assert page.status_code == 200
    body = page.content.decode()
    assert 'samenkader_outbox_rows{status="pending"} 1.0' in body
    assert 'samenkader_outbox_rows{status="failed"} 0.0' in body
    assert 'samenkader_documents_waiting{kind="signed"}' in body
    assert "samenkader_reminders_sent" in body
    assert 'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="healthz"}' in body

    settings.METRICS_ALLOWED_IPS = {"10.0.0.5"}
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-for-prometheus").status_code == 200
