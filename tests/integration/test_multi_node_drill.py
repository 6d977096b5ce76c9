"""The multi-node drill: two gunicorn web nodes and two Celery workers, in production mode, sharing
PostgreSQL, Redis, an S3-compatible store and one SECRET_KEY — and nothing else.

Each process has its own SAMENKADER_VAR_DIR, so nothing can hide on a node's disk. One agreement goes
through the journey over HTTP, alternating nodes request by request (sign in on one, act on the
other), while both workers run beat (one by mistake); then a worker is killed with SIGKILL in the
middle of a PDF render and the other one finishes it after the sweep. The timings are printed and
written to test-artifacts/drill-timings.json.

Plain HTTP on 127.0.0.1: the nodes run with PLAIN_HTTP_ON_LOOPBACK=1 (README, "Production"), which
production accepts only when every allowed host is a loopback address.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import subprocess
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from agreements.choices import AgreementState
from agreements.models import Agreement, SignedDocument
from tests.factories import PASSWORD, build_world
from tests.s3server import start_s3_server
from tests.worker.processes import PYTHON, REPO, Worker, free_port, process_env, read_mails, stop_all, wait_for
from workflow.models import Notification, NotificationStatus

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SHARED_REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
ARTIFACTS = REPO / "test-artifacts"
SEAL_PASSPHRASE = "drill-seal-passphrase"


# --- the processes --------------------------------------------------------------------------


@dataclass
class WebNode:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_web_node(name: str, env: dict, var_dir: Path, port: int) -> WebNode:
    log_path = var_dir / "gunicorn.log"
    node_env = {**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "2", "WEB_TIMEOUT": "60"}
    with open(log_path, "ab") as log:
        process = subprocess.Popen(  # nosec B603 # our own interpreter and gunicorn
            [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            cwd=REPO,
            env=node_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    node = WebNode(name=name, port=port, process=process, log_path=log_path)

    def ready() -> bool:
        import requests

        if process.poll() is not None:
            raise AssertionError(f"web node {name} exited:\n{node.log()}")
        try:
            return requests.get(node.url + "/readyz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    wait_for(ready, timeout=90, what=f"web node {name} to be ready (log: {log_path})")
    return node


def _free_redis_database(used: set[int]) -> str:
    import redis

    host, port = SHARED_REDIS.removeprefix("redis://").split(":")
    for number in range(14, 0, -1):
        if number in used:
            continue
        if redis.Redis(host=host, port=int(port), db=number, socket_timeout=2).dbsize() == 0:
            used.add(number)
            return f"redis://{host}:{port}/{number}"
    raise AssertionError("No free database on the shared Redis")


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker, tmp_path_factory):
    import redis

    from agreements.seal import create_development_certificate

    try:
        redis.Redis.from_url(SHARED_REDIS, socket_timeout=2).ping()
    except (redis.exceptions.ConnectionError, OSError):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but Redis does not answer at {SHARED_REDIS}")
        pytest.skip(f"needs Redis at {SHARED_REDIS}")

    shared = tmp_path_factory.mktemp("drill-shared")
    seal = create_development_certificate(shared / "seal.p12", SEAL_PASSPHRASE)
    s3 = start_s3_server()
    bucket = s3.create_bucket("samenkader-drill")
    used: set[int] = set()
    broker_url = _free_redis_database(used)
    cache_url = _free_redis_database(used)
    mail_dir = shared / "mail"
    base = {
        "DJANGO_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PLAIN_HTTP_ON_LOOPBACK": "1",
        "CACHE_URL": cache_url,
        "SEAL_PKCS12_PATH": str(seal),
        "SEAL_PKCS12_PASSPHRASE": SEAL_PASSPHRASE,
        "SEAL_TIMESTAMP_URL": "",
        "SWEEPER_INTERVAL_SECONDS": "3",
        "SWEEPER_GRACE_SECONDS": "2",
        "REMINDER_INTERVAL_SECONDS": "4",
        "REQUEST_LOG_JSON": "1",
        **s3.environment(bucket),
    }
    ports = {"web-1": free_port(), "web-2": free_port()}
    # Links in e-mails and PDFs name the first node; the second serves the same site.
    base["SITE_URL"] = f"http://127.0.0.1:{ports['web-1']}"
    running = SimpleNamespace(s3=s3, bucket=bucket, mail_dir=mail_dir, web=[], workers=[], broker_url=broker_url)
    try:
        envs = {}
        for name in ("web-1", "web-2", "worker-1", "worker-2"):
            var_dir = tmp_path_factory.mktemp(f"drill-{name}")
            envs[name] = (process_env(var_dir=var_dir, mail_dir=mail_dir, broker_url=broker_url, **base), var_dir)
        for name in ("web-1", "web-2"):
            env, var_dir = envs[name]
            running.web.append(start_web_node(name, env, var_dir, ports[name]))
        # worker-2 runs beat (the sweeper every 3 s, reminders every 4 s). worker-1 runs a second beat, as if
        # started by mistake: nothing may happen twice for it (README, "Production": what guards that).
        for name, beat in (("worker-1", True), ("worker-2", True)):
            env, var_dir = envs[name]
            worker = Worker(env, var_dir / "worker.log", beat=beat, concurrency=1, hostname=f"{name}@drill")
            running.workers.append(worker.start(timeout=90))
        yield running
    finally:
        stop_all(*running.web, *running.workers)
        s3.stop()
        for url in (broker_url, cache_url):
            redis.Redis.from_url(url).flushdb()


# --- HTTP as a browser does it ----------------------------------------------------------------


class _FormFields(HTMLParser):
    """The fields a browser would send for the form whose action ends with ``action`` (defaults included)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields, self.select = action, False, {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = (a.get("action") or "").endswith(self.action)
        elif not self.inside:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields[a["name"]] = a.get("value", "on")
            elif kind not in ("submit", "button"):
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and ("selected" in a or self.select not in self.fields):
            self.fields[self.select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self.fields[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None


def form_fields(html: str, action: str) -> dict:
    parser = _FormFields(action)
    parser.feed(html)
    assert parser.fields, f"no form posting to …{action} on the page"
    return parser.fields


class Person:
    """One person's browser: a cookie jar that works on both nodes (same host, other port)."""

    def __init__(self, email: str) -> None:
        import requests

        self.email = email
        self.session = requests.Session()

    def get(self, node: WebNode, path: str, **kwargs):
        response = self.session.get(node.url + path, timeout=60, **kwargs)
        assert response.status_code < 400, f"GET {path} on {node.name}: {response.status_code}"
        return response

    def post(self, node: WebNode, path: str, data: dict, *, page_path: str | None = None):
        """Open the page that holds the form (on ``node`` too), then post it with the page's CSRF token."""
        page = self.get(node, page_path or path)
        fields = form_fields(page.text, path)
        fields.update(data)
        response = self.session.post(node.url + path, data=fields, timeout=120, allow_redirects=False)
        errors = re.findall(r'class="field__error"[^>]*>([^<]+)<', response.text)
        assert response.status_code in (200, 302, 303), f"POST {path} on {node.name}: {response.status_code} {errors}"
        return response

    def sign_in(self, node: WebNode) -> None:
        response = self.post(node, "/inloggen/", {"username": self.email, "password": PASSWORD})
        assert response.status_code == 302 and "/inloggen/" not in response.headers["Location"]


def _with_drill_passwords(world) -> None:
    """The nodes hash passwords the production way (the tests' own settings use a cheap hasher)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from agreements.models import User

    encoded = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    User.objects.filter(email__in=[u.email for u in vars(world).values() if hasattr(u, "email")]).update(
        password=encoded
    )


def _fill_the_draft(agreement: Agreement, drafter) -> None:
    """The content a drafter types in the editor, through the same drafting service the editor calls."""
    from tests.documents.helpers import content
    from workflow.lifecycle.services.drafting import agreement_update_draft

    agreement_update_draft(
        agreement=agreement,
        actor=drafter,
        based_on_revision=agreement.current_version().revision,
        **content(pages=3),
    )


def _sign_over_http(person: Person, read_on: WebNode, sign_on: WebNode, reference: str) -> None:
    path = f"/afspraken/{reference}/ondertekenen/"
    page = person.get(read_on, path)
    fields = form_fields(page.text, path)
    response = person.session.post(
        sign_on.url + path,
        data={**fields, "authorised": "on", "password": PASSWORD},
        timeout=120,
        allow_redirects=False,
    )
    assert response.status_code == 302, f"signing on {sign_on.name}: {response.status_code}"


def test_one_agreement_through_two_web_nodes_and_two_workers(cluster):
    web_1, web_2 = cluster.web
    world = build_world()
    _with_drill_passwords(world)
    started = time.monotonic()

    drafter = Person(world.drafter.email)
    drafter.sign_in(web_1)
    created = drafter.post(
        web_2, "/afspraken/nieuw/", {"title": "Warmte over twee knooppunten", "municipality": world.municipality.pk}
    )
    reference = re.search(r"/afspraken/([A-Z0-9-]+)/", created.headers["Location"]).group(1)
    agreement = Agreement.objects.get(reference=reference)
    _fill_the_draft(agreement, world.drafter)
    drafter.post(
        web_1, f"/afspraken/{reference}/indienen/", {}, page_path=f"/afspraken/{reference}/indienen/bevestigen/"
    )

    reviewer = Person(world.reviewer.email)
    reviewer.sign_in(web_2)
    reviewer.post(
        web_1, f"/afspraken/{reference}/goedkeuren/", {}, page_path=f"/afspraken/{reference}/goedkeuren/bevestigen/"
    )
    assert Agreement.objects.get(pk=agreement.pk).state == AgreementState.APPROVED

    for signatory, (read_on, sign_on) in zip(
        (world.initiative_signer1, world.initiative_signer2, world.municipal_signer),
        ((web_1, web_2), (web_2, web_1), (web_1, web_2)),
        strict=True,
    ):
        person = Person(signatory.email)
        person.sign_in(sign_on)
        _sign_over_http(person, read_on, sign_on, reference)
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SIGNED
    signed_at = time.monotonic()

    version = agreement.frozen_version()
    document = wait_for(
        lambda: SignedDocument.objects.filter(version=version).first(), timeout=120, what="the sealed PDF"
    )
    sealed_after = time.monotonic() - signed_at
    assert SignedDocument.objects.filter(version__agreement=agreement).count() == 1
    assert cluster.s3.keys(cluster.bucket) == [document.file.name]
    downloads = [drafter.get(node, f"/afspraken/{reference}/ondertekend.pdf").content for node in (web_1, web_2)]
    assert downloads[0] == downloads[1]
    assert hashlib.sha256(downloads[0]).hexdigest() == document.sha256

    rows = Notification.objects.filter(agreement=agreement)
    wait_for(lambda: not rows.exclude(status=NotificationStatus.SENT).exists(), timeout=120, what="every e-mail sent")
    mails = [m for m in read_mails(cluster.mail_dir) if reference in (m["Subject"] or "")]
    assert len(mails) == rows.count() > 0
    assert len({m["Message-ID"] for m in mails}) == len(mails)  # each once, from whichever worker
    assert all(row.attempts == 1 for row in rows)
    # Both workers and both nodes took part.
    assert all('"status":' in node.log() for node in cluster.web)
    journey = time.monotonic() - started
    _record_timings(journey_seconds=round(journey, 1), sealed_after_last_signature_seconds=round(sealed_after, 1))


def test_a_worker_killed_mid_render_is_replaced_by_the_other_after_the_sweep(cluster):
    from celery import Celery

    web_1, web_2 = cluster.web
    worker_1, worker_2 = cluster.workers
    world = build_world()
    _with_drill_passwords(world)
    agreement = _approved_and_signed_but_one(world)
    keys_before = set(cluster.s3.keys(cluster.bucket))

    # worker-2 stops taking documents for a moment, so the render lands on worker-1.
    control = Celery(broker=cluster.broker_url)
    control.control.cancel_consumer("documents", destination=["worker-2@drill"], reply=True, timeout=10)
    offset = len(worker_1.log())
    last = Person(world.municipal_signer.email)
    last.sign_in(web_2)
    _sign_over_http(last, web_2, web_1, agreement.reference)
    wait_for(
        lambda: "render_signed_document" in worker_1.log()[offset:] and "received" in worker_1.log()[offset:],
        timeout=60,
        interval=0.05,
        what="worker-1 to start the render",
    )
    worker_1.kill()
    killed_at = time.monotonic()
    version = Agreement.objects.get(pk=agreement.pk).frozen_version()
    assert not SignedDocument.objects.filter(version=version).exists(), "the render finished before the kill"
    control.control.add_consumer("documents", destination=["worker-2@drill"], reply=True, timeout=10)

    document = wait_for(
        lambda: SignedDocument.objects.filter(version=version).first(), timeout=120, what="worker-2 to finish it"
    )
    recovered = time.monotonic() - killed_at
    assert SignedDocument.objects.filter(version=version).count() == 1
    new_keys = set(cluster.s3.keys(cluster.bucket)) - keys_before
    assert document.file.name in new_keys
    # A render killed after its upload leaves that file behind without a row (its transaction never
    # committed): never served, at most one.
    assert len(new_keys - {document.file.name}) <= 1
    assert "render_signed_document" in worker_2.log()
    _record_timings(recovery_after_sigkill_seconds=round(recovered, 1))


def _approved_and_signed_but_one(world) -> Agreement:
    """A long agreement (so that its render takes seconds), approved and signed by two of three signatories."""
    from tests.documents.helpers import draft_agreement
    from workflow.lifecycle.services.review import agreement_approve, agreement_submit
    from workflow.lifecycle.services.signing import agreement_sign

    agreement = draft_agreement(world, title="Warmte na een harde stop", pages=30)
    agreement_submit(agreement=agreement, actor=world.drafter)
    agreement_approve(agreement=agreement, actor=world.reviewer)
    content_hash = Agreement.objects.get(pk=agreement.pk).frozen_version().content_hash
    for signatory in (world.initiative_signer1, world.initiative_signer2):
        agreement_sign(
            agreement=agreement,
            actor=signatory,
            content_hash=content_hash,
            password=PASSWORD,
            authority_confirmed=True,
        )
    return Agreement.objects.get(pk=agreement.pk)


def _record_timings(**figures: float) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "drill-timings.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    known.update(figures)
    path.write_text(json.dumps(known, indent=2) + "\n")
    print("drill:", figures)
