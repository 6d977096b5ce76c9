"""Webhooks: signed deliveries to a receiver the test runs, retries for a failing one, and the address guard.

The receiver is a real HTTP server on this machine, which the guard allows only because the test lists
127.0.0.1 as an allowed private network (as development does); the signature is checked here the way a
receiver would, from the secret and the Standard Webhooks rules, not with our own code. Name resolution
(DNS, outside this machine) is replaced where a test needs a public name.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements.choices import MembershipRole
from tests.factories import AgreementFactory, member
from workflow.core.exceptions import InvalidInput, NotPermitted
from workflow.lifecycle.services.review import agreement_approve
from workflow.models import WebhookDelivery, WebhookStatus
from workflow.webhooks import guard
from workflow.webhooks.delivery import deliver_many
from workflow.webhooks.services import (
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
)

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on 127.0.0.1 that records what it gets and answers with the statuses it is told."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the name http.server asks for
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, headers = receiver.answers.pop(0) if receiver.answers else (204, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    settings.WEBHOOK_ALLOW_PLAIN_HTTP = True
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def municipal_admin(world):
    return member(world.municipality, MembershipRole.ADMIN, email="beheer@gemeente.example.org")


def verify(secret: str, request: dict) -> bool:
    """A receiver's check, per Standard Webhooks: HMAC-SHA256 over id.timestamp.body with the decoded secret."""
    headers = {name.lower(): value for name, value in request["headers"].items()}
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request["body"]
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(f"v1,{expected}", part) for part in headers["webhook-signature"].split())


def approve_one(world):
    agreement = AgreementFactory(in_review=True, initiative=world.initiative, municipality=world.municipality)
    agreement_approve(agreement=agreement, actor=world.reviewer)
    return agreement


