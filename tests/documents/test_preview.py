"""Draft previews: a CONCEPT watermark, no seal, made by the documents task and never in the request."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from agreements.models import AdvisorAccess, DocumentPreview
from agreements.seal import validate_seal
from tests.documents.helpers import draft_agreement
from tests.documents.reading import pdf_text
from tests.factories import AgreementFactory
from workflow.core.exceptions import NotPermitted
from workflow.documents.previews import document_preview_render, document_preview_request
from workflow.lifecycle.services.drafting import agreement_update_draft

pytestmark = pytest.mark.django_db


def run_queued(callbacks) -> None:
    """Run the tasks published after commit in this process (the eager mode of our own Celery app)."""
    from worker import celery_app

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        for callback in callbacks:
            callback()
    finally:
        celery_app.conf.task_always_eager = previous


def test_preview_is_made_by_the_task_with_a_watermark_and_without_a_seal(
    world, client, django_capture_on_commit_callbacks
):
    agreement = draft_agreement(world)
    url = reverse("documents:preview", kwargs={"reference": agreement.reference})
    client.force_login(world.drafter)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url)
    assert response.status_code == 302
    made = DocumentPreview.objects.get()
    # The request only asked: nothing is rendered until the worker runs.
    assert made.status == DocumentPreview.Status.PENDING
    assert not made.file
    assert len(callbacks) == 1

    page = client.get(url)
    assert page.status_code == 200
    assert "wordt gemaakt" in page.content.decode()
    # The page asks again by itself, with a script file (the Content-Security-Policy refuses inline ones).
    assert '<script src="/static/js/preview-status.js" defer></script>' in page.content.decode()
    status = client.get(url, HTTP_ACCEPT="application/json").json()
    assert status["busy"] is True and status["ready"] is False

    # Asking again while it is on its way gives the same preview.
    with django_capture_on_commit_callbacks() as again:
        client.post(url)
    assert DocumentPreview.objects.count() == 1
    assert again == []

    run_queued(callbacks)
    made.refresh_from_db()
    assert made.status == DocumentPreview.Status.READY
    status = client.get(url, HTTP_ACCEPT="application/json").json()
    assert status["ready"] is True
    assert "preview-status.js" not in client.get(url).content.decode()
    download = client.get(status["download_url"])
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    with default_storage.open(made.file.name, "rb") as fh:
        assert fh.read() == data

    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) >= 3
    for page in pages:  # the watermark is on every page (rotated text comes out in pieces)
        assert "CONCEPT" in re.sub(r"\s", "", page.extract_text())
    assert "Dit is een concept" in text
    assert "Verloop van de ondertekening" not in text
    check = validate_seal(data)
    assert not check.present
    assert b"/ByteRange" not in data and b"/Sig" not in data
    assert PdfReader(io.BytesIO(data)).attachments == {}

    # An edit afterwards makes the preview outdated, and a new request makes a new one.
    version = agreement.current_version()

    agreement_update_draft(
        agreement=agreement, actor=world.drafter, based_on_revision=version.revision, sections={"aim": "Nieuw doel."}
    )
    assert "nog veranderd" in client.get(url).content.decode()
    client.post(url)
    assert DocumentPreview.objects.count() == 2


def test_preview_rules(world, client):
    agreement = draft_agreement(world)
    url = reverse("documents:preview", kwargs={"reference": agreement.reference})

    client.force_login(world.outsider)
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 404

    client.force_login(world.reviewer)  # the other party may look too
    assert client.post(url).status_code == 302
    made = DocumentPreview.objects.get()
    client.force_login(world.outsider)
    download = reverse("documents:preview_download", kwargs={"reference": agreement.reference, "pk": made.pk})
    assert client.get(download).status_code == 404
    client.force_login(world.reviewer)
    assert client.get(download).status_code == 404  # not ready yet

    signed = AgreementFactory(
        signed=True, reference="SK-2025-0999", initiative=world.initiative, municipality=world.municipality
    )
    client.force_login(world.drafter)
    response = client.post(reverse("documents:preview", kwargs={"reference": signed.reference}))
    assert response.status_code == 409


def test_an_advisor_who_reads_along_asks_for_no_preview(world, client, django_capture_on_commit_callbacks):
    agreement = draft_agreement(world)
    AdvisorAccess.objects.create(agreement=agreement, organisation=world.advisor_org, granted_by=world.drafter)
    with pytest.raises(NotPermitted) as caught:
        document_preview_request(agreement=agreement, actor=world.advisor)
    assert "Alleen de partijen" in caught.value.message
    url = reverse("documents:preview", kwargs={"reference": agreement.reference})
    client.force_login(world.advisor)
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post(url).status_code == 403
    assert callbacks == []
    assert not DocumentPreview.objects.exists()
    page = client.get(url)  # looking is reading along; the page offers no button
    assert page.status_code == 200
    html = page.content.decode()
    assert "Maak een voorbeeld-PDF" not in html and "Als adviseur leest u mee." in html


def test_rendering_twice_is_harmless(world):
    agreement = draft_agreement(world)
    made = document_preview_request(agreement=agreement, actor=world.drafter)
    first = document_preview_render(preview_id=made.pk)
    name = first.file.name
    second = document_preview_render(preview_id=made.pk)
    assert second.status == DocumentPreview.Status.READY
    assert second.file.name == name
