"""No work is lost: a broker outage at commit time, and a worker killed in the middle of delivering.

Real worker processes (with embedded beat running the sweeper every few
seconds) and a Redis of the test's own on a free port, which the test stops
and starts. Only the SMTP server is a stand-in (it is outside the machine).
"""

from __future__ import annotations

import time

import pytest

from agreements.choices import AgreementState
from agreements.models import Agreement
from tests.factories import AgreementFactory, build_world
from tests.worker.fake_smtp_server import FakeSMTPServer
from tests.worker.processes import RedisServer, Worker, process_env, read_mails, run_python, stop_all, wait_for
from workflow.models import Notification, NotificationStatus

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.integration,
    pytest.mark.program("redis-server"),
    pytest.mark.django_db(transaction=True),
]

# The sweeper runs every 2 s and takes pending work older than 1 s; a claim
# expires after 4 s. Production uses minutes; the logic is the same.
FAST_SWEEPER = {"SWEEPER_INTERVAL_SECONDS": 2, "SWEEPER_GRACE_SECONDS": 1, "NOTIFICATION_LEASE_SECONDS": 4}


def _world_with_one_recipient():
    world = build_world()
    world.reviewer2.is_active = False
    world.reviewer2.save()
    return world


def test_broker_down_at_commit_the_request_does_not_hang_and_the_sweeper_delivers_once(tmp_path):
    redis = RedisServer(tmp_path).start()
    mail_dir = tmp_path / "mail"
    env = process_env(var_dir=tmp_path, mail_dir=mail_dir, broker_url=redis.url, **FAST_SWEEPER)
    worker = Worker(env, tmp_path / "worker.log", beat=True)
    try:
        worker.start()
        world = _world_with_one_recipient()
        agreement = AgreementFactory(
            initiative=world.initiative, municipality=world.municipality, created_by=world.drafter, content=True
        )
        redis.stop()

        started = time.monotonic()
        run_python(
            "from agreements.models import Agreement, User\n"
            "from workflow.lifecycle.services.review import agreement_submit\n"
            f"agreement_submit(agreement=Agreement.objects.get(pk={agreement.pk}), "
            f"actor=User.objects.get(pk={world.drafter.pk}))\n",
            env,
            timeout=60,
        )
        # Includes starting Python and Django; a request that waited on the broker would take far longer.
        assert time.monotonic() - started < 10, "the request waited on the broker"
        assert Agreement.objects.get(pk=agreement.pk).state == AgreementState.IN_REVIEW  # committed
        row = Notification.objects.get(agreement=agreement)
        assert row.status == NotificationStatus.PENDING
        time.sleep(3)  # the sweeper cannot publish either
        assert read_mails(mail_dir) == []

        redis.start()  # same port: the broker is back
        wait_for(
            lambda: Notification.objects.filter(pk=row.pk, status=NotificationStatus.SENT).exists(),
            timeout=90,
            what="the sweeper to deliver the e-mail after the outage",
        )
        time.sleep(5)  # a few more sweeps: nothing is sent twice
        mails = read_mails(mail_dir)
        assert len(mails) == 1
        assert mails[0]["Message-ID"].strip() == row.message_id
        row.refresh_from_db()
        assert row.attempts == 1
    finally:
        stop_all(worker, redis)


def test_worker_killed_while_delivering_the_email_is_delivered_after_restart(tmp_path):
    redis = RedisServer(tmp_path).start()
    smtp = FakeSMTPServer(hold_first=True).start()
    env = process_env(
        var_dir=tmp_path,
        broker_url=redis.url,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=smtp.port,
        EMAIL_USE_TLS="false",
        EMAIL_TIMEOUT=60,
        **FAST_SWEEPER,
    )
    first = Worker(env, tmp_path / "worker.log", beat=True)
    second = Worker(env, tmp_path / "worker.log", beat=True)
    try:
        first.start()
        world = build_world()
        agreement = AgreementFactory(
            initiative=world.initiative,
            municipality=world.municipality,
            created_by=world.drafter,
            state=AgreementState.IN_REVIEW,
        )
        run_python(
            "from agreements.models import Agreement, User\n"
            "from workflow.lifecycle.services.review import agreement_request_changes\n"
            f"agreement_request_changes(agreement=Agreement.objects.get(pk={agreement.pk}), "
            f"actor=User.objects.get(pk={world.reviewer.pk}), note='Graag de evaluatie uitwerken.')\n",
            env,
        )
        row = Notification.objects.get(agreement=agreement)
        assert row.recipient_email == "drafter@example.org"

        # The SMTP server has the message and holds its "250 OK": now the worker dies.
        assert smtp.first_received.wait(timeout=60), f"the worker never sent:\n{first.log()}"
        first.kill()
        row.refresh_from_db()
        assert row.status == NotificationStatus.SENDING
        smtp.release.set()

        second.start()
        wait_for(
            lambda: Notification.objects.filter(pk=row.pk, status=NotificationStatus.SENT).exists(),
            timeout=90,
            what="the new worker's sweeper to deliver the e-mail",
        )
        time.sleep(5)  # a few more sweeps: no further copies
        # At most the one duplicate the design allows (docs/architecture.md, "Delivery: at most one duplicate"),
        # and it carries the same Message-ID.
        assert 1 <= len(smtp.messages) <= 2
        assert {m["Message-ID"].strip() for m in smtp.messages} == {row.message_id}
        assert all(m["To"] == "drafter@example.org" for m in smtp.messages)
        row.refresh_from_db()
        assert row.attempts == 2
    finally:
        stop_all(first, second, redis, smtp)
