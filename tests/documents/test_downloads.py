"""Who can download the sealed PDF: the parties' members and granted advisors; for anyone else it does not exist."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from tests.documents.helpers import signed_agreement
from workflow.documents.signed import signed_document_create
from workflow.lifecycle.services.advisors import advisor_grant

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_parties_and_granted_advisors_download_others_get_404(world, client):
    agreement = signed_agreement(world)
    url = reverse("documents:signed", kwargs={"reference": agreement.reference})

    client.force_login(world.drafter)
    assert client.get(url).status_code == 404  # not made yet: the worker has not run

    document = signed_document_create(version_id=agreement.frozen_version().pk)
    for user in (world.drafter, world.reviewer, world.municipal_signer, world.initiative_signer2):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
        assert hashlib.sha256(body(response)).hexdigest() == document.sha256

    client.force_login(world.advisor)
    assert client.get(url).status_code == 404
    advisor_grant(agreement=agreement, actor=world.drafter, advisor=world.advisor_org)
    assert client.get(url).status_code == 200

    for stranger in (world.outsider, world.other_reviewer):
        client.force_login(stranger)
        assert client.get(url).status_code == 404

    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]

    # The API: the same rule, with the document's facts as JSON.
    client.force_login(world.reviewer)
    meta = client.get(reverse("api-agreement-document", kwargs={"reference": agreement.reference}))
    assert meta.status_code == 200
    assert meta.json()["sha256"] == document.sha256
    assert meta.json()["certificate_fingerprint"] == document.certificate_fingerprint
    pdf = client.get(reverse("api-agreement-document-pdf", kwargs={"reference": agreement.reference}))
    assert pdf.status_code == 200
    assert hashlib.sha256(body(pdf)).hexdigest() == document.sha256
    client.force_login(world.outsider)
    assert client.get(reverse("api-agreement-document", kwargs={"reference": agreement.reference})).status_code == 404


@pytest.fixture
def debug_urls(settings):
    """The root URLs as `make run` builds them: with DEBUG on (the test run itself has it off)."""
    import importlib

    from django.urls import clear_url_caches

    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_stored_documents_are_never_served_as_media_files_even_in_development(world, client, settings, debug_urls):
    agreement = signed_agreement(world)
    document = signed_document_create(version_id=agreement.frozen_version().pk)
    media_path = settings.MEDIA_URL + document.file.name

    client.force_login(world.outsider)  # signed in, but no party to this agreement
    assert client.get(media_path).status_code == 404
    client.logout()
    assert client.get(media_path).status_code == 404

    # The one way to the file: the download that asks who you are.
    client.force_login(world.drafter)
    response = client.get(reverse("documents:signed", kwargs={"reference": agreement.reference}))
    assert response.status_code == 200
    assert hashlib.sha256(body(response)).hexdigest() == document.sha256