def test_an_event_reaches_the_receiver_signed_and_names_only_the_agreement(world, receiver, municipal_admin):
    endpoint = webhook_endpoint_create(
        actor=municipal_admin, organisation=world.municipality, url=f"{receiver.url}/hook", events=["approved"]
    )
    other = webhook_endpoint_create(
        actor=municipal_admin, organisation=world.municipality, url=f"{receiver.url}/signed", events=["signed"]
    )
    agreement = approve_one(world)
    delivery = WebhookDelivery.objects.get()  # in the transaction of the approval; none for "signed only"
    assert delivery.endpoint == endpoint and delivery.event == "approved" and other.deliveries.count() == 0
    assert deliver_many([delivery.pk]) == {"pending": 0, "sending": 0, "delivered": 1, "failed": 0}

    (request,) = receiver.received
    assert request["path"] == "/hook" and verify(endpoint.secret, request)
    assert request["headers"]["webhook-id"] == delivery.message_id
    assert abs(int(request["headers"]["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    body = json.loads(request["body"])
    assert body["type"] == "agreement.approved"
    assert set(body) == {"type", "timestamp", "data"} and set(body["data"]) == {"reference", "state", "api_url"}
    assert body["data"]["reference"] == agreement.reference and body["data"]["state"] == "approved"
    assert body["data"]["api_url"].endswith(f"/api/v1/agreements/{agreement.reference}/")
    assert agreement.title.encode() not in request["body"]
    tampered = {**request, "body": request["body"].replace(b"approved", b"declined")}
    assert not verify(endpoint.secret, tampered)
    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.DELIVERED and delivery.attempt_log[-1]["status"] == 204


def test_a_failing_receiver_gets_retries_with_growing_pauses_then_failed_then_sent_again(
    world, receiver, municipal_admin, settings
):
    endpoint = webhook_endpoint_create(
        actor=municipal_admin, organisation=world.municipality, url=f"{receiver.url}/hook", events=["approved"]
    )
    approve_one(world)
    delivery = WebhookDelivery.objects.get()
    pauses = []
    for _attempt in range(len(settings.WEBHOOK_RETRY_SECONDS) + 1):
        receiver.answers.append((503, {}))
        before = timezone.now()
        deliver_many([delivery.pk])
        delivery.refresh_from_db()
        if delivery.status == WebhookStatus.PENDING:
            pauses.append(round((delivery.next_attempt_at - before).total_seconds()))
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())  # time passes
    assert delivery.status == WebhookStatus.FAILED
    assert delivery.attempts == len(settings.WEBHOOK_RETRY_SECONDS) + 1 == len(receiver.received)
    assert pauses == sorted(pauses) and pauses[0] >= 59 and sum(pauses) >= 20 * 3600  # growing, about a day
    assert {r["headers"]["webhook-id"] for r in receiver.received} == {delivery.message_id}  # one event, retried
    assert [entry["status"] for entry in delivery.attempt_log] == [503] * delivery.attempts

    webhook_delivery_resend(actor=municipal_admin, delivery_id=delivery.pk)
    deliver_many([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.DELIVERED and receiver.received[-1]["headers"]["webhook-id"] == (
        delivery.message_id
    )
    assert endpoint.deliveries.count() == 1


def test_a_redirect_into_the_network_is_refused_and_one_to_an_allowed_address_followed(
    world, receiver, municipal_admin
):
    webhook_endpoint_create(
        actor=municipal_admin, organisation=world.municipality, url=f"{receiver.url}/hook", events=["approved"]
    )
    receiver.answers.append((307, {"Location": "https://169.254.169.254/latest/meta-data/"}))
    approve_one(world)
    delivery = WebhookDelivery.objects.get()
    deliver_many([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.PENDING and "intern of privé netwerk" in delivery.attempt_log[-1]["error"]
    assert len(receiver.received) == 1  # the metadata address was never called

    # A Location no URL parser takes is a failed attempt like any other, never a row stuck in "sending".
    receiver.answers.append((302, {"Location": "https://[::1"}))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    deliver_many([delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (WebhookStatus.PENDING, 2)

    receiver.answers.append((308, {"Location": "/elsewhere"}))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    deliver_many([delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.DELIVERED
    assert [r["path"] for r in receiver.received] == ["/hook", "/hook", "/hook", "/elsewhere"]


@pytest.mark.parametrize(
    "url, resolves_to",
    [
        ("https://127.0.0.1/hook", None),
        ("https://localhost/hook", ["127.0.0.1"]),
        ("https://[::1]/hook", None),
        ("https://intern.example.org/hook", ["10.1.2.3"]),
        ("https://metadata.example.org/", ["169.254.169.254"]),
        ("https://mapped.example.org/", ["::ffff:192.168.1.10"]),
        ("https://mixed.example.org/", ["93.184.216.34", "192.168.0.5"]),
        ("https://nat64.example.org/", ["64:ff9b::a9fe:a9fe"]),
        ("https://6to4.example.org/", ["2002:a9fe:a9fe::"]),
        ("https://compatible.example.org/", ["::127.0.0.1"]),
        ("https://teredo.example.org/", ["2001:0:4136:e378:8000:63bf:3fff:fdd2"]),
        ("https://[::ffff:0:a9fe:a9fe]/", None),
        ("https://multicast.example.org/", ["224.0.0.251"]),
        ("https://sitelocal.example.org/", ["fec0::1"]),
        ("http://receiver.example.org/hook", ["93.184.216.34"]),
        ("https://user:pass@receiver.example.org/", ["93.184.216.34"]),
        ("https://receiver.example.org:22/", ["93.184.216.34"]),
        ("https://[::1/", None),
        ("https://a..b/", UnicodeError("label empty or too long")),
        ("ftp://receiver.example.org/", ["93.184.216.34"]),
    ],
)
def test_the_guard_refuses_addresses_inside_a_network(monkeypatch, url, resolves_to, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    settings.WEBHOOK_ALLOW_PLAIN_HTTP = False
    if isinstance(resolves_to, Exception):  # what the system's resolver raises for a name it cannot take

        def refuse(host, port):
            raise resolves_to

        monkeypatch.setattr(guard, "resolve", refuse)
    elif resolves_to is not None:
        monkeypatch.setattr(guard, "resolve", lambda host, port: resolves_to)
    with pytest.raises(guard.AddressRefused):
        guard.checked_target(url)


def test_the_guard_passes_a_public_https_address_and_pins_it(monkeypatch, settings):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    settings.WEBHOOK_ALLOW_PLAIN_HTTP = False
    monkeypatch.setattr(guard, "resolve", lambda host, port: ["93.184.216.34"])
    target = guard.checked_target("https://zaak.example.org:8443/webhooks/samenkader?x=1")
    assert (target.host, target.address, target.port, target.path) == (
        "zaak.example.org",
        "93.184.216.34",
        8443,
        "/webhooks/samenkader?x=1",
    )


def test_only_the_admin_registers_and_the_address_is_checked_on_saving(world, municipal_admin, settings, monkeypatch):
    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = []
    settings.WEBHOOK_ALLOW_PLAIN_HTTP = False
    with pytest.raises(NotPermitted):
        webhook_endpoint_create(
            actor=world.reviewer, organisation=world.municipality, url="https://x.example.org/", events=["approved"]
        )
    with pytest.raises(InvalidInput) as refused:
        webhook_endpoint_create(
            actor=municipal_admin, organisation=world.municipality, url="https://127.0.0.1/", events=["unknown"]
        )
    assert set(refused.value.errors) == {"url", "events"}
    assert "127.0.0.1" not in refused.value.errors["url"][0]  # the form names no internal address

    def refuse(host, port):
        raise UnicodeError("label empty or too long")  # what the system's resolver raises for "a..b"

    monkeypatch.setattr(guard, "resolve", refuse)
    with pytest.raises(InvalidInput):  # a name no resolver takes is a refusal, not a server error
        webhook_endpoint_create(
            actor=municipal_admin, organisation=world.municipality, url="https://a..b/", events=["approved"]
        )


def test_the_admin_pages(world, receiver, municipal_admin, client):
    client.force_login(municipal_admin)
    members = client.get(reverse("members", args=[world.municipality.pk])).content.decode()
    list_url = reverse("webhooks", args=[world.municipality.pk])
    assert list_url in members
    made = client.post(list_url, {"url": f"{receiver.url}/hook", "description": "Zaaksysteem", "events": ["approved"]})
    assert made.status_code == 302
    detail = client.get(made["Location"])
    assert detail["Cache-Control"] == "no-store" and "whsec_" in detail.content.decode()
    approve_one(world)
    deliver_many(WebhookDelivery.objects.values_list("pk", flat=True))
    log = client.get(made["Location"]).content.decode()
    assert "agreement.approved" in log and "HTTP 204" in log
    client.force_login(world.reviewer)
    assert client.get(list_url).status_code == 404
    assert client.get(made["Location"]).status_code == 404


def test_a_transition_with_a_listening_endpoint_adds_one_bulk_insert(world, receiver, municipal_admin):
    webhook_endpoint_create(
        actor=municipal_admin, organisation=world.municipality, url=f"{receiver.url}/a", events=["approved"]
    )
    webhook_endpoint_create(
        actor=municipal_admin, organisation=world.municipality, url=f"{receiver.url}/b", events=["approved"]
    )
    agreement = AgreementFactory(in_review=True, initiative=world.initiative, municipality=world.municipality)
    with CaptureQueriesContext(connection) as queries:
        agreement_approve(agreement=agreement, actor=world.reviewer)
    inserts = [q["sql"] for q in queries.captured_queries if 'INSERT INTO "workflow_webhookdelivery"' in q["sql"]]
    assert len(inserts) == 1 and WebhookDelivery.objects.count() == 2
    assert dt.timedelta(0) <= timezone.now() - WebhookDelivery.objects.first().created_at < dt.timedelta(minutes=1)


def test_what_the_endpoints_listen_to_is_kept_on_the_organisation_and_decides_the_deliveries(
    world, receiver, municipal_admin
):
    endpoint = webhook_endpoint_create(
        actor=municipal_admin, organisation=world.municipality, url=f"{receiver.url}/a", events=["signed"]
    )

    def update(events: list[str], *, is_active: bool = True) -> None:
        webhook_endpoint_update(
            actor=municipal_admin,
            endpoint_id=endpoint.pk,
            url=endpoint.url,
            events=events,
            description="",
            is_active=is_active,
        )

    world.municipality.refresh_from_db()
    assert world.municipality.webhook_events == ["signed"]
    approve_one(world)  # nobody listens to "approved"
    assert WebhookDelivery.objects.count() == 0

    update(["approved", "signed"])
    approve_one(world)
    assert WebhookDelivery.objects.filter(endpoint=endpoint, event="approved").count() == 1

    update(["approved", "signed"], is_active=False)
    world.municipality.refresh_from_db()
    assert world.municipality.webhook_events == []
    approve_one(world)  # switched off
    assert WebhookDelivery.objects.count() == 1

    update(["approved"])
    world.municipality.refresh_from_db()
    assert world.municipality.webhook_events == ["approved"]
    webhook_endpoint_delete(actor=municipal_admin, endpoint_id=endpoint.pk)
    world.municipality.refresh_from_db()
    assert world.municipality.webhook_events == []


def test_saving_an_organisation_read_earlier_keeps_what_its_endpoints_listen_to(world, receiver, municipal_admin):
    from agreements.models import Organisation

    read_before = Organisation.objects.get(pk=world.municipality.pk)  # as the admin's form has it
    webhook_endpoint_create(
        actor=municipal_admin, organisation=world.municipality, url=f"{receiver.url}/a", events=["approved"]
    )
    read_before.name = "Gemeente Test (hernoemd)"
    read_before.save()
    world.municipality.refresh_from_db()
    assert world.municipality.name == "Gemeente Test (hernoemd)"
    assert world.municipality.webhook_events == ["approved"]
