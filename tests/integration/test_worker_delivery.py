"""A transition leads to the e-mail being delivered by a real worker process.

Once over the shared Redis (a database number of its own), once over the
embedded default, Celery's filesystem transport. The worker writes e-mails
with Django's file backend into a folder the test reads.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlparse

import pytest

from tests.factories import AgreementFactory, build_world
from tests.worker.processes import Worker, process_env, read_mails, run_python, stop_all, wait_for
from workflow.models import Notification, NotificationStatus

pytestmark = [pytest.mark.postgres, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SHARED_REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def _free_redis_database() -> str:
    """A database number on the shared Redis that nobody uses right now."""
    import redis

    parsed = urlparse(SHARED_REDIS)
    for number in range(15, 0, -1):
        client = redis.Redis(host=parsed.hostname, port=parsed.port or 6379, db=number, socket_timeout=2)
        if client.dbsize() == 0:
            return f"redis://{parsed.hostname}:{parsed.port or 6379}/{number}"
    raise AssertionError("No free database on the shared Redis")


def _start(tmp_path_factory, name: str, broker_url: str | None) -> SimpleNamespace:
    var_dir = tmp_path_factory.mktemp(name)
    mail_dir = var_dir / "mail"
    # The webhook test's receiver listens on this machine, which development settings allow.
    env = process_env(
        var_dir=var_dir,
        mail_dir=mail_dir,
        broker_url=broker_url,
        WEBHOOK_ALLOWED_PRIVATE_NETWORKS="127.0.0.1/32",
        WEBHOOK_ALLOW_PLAIN_HTTP="1",
    )
    worker = Worker(env, var_dir / "worker.log").start()
    return SimpleNamespace(env=env, mail_dir=mail_dir, worker=worker)


@pytest.fixture(scope="module")
def redis_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    # One worker for the module: starting one costs seconds.
    import redis

    try:
        url = _free_redis_database()
    except (redis.exceptions.ConnectionError, OSError):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but Redis does not answer at {SHARED_REDIS}")
        pytest.skip(f"needs Redis at {SHARED_REDIS}")
    running = _start(tmp_path_factory, "worker-redis", url)
    yield running
    stop_all(running.worker)
    redis.Redis.from_url(url).flushdb()


@pytest.fixture(scope="module")
def filesystem_worker(django_db_setup, tmp_path_factory):
    running = _start(tmp_path_factory, "worker-filesystem", None)
    yield running
    stop_all(running.worker)


def _submit_in_another_process(env: dict) -> SimpleNamespace:
    """Like a web request: the service runs in its own process and publishes after commit."""
    world = build_world()
    agreement = AgreementFactory(
        initiative=world.initiative, municipality=world.municipality, created_by=world.drafter, content=True
    )
    world.reviewer2.is_active = False  # one recipient keeps the assertions exact
    world.reviewer2.save()
    run_python(
        "from agreements.models import Agreement, User\n"
        "from workflow.lifecycle.services.review import agreement_submit\n"
        f"agreement_submit(agreement=Agreement.objects.get(pk={agreement.pk}), "
        f"actor=User.objects.get(pk={world.drafter.pk}))\n",
        env,
    )
    return SimpleNamespace(world=world, agreement=agreement)


def _assert_delivered(running: SimpleNamespace, case: SimpleNamespace) -> None:
    mails = wait_for(lambda: read_mails(running.mail_dir), timeout=60, what="the e-mail")
    row = Notification.objects.get(agreement=case.agreement)
    wait_for(
        lambda: Notification.objects.filter(pk=row.pk, status=NotificationStatus.SENT).exists(),
        timeout=30,
        what="the notification to be marked sent",
    )
    assert len(mails) == 1
    message = mails[0]
    assert message["To"] == "reviewer@example.org"
    assert message["Message-ID"].strip() == row.message_id
    assert case.agreement.reference in message["Subject"]
    assert message["Content-Language"] == "nl"
    row.refresh_from_db()
    assert row.attempts == 1 and row.sent_at is not None


@pytest.mark.redis
def test_submitting_delivers_the_email_through_redis(redis_worker):
    case = _submit_in_another_process(redis_worker.env)
    _assert_delivered(redis_worker, case)


def test_submitting_delivers_the_email_through_the_filesystem_transport(filesystem_worker):
    case = _submit_in_another_process(filesystem_worker.env)
    _assert_delivered(filesystem_worker, case)
    # The messages went through the embedded broker's folder, not Redis.
    assert (Path(filesystem_worker.env["SAMENKADER_VAR_DIR"]) / "broker" / "messages").is_dir()


@pytest.mark.redis
def test_a_task_carries_the_id_of_the_request_that_queued_it(redis_worker):
    """The worker writes the id into the audit rows of the task, as the request would have."""
    import datetime as dt

    from agreements.choices import AgreementState, AuditAction
    from agreements.models import AuditEvent

    world = build_world()
    agreement = AgreementFactory(
        initiative=world.initiative,
        municipality=world.municipality,
        created_by=world.drafter,
        content=True,
        state=AgreementState.SIGNED,
        valid_until=dt.date.today() - dt.timedelta(days=1),
    )
    run_python(
        "from workflow.core.queue import publish\n"
        "from workflow.core.request_context import set_request_id\n"
        "set_request_id('drill-request-0123456789')\n"
        "assert publish('workflow.lifecycle.tasks.expire_agreements', kwargs={})\n",
        redis_worker.env,
    )
    expired = wait_for(
        lambda: AuditEvent.objects.filter(agreement=agreement, action=AuditAction.EXPIRED).first(),
        timeout=60,
        what="the expiry's audit row",
    )
    assert expired.request_id == "drill-request-0123456789"


def test_a_worker_that_starts_queues_what_waited_in_the_database(tmp_path_factory):
    """Work whose message never reached a worker (held while loading the demo, or lost) is picked up
    when a worker starts, not only at beat's first sweep: this worker runs no beat at all."""
    import datetime as dt

    from django.utils import timezone

    from workflow.lifecycle.services.review import agreement_submit

    world = build_world()
    agreement = AgreementFactory(
        initiative=world.initiative, municipality=world.municipality, created_by=world.drafter, content=True
    )
    world.reviewer2.is_active = False
    world.reviewer2.save()
    # Submitted in this process: its delivery task goes to this process's own broker folder, which no
    # worker reads, as if the message were lost. The row is older than the sweeper's grace.
    agreement_submit(agreement=agreement, actor=world.drafter)
    Notification.objects.filter(agreement=agreement).update(next_attempt_at=timezone.now() - dt.timedelta(hours=1))

    running = _start(tmp_path_factory, "worker-start-sweep", None)
    try:
        _assert_delivered(running, SimpleNamespace(world=world, agreement=agreement))
    finally:
        stop_all(running.worker)


