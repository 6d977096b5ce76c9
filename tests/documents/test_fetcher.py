"""The renderer reads the project's static files and nothing else: no local files, no network, no attachments."""

from __future__ import annotations

import http.server
import io
import threading

import pytest
from django.conf import settings

from agreements import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def http_server():
    """A local web server that counts the requests it gets (it should get none)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def embedded_files_and_images(data: bytes) -> tuple[list[str], int]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    images = 0
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get_object().get("/Subtype") == "/Image":
                images += 1
    return list(reader.attachments), images


def test_fetcher_serves_our_static_css():
    fetcher = pdf.make_url_fetcher()
    response = fetcher.fetch(pdf.static_base_url() + "pdf/print.css")
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:1/secret.png",
        "https://example.org/logo.png",
        "data:text/plain,hello",
        "ftp://example.org/file",
        "file://otherhost/etc/passwd",
    ],
)
def test_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(pdf.RefusedURL):
        pdf.make_url_fetcher().fetch(url)


def test_fetcher_refuses_a_way_out_of_the_static_folder():
    with pytest.raises(pdf.RefusedURL):
        pdf.make_url_fetcher().fetch(pdf.static_base_url() + "../config/settings.py")
    with pytest.raises(pdf.RefusedURL):
        pdf.make_url_fetcher().fetch(pdf.static_base_url() + "pdf/../../manage.py")
    with pytest.raises(pdf.RefusedURL):
        pdf.make_url_fetcher().fetch((settings.BASE_DIR / "manage.py").as_uri())


def test_raw_html_cannot_fetch_or_embed_anything(http_server):
    """Even HTML that reached WeasyPrint unescaped gets nothing: every request is refused before it leaves."""
    base, hits = http_server
    html = f"""<html><head><title>t</title>
      <link rel="stylesheet" href="{base}/style.css">
      <link rel="attachment" href="file:///etc/passwd">
      </head><body>
      <img src="file:///etc/passwd" alt="x">
      <img src="{base}/image.png" alt="y">
      <a rel="attachment" href="file:///etc/hostname">bijlage</a>
      <a rel="attachment" href="{base}/bijlage.txt">bijlage</a>
      <p style="background: url({base}/bg.png)">tekst</p>
      </body></html>"""
    data = pdf.html_to_pdf(html)
    attachments, images = embedded_files_and_images(data)
    assert hits == []
    assert attachments == []
    assert images == 0
    assert b"root:" not in data


def test_agreement_text_with_markup_is_shown_as_text(world, http_server):
    """Text people type is escaped: it appears literally in the PDF and fetches nothing."""
    from tests.documents.helpers import draft_agreement
    from tests.documents.reading import pdf_text
    from workflow.lifecycle.services.drafting import agreement_update_draft

    base, hits = http_server
    agreement = draft_agreement(world)
    version = agreement.current_version()
    agreement_update_draft(
        agreement=agreement,
        actor=world.drafter,
        based_on_revision=version.revision,
        sections={
            "aim": f'<img src="file:///etc/passwd"> en <img src="{base}/x.png">',
            "roles": '<a rel="attachment" href="file:///etc/passwd">bijlage</a>',
        },
    )
    version.refresh_from_db()
    data = pdf.render_version_pdf(version, preview=True)
    attachments, images = embedded_files_and_images(data)
    assert hits == []
    assert attachments == []
    assert images == 0
    text = pdf_text(data)
    assert '<img src="file:///etc/passwd">' in text
    assert '<a rel="attachment"' in text
