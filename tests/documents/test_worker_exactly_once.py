"""Exactly once with real workers: a worker killed in the middle of rendering, then the sweeper.

A private Redis (its own redis-server on a free port), real Celery worker
processes on the test's PostgreSQL database; nothing of our own is faked.
"""

from __future__ import annotations

import time

import pytest
from django.core.files.storage import default_storage

from agreements.models import DocumentPreview, SignedDocument
from agreements.seal import validate_seal
from tests.documents.conftest import SEAL_PASSPHRASE
from tests.documents.helpers import draft_agreement, signed_directly
from tests.factories import build_world
from tests.worker.processes import RedisServer, Worker, process_env, run_python, stop_all, wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.program("redis-server"),
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def test_worker_killed_mid_render_leaves_one_document_after_the_sweeper_and_previews_come_from_the_worker(
    tmp_path, documents_settings
):
    redis = RedisServer(tmp_path).start()
    env = process_env(
        var_dir=tmp_path,
        broker_url=redis.url,
        MEDIA_ROOT=documents_settings.media_root,
        SEAL_PKCS12_PATH=documents_settings.seal_certificate,
        SEAL_PKCS12_PASSPHRASE=SEAL_PASSPHRASE,
        # The sweeper runs every 2 s and takes pending work older than 1 s (production: minutes).
        SWEEPER_INTERVAL_SECONDS=2,
        SWEEPER_GRACE_SECONDS=1,
    )
    first = Worker(env, tmp_path / "first.log")  # no beat: only the second worker's sweeper can re-queue
    second = Worker(env, tmp_path / "second.log", beat=True)
    try:
        # Long enough to render for several seconds, so the kill lands in the middle.
        world = build_world()
        agreement = signed_directly(world, pages=45)
        version = agreement.frozen_version()
        first.start()
        run_python(
            f"from workflow.documents.signed import signed_document_enqueue\n"
            f"assert signed_document_enqueue(version_id={version.pk})\n",
            env,
        )
        wait_for(
            lambda: "render_signed_document" in first.log() and "received" in first.log(),
            timeout=60,
            what="the first worker to take the task",
        )
        time.sleep(1.5)
        first.kill()
        assert not SignedDocument.objects.filter(version=version).exists(), (
            "the render finished before the kill; the test did not test a kill mid-render"
        )

        second.start()
        wait_for(
            lambda: SignedDocument.objects.filter(version=version).exists(),
            timeout=120,
            what=f"the sweeper and the second worker to make the document (log: {second.log()[-2000:]})",
        )
        time.sleep(5)  # more sweeps and any late message: still one document
        assert SignedDocument.objects.filter(version=version).count() == 1
        document = SignedDocument.objects.get(version=version)
        with default_storage.open(document.file.name, "rb") as fh:
            assert validate_seal(fh.read()).ok

        # A draft preview asked for the way the web page asks: made by the worker, not by the request.
        draft = draft_agreement(world, title="Concept voor de wijk")
        run_python(
            "from agreements.models import Agreement, User\n"
            "from workflow.documents.previews import document_preview_request\n"
            f"document_preview_request(agreement=Agreement.objects.get(pk={draft.pk}), "
            f"actor=User.objects.get(pk={world.drafter.pk}))\n",
            env,
        )
        preview = DocumentPreview.objects.get(version__agreement=draft)
        wait_for(
            lambda: DocumentPreview.objects.filter(pk=preview.pk, status=DocumentPreview.Status.READY).exists(),
            timeout=60,
            what="the worker to render the preview",
        )
        assert "render_preview" in second.log()
        preview.refresh_from_db()
        with default_storage.open(preview.file.name, "rb") as fh:
            assert not validate_seal(fh.read()).present
    finally:
        stop_all(first, second, redis)
