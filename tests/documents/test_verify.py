"""The public verification page: every kind of file gets its own answer, and no answer shows what was agreed."""

from __future__ import annotations

import hashlib

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements import pdf, seal
from tests.documents.helpers import PARAGRAPHS, second_world, signed_agreement
from workflow.documents.signed import signed_document_create
from workflow.documents.verification import Verdict

pytestmark = pytest.mark.django_db

URL = "/controleren/"
SECRET_TEXT = PARAGRAPHS[0][:60]  # a sentence from the agreements' text


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def two_documents(world):
    """Two signed agreements of different parties, each with its sealed document; returns (agreement, bytes) pairs."""
    result = []
    for w, title in ((world, "Warmte voor Zwolle-Oost"), (second_world(), "Warmtenet Anderdorp")):
        agreement = signed_agreement(w, title=title)
        document = signed_document_create(version_id=agreement.frozen_version().pk)
        with default_storage.open(document.file.name, "rb") as fh:
            result.append((agreement, fh.read()))
    return result


def upload(client, data: bytes, *, reference: str = "", name: str = "afspraak.pdf", **extra):
    return client.post(
        URL,
        {
            "mode": "file",
            "file": SimpleUploadedFile(name, data, content_type="application/pdf"),
            "reference": reference,
        },
        **extra,
    )


def verdict(response) -> str:
    return response.context["result"].verdict if response.context and response.context.get("result") else ""


def assert_no_content(response, *agreements):
    html = response.content.decode()
    assert SECRET_TEXT not in html
    for agreement in agreements:
        assert agreement.title not in html


def test_page_is_public_and_says_what_it_does(client):
    response = client.get(reverse("documents:verify"))
    assert response.status_code == 200
    assert "Een getekende afspraak controleren" in response.content.decode()


def test_every_kind_of_file_gets_its_own_answer(client, two_documents, tmp_path):
    (first, genuine), (second, other) = two_documents
    messages = {}

    response = upload(client, genuine)
    assert response.status_code == 200
    assert verdict(response) == Verdict.GENUINE
    html = response.content.decode()
    assert first.reference in html
    for signature in first.frozen_version().signatures.select_related("signer"):
        assert signature.signer.full_name in html
    assert response.context["result"].seal.ok
    assert_no_content(response, first, second)
    messages[Verdict.GENUINE] = response.context["result"].message

    response = upload(client, genuine, reference=first.reference.lower())
    assert verdict(response) == Verdict.GENUINE

    # One changed byte inside the sealed part.
    altered = bytearray(genuine)
    altered[len(genuine) // 3] ^= 0x01
    response = upload(client, bytes(altered))
    assert verdict(response) == Verdict.ALTERED
    assert "Echt." not in response.content.decode()
    assert_no_content(response, first, second)
    messages[Verdict.ALTERED] = response.context["result"].message

    # Another agreement's genuine file, checked against this agreement's reference.
    response = upload(client, other, reference=first.reference)
    assert verdict(response) == Verdict.OTHER_AGREEMENT
    assert second.reference in response.content.decode()
    assert_no_content(response, first, second)
    messages[Verdict.OTHER_AGREEMENT] = response.context["result"].message

    # A PDF that has nothing to do with Samenkader.
    unrelated = pdf.html_to_pdf("<html lang='nl'><title>Notulen</title><p>Notulen van de ALV.</p></html>")
    response = upload(client, unrelated)
    assert verdict(response) == Verdict.NOT_SEALED
    assert_no_content(response, first, second)
    messages[Verdict.NOT_SEALED] = response.context["result"].message

    # The genuine file with something appended after sealing (as a PDF program saving notes does).
    from io import BytesIO

    from pyhanko.pdf_utils.generic import TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(genuine), strict=False)
    writer.root["/Lang"] = TextStringObject("en")
    writer.update_root()
    out = BytesIO()
    writer.write(out)
    response = upload(client, out.getvalue())
    assert verdict(response) == Verdict.ADDED_AFTER_SEAL
    assert first.reference in response.content.decode()
    assert_no_content(response, first, second)
    messages[Verdict.ADDED_AFTER_SEAL] = response.context["result"].message

    # Sealed, but by someone else's certificate.
    from django.test import override_settings

    other_cert = seal.create_development_certificate(tmp_path / "other.p12", "other")
    with override_settings(SEAL_PKCS12_PATH=str(other_cert), SEAL_PKCS12_PASSPHRASE="other"):
        foreign = seal.seal_pdf(unrelated)
    response = upload(client, foreign)
    assert verdict(response) == Verdict.FOREIGN_SEAL
    messages[Verdict.FOREIGN_SEAL] = response.context["result"].message

    assert len(set(messages.values())) == len(messages), "each answer has its own message"

    check_reference_and_sha256(client, two_documents)


