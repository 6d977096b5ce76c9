"""What one 20 MB upload to the public verification page costs in memory.

The upload is streamed to a temporary file and hashed and checked from there,
so the file is never held in memory as a whole. Before, a 20 MB upload was read
into memory (and its copies); a file without a line break near its end made
the PDF reader keep it backwards, byte by byte (hundreds of MB, minutes).

The bound is generous on purpose (about three times what it takes now, half
the size of the file): it proves the design, not a speed. A small file is
checked first, so that what is loaded once per process (the PDF and seal
libraries) does not count.
"""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from agreements import seal
from workflow.documents.views.verify import verify

pytestmark = pytest.mark.django_db

MB = 2**20
PEAK_BOUND = 10 * MB


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def pdf_with_a_large_stream(size: int) -> bytes:
    """A well-formed one-page PDF whose content stream holds ``size`` random bytes."""
    payload = os.urandom(size)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(payload) + payload + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture(autouse=True)
def warmed_up():
    check(seal.seal_pdf(pdf_with_a_large_stream(1024)))


def check(data: bytes):
    """POST ``data`` to the view; the request body is built before measuring, as it arrives from the network."""
    request = RequestFactory().post(
        "/controleren/",
        {"mode": "file", "reference": "", "file": SimpleUploadedFile("afspraak.pdf", data, "application/pdf")},
    )
    tracemalloc.start()
    try:
        response = verify(request)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        request.close()
    return response, peak


def test_a_20_mb_sealed_upload_is_never_held_in_memory(settings):
    sealed = seal.seal_pdf(pdf_with_a_large_stream(settings.VERIFY_MAX_UPLOAD_BYTES - MB // 2))
    assert 19 * MB < len(sealed) <= settings.VERIFY_MAX_UPLOAD_BYTES
    response, peak = check(sealed)
    assert response.status_code == 200
    assert "onbeschadigd zegel van Samenkader" in response.content.decode()  # ours, but not a stored document
    assert peak < PEAK_BOUND, f"peak {peak / MB:.1f} MB"

    # With something appended after the seal, the sealed part is hashed from the file as well.
    response, peak = check(sealed + b"\n% a note added later\n")
    assert response.status_code == 200
    assert "onbeschadigd zegel van Samenkader" in response.content.decode()
    assert peak < PEAK_BOUND, f"peak {peak / MB:.1f} MB"


def test_a_20_mb_upload_without_a_line_break_near_its_end_is_cheap(settings):
    data = b"%PDF-1.7\n" + b"0" * (settings.VERIFY_MAX_UPLOAD_BYTES - 64 * 1024)
    response, peak = check(data)
    assert response.status_code == 200
    assert "het bestand heeft geen zegel" in response.content.decode()
    assert peak < PEAK_BOUND, f"peak {peak / MB:.1f} MB"


def test_the_upload_is_a_temporary_file_that_is_gone_after_the_request(client, monkeypatch):
    from workflow.documents import verification
    from workflow.documents.views import verify as view

    seen = []
    original = verification.verify_file

    def spy(*, file, reference=""):
        seen.append(file.name)
        assert os.path.isfile(file.name)
        return original(file=file, reference=reference)

    monkeypatch.setattr(view, "verify_file", spy)
    small = SimpleUploadedFile("afspraak.pdf", pdf_with_a_large_stream(100), "application/pdf")  # far below 1 MB
    response = client.post("/controleren/", {"mode": "file", "reference": "", "file": small})
    assert response.status_code == 200
    assert len(seen) == 1 and not os.path.exists(seen[0])


def test_reading_in_pieces_finds_what_spans_two_pieces():
    from workflow.documents.verification import CHUNK, contains, sha256_of

    data = b"x" * (CHUNK - 3) + b"SamenkaderZegel" + b"y" * 10
    assert contains(io.BytesIO(data), b"SamenkaderZegel")
    assert not contains(io.BytesIO(b"x" * (2 * CHUNK)), b"SamenkaderZegel")
    assert sha256_of(io.BytesIO(data)) == hashlib.sha256(data).hexdigest()
    assert sha256_of(io.BytesIO(data), end=CHUNK + 2) == hashlib.sha256(data[: CHUNK + 2]).hexdigest()
