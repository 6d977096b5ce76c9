"""Documents in an S3-compatible store (a real server on a free local port): written through Django's
storage API, read back only through the permission-checked views, streamed, never as a bucket URL."""

from __future__ import annotations

import hashlib
import time
import uuid
from types import SimpleNamespace

import pytest
from django.urls import reverse

from tests.documents.helpers import draft_agreement, signed_agreement
from tests.s3server import start_s3_server
from workflow.documents.previews import document_preview_render, document_preview_request
from workflow.documents.signed import signed_document_create

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3_server():
    server = start_s3_server()
    yield server
    server.stop()


@pytest.fixture
def bucket(s3_server, settings):
    name = s3_server.create_bucket(f"samenkader-{uuid.uuid4().hex[:12]}")
    settings.STORAGES = {**settings.STORAGES, "default": s3_server.storage_options(name)}
    return SimpleNamespace(server=s3_server, name=name)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_sealed_pdf_goes_to_the_bucket_and_leaves_through_the_download_view(
    world, client, bucket, documents_settings
):
    agreement = signed_agreement(world)
    on_disk_before = sorted(documents_settings.media_root.rglob("*"))
    document = signed_document_create(version_id=agreement.frozen_version().pk)

    assert bucket.server.keys(bucket.name) == [document.file.name]
    assert sorted(documents_settings.media_root.rglob("*")) == on_disk_before  # nothing on this node's disk
    stored = bucket.server.client().get_object(Bucket=bucket.name, Key=document.file.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == document.sha256

    client.force_login(world.municipal_signer)
    response = client.get(reverse("documents:signed", kwargs={"reference": agreement.reference}))
    assert response.status_code == 200 and response.streaming
    assert hashlib.sha256(_body(response)).hexdigest() == document.sha256
    headers = " ".join(f"{name}: {value}" for name, value in response.items())
    assert bucket.server.endpoint_url not in headers and "amz" not in headers.lower()

    client.force_login(world.outsider)
    assert client.get(reverse("documents:signed", kwargs={"reference": agreement.reference})).status_code == 404


def test_a_draft_preview_goes_to_the_bucket_too(world, client, bucket):
    agreement = draft_agreement(world)
    preview = document_preview_request(agreement=agreement, actor=world.drafter)
    rendered = document_preview_render(preview_id=preview.pk)
    assert bucket.server.keys(bucket.name) == [rendered.file.name]
    client.force_login(world.drafter)
    url = reverse("documents:preview_download", kwargs={"reference": agreement.reference, "pk": rendered.pk})
    response = client.get(url)
    assert response.status_code == 200
    assert _body(response).startswith(b"%PDF")


def test_readiness_asks_the_bucket_and_says_so_quickly_when_it_is_gone(client, settings):
    server = start_s3_server()
    name = server.create_bucket(f"samenkader-{uuid.uuid4().hex[:12]}")
    settings.STORAGES = {**settings.STORAGES, "default": server.storage_options(name)}
    assert client.get("/readyz").json()["checks"]["storage"] is True
    server.stop()
    started = time.monotonic()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["storage"] is False
    assert time.monotonic() - started < 30  # seconds, not minutes: a bound that proves it does not hang