@pytest.mark.redis
def test_an_approval_reaches_a_webhook_receiver_through_the_worker(redis_worker, settings):
    """The approval runs in its own process; the worker signs the delivery and posts it to the receiver."""
    from agreements.choices import MembershipRole
    from tests.factories import member
    from tests.workflow.test_webhooks import Receiver, verify
    from workflow.models import WebhookDelivery, WebhookStatus
    from workflow.webhooks.services import webhook_endpoint_create

    settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    settings.WEBHOOK_ALLOW_PLAIN_HTTP = True
    receiver = Receiver()
    try:
        world = build_world()
        admin = member(world.municipality, MembershipRole.ADMIN, email="beheer@gemeente.example.org")
        endpoint = webhook_endpoint_create(
            actor=admin, organisation=world.municipality, url=f"{receiver.url}/hook", events=["approved"]
        )
        agreement = AgreementFactory(in_review=True, initiative=world.initiative, municipality=world.municipality)
        run_python(
            "from agreements.models import Agreement, User\n"
            "from workflow.lifecycle.services.review import agreement_approve\n"
            f"agreement_approve(agreement=Agreement.objects.get(pk={agreement.pk}), "
            f"actor=User.objects.get(pk={world.reviewer.pk}))\n",
            redis_worker.env,
        )
        wait_for(lambda: receiver.received, timeout=60, what="the webhook delivery")
        assert verify(endpoint.secret, receiver.received[0])
        delivered = wait_for(
            lambda: WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookStatus.DELIVERED).first(),
            timeout=30,
            what="the delivery to be marked delivered",
        )
        assert delivered.message_id == receiver.received[0]["headers"]["webhook-id"]
    finally:
        receiver.close()
