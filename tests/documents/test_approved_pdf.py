"""The approved version as a PDF before signing: asked for on the sign page, made by the worker, marked
"goedgekeurd, nog niet ondertekend" on every page, never sealed and never signed."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from agreements.models import AdvisorAccess, Agreement, DocumentPreview
from agreements.seal import validate_seal
from tests.documents.helpers import draft_agreement, meta
from tests.documents.reading import flat, page_texts, pdf_text
from tests.documents.test_preview import run_queued
from workflow.lifecycle.services.review import agreement_approve, agreement_submit

pytestmark = pytest.mark.django_db

MARK = "goedgekeurd, nog niet ondertekend"


def approved_agreement(world) -> Agreement:
    agreement = draft_agreement(world)
    agreement_submit(agreement=agreement, actor=world.drafter, request_meta=meta("192.0.2.10"))
    agreement_approve(agreement=agreement, actor=world.reviewer, request_meta=meta("198.51.100.7"))
    return Agreement.objects.get(pk=agreement.pk)


def embedded_signatures(data: bytes) -> list:
    """What pyHanko finds as signatures in the file (a sealed or signed PDF has at least one)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    return list(PdfFileReader(io.BytesIO(data)).embedded_signatures)


def test_a_signatory_asks_for_the_approved_version_as_a_pdf_on_the_sign_page(
    world, client, django_capture_on_commit_callbacks
):
    agreement = approved_agreement(world)
    version = agreement.frozen_version()
    sign_url = reverse("agreement:sign", kwargs={"reference": agreement.reference})
    client.force_login(world.initiative_signer1)

    page = client.get(sign_url).content.decode()
    assert "Er is nog geen PDF van de goedgekeurde versie gemaakt." in page
    assert "PDF van de goedgekeurde versie maken" in page
    assert version.content_hash in page  # the hash stays, for those who check

    # The button sits in a plain form (no script needed) and comes back to the sign page.
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("documents:preview", kwargs={"reference": agreement.reference}), {"terug": "ondertekenen"}
        )
    assert response.status_code == 302
    assert response["Location"] == f"{sign_url}#goedgekeurde-pdf"
    made = DocumentPreview.objects.get()
    assert made.marking == DocumentPreview.Marking.APPROVED
    assert made.status == DocumentPreview.Status.PENDING and not made.file  # nothing rendered in the request
    assert len(callbacks) == 1

    page = client.get(sign_url).content.decode()
    assert "De PDF wordt gemaakt." in page
    assert "Ververs de pagina" in page  # without JavaScript
    assert '<script src="/static/js/preview-status.js" defer></script>' in page
    assert "PDF van de goedgekeurde versie maken" not in page
    assert "Versie 1 ondertekenen" in page  # the sign form is still there

    run_queued(callbacks)  # the worker (eager here)
    made.refresh_from_db()
    assert made.status == DocumentPreview.Status.READY

    page = client.get(sign_url).content.decode()
    download_url = reverse("documents:preview_download", kwargs={"reference": agreement.reference, "pk": made.pk})
    assert "De PDF is klaar." in page and f'href="{download_url}"' in page
    assert "preview-status.js" not in page
    download = client.get(download_url)
    assert download.status_code == 200
    assert "goedgekeurd-niet-ondertekend" in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    with default_storage.open(made.file.name, "rb") as fh:
        assert fh.read() == data

    texts = page_texts(data)
    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):  # the marking is on every page
        assert MARK in flat(text).lower(), f"page {number} lacks the marking"
        assert "CONCEPT" not in re.sub(r"\s", "", text)
    text = flat(pdf_text(data))
    assert "Dit is niet het getekende document" in text
    assert "Verloop van de ondertekening" not in text
    assert "verzegeld door Samenkader" not in text
    # Not sealed, not signed: no seal, and pyHanko finds no signature at all.
    assert not validate_seal(data).present
    assert embedded_signatures(data) == []
    assert b"/ByteRange" not in data

    # Asking again gives the same PDF: the approved version does not change.
    with django_capture_on_commit_callbacks() as again:
        client.post(reverse("documents:preview", kwargs={"reference": agreement.reference}), {"terug": "ondertekenen"})
    assert again == [] and DocumentPreview.objects.count() == 1


def test_a_concept_from_the_review_is_not_offered_as_the_approved_version(
    world, client, django_capture_on_commit_callbacks
):
    agreement = draft_agreement(world)
    agreement_submit(agreement=agreement, actor=world.drafter, request_meta=meta("192.0.2.10"))
    preview_url = reverse("documents:preview", kwargs={"reference": agreement.reference})
    client.force_login(world.reviewer)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(preview_url)
    run_queued(callbacks)
    concept = DocumentPreview.objects.get()
    assert concept.marking == DocumentPreview.Marking.CONCEPT and concept.status == DocumentPreview.Status.READY

    agreement_approve(agreement=agreement, actor=world.reviewer, request_meta=meta("198.51.100.7"))
    client.force_login(world.municipal_signer)
    page = client.get(reverse("agreement:sign", kwargs={"reference": agreement.reference})).content.decode()
    assert "Er is nog geen PDF van de goedgekeurde versie gemaakt." in page
    assert "Download het voorbeeld" not in page
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(preview_url, {"terug": "ondertekenen"})
    run_queued(callbacks)
    approved = DocumentPreview.objects.exclude(pk=concept.pk).get()
    assert approved.marking == DocumentPreview.Marking.APPROVED and approved.status == DocumentPreview.Status.READY
    with default_storage.open(concept.file.name, "rb") as fh:
        concept_text = flat(pdf_text(fh.read())).lower()
    assert MARK not in concept_text  # the draft's preview keeps its CONCEPT marking


def test_everyone_who_sees_the_approved_agreement_may_ask_for_its_pdf(world, client):
    agreement = approved_agreement(world)
    AdvisorAccess.objects.create(agreement=agreement, organisation=world.advisor_org, granted_by=world.drafter)
    preview_url = reverse("documents:preview", kwargs={"reference": agreement.reference})

    client.force_login(world.outsider)
    assert client.get(preview_url).status_code == 404
    assert client.post(preview_url).status_code == 404

    # The agreement page's document panel offers it; the preview page names it for what it is.
    client.force_login(world.advisor)
    detail = client.get(reverse("agreement:detail", kwargs={"reference": agreement.reference})).content.decode()
    assert f'href="{preview_url}"' in detail and "PDF van de goedgekeurde versie" in detail
    page = client.get(preview_url).content.decode()
    assert "PDF van de goedgekeurde versie maken" in page
    assert "Goedgekeurd, nog niet ondertekend" in page
    assert client.post(preview_url).status_code == 302
    assert DocumentPreview.objects.get().marking == DocumentPreview.Marking.APPROVED