def test_non_pdf_and_oversize_are_refused_cleanly(client, settings):
    response = upload(client, b"PK\x03\x04 this is a zip file, not a PDF", name="afspraak.pdf")
    assert response.status_code == 415
    assert verdict(response) == Verdict.NOT_PDF

    response = client.post(URL, {"mode": "file", "reference": ""})
    assert response.status_code == 400  # no file chosen

    settings.VERIFY_MAX_UPLOAD_BYTES = 2048
    response = upload(client, b"%PDF-1.7\n" + b"0" * 4096)
    assert response.status_code == 413
    assert "te groot" in response.content.decode()
    response = upload(client, b"%PDF-1.7\n" + b"0" * 200_000)  # refused before the body is read
    assert response.status_code == 413


def check_reference_and_sha256(client, two_documents):
    """The second way to ask (shares the two rendered documents with the test above)."""
    (first, genuine), (second, _other) = two_documents
    digest = hashlib.sha256(genuine).hexdigest()

    response = client.post(URL, {"mode": "hash", "reference": first.reference, "sha256": digest.upper()})
    assert verdict(response) == Verdict.GENUINE
    html = response.content.decode()
    assert first.reference in html
    assert first.frozen_version().signatures.first().signer.full_name in html
    assert_no_content(response, first, second)

    response = client.post(URL, {"mode": "hash", "reference": second.reference, "sha256": digest})
    assert verdict(response) == Verdict.OTHER_AGREEMENT

    # A wrong hash for an existing reference and for an unknown one: the same answer.
    wrong = hashlib.sha256(b"something else").hexdigest()
    known = client.post(URL, {"mode": "hash", "reference": first.reference, "sha256": wrong})
    unknown = client.post(URL, {"mode": "hash", "reference": "SK-1999-0001", "sha256": wrong})
    assert verdict(known) == verdict(unknown) == Verdict.UNKNOWN_HASH
    assert known.context["result"].message == unknown.context["result"].message
    assert first.reference not in known.content.decode().replace(f'value="{first.reference}"', "")
    assert_no_content(known, first, second)

    response = client.post(URL, {"mode": "hash", "reference": first.reference, "sha256": "not-a-hash"})
    assert response.status_code == 400
    assert verdict(response) == Verdict.INVALID


def test_rate_limited_per_address(client, settings):
    settings.VERIFY_RATE_LIMIT = 3
    form = {"mode": "hash", "reference": "SK-2026-0001", "sha256": "0" * 64}
    for _ in range(3):
        assert client.post(URL, form, REMOTE_ADDR="203.0.113.5").status_code == 200
    limited = client.post(URL, form, REMOTE_ADDR="203.0.113.5")
    assert limited.status_code == 429
    assert "Probeer het over een tijdje opnieuw" in limited.content.decode()
    assert client.post(URL, form, REMOTE_ADDR="203.0.113.6").status_code == 200
    assert client.get(URL, REMOTE_ADDR="203.0.113.5").status_code == 200  # reading the page is never limited


def test_oversize_upload_is_refused_before_the_body_is_parsed(client, settings, monkeypatch):
    from django.http.multipartparser import MultiPartParser

    parsed = []
    original = MultiPartParser.parse
    monkeypatch.setattr(MultiPartParser, "parse", lambda self: parsed.append(1) or original(self))
    settings.VERIFY_MAX_UPLOAD_BYTES = 2048
    response = upload(client, b"%PDF-1.7\n" + b"0" * 200_000)
    assert response.status_code == 413
    assert parsed == []


def test_unreadable_content_length_is_a_clean_400(client):
    response = client.post(URL, data=b"x", content_type="application/octet-stream", CONTENT_LENGTH="abc")
    assert response.status_code == 400
