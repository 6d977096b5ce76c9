"""The sealed PDF of a signed agreement: content, archival form, embedded data, seal.

One agreement is rendered and sealed once for the whole module (rendering costs seconds).
The text is read with pypdf, the pages are rendered with PDFium and the seal is
checked with pyHanko's validator; the tests at the end read the same file with
poppler as well, where poppler-utils is installed.
"""

from __future__ import annotations

import hashlib
import io
import re

import pytest

from tests.documents.conftest import ARTIFACTS
from tests.documents.reading import (
    assert_a4_page_with_content,
    flat,
    page_image,
    page_texts,
    pdf_reader,
    pdf_text,
    pdfsig,
    poppler_image,
    poppler_page_texts,
    poppler_text,
)

pytestmark = pytest.mark.django_db


def assert_text_complete(text: str, signed_pdf) -> None:
    """Every section, signer and task, the signing trail, the reference and the content hash are in ``text``."""
    text = flat(text)
    for title in signed_pdf.section_titles:
        assert title in text
    assert len(signed_pdf.signer_names) == 3
    for name in signed_pdf.signer_names:
        assert name in text
    for task in signed_pdf.tasks[:12]:
        assert task.split(" (")[0] in text
    assert "Verloop van de ondertekening" in text
    assert signed_pdf.reference in text
    assert signed_pdf.content_hash in text


def assert_footers(pages: list[str], signed_pdf) -> None:
    """Every page says "pagina x van y"; every page after the cover has the reference and the hash."""
    total = len(pages)
    assert total >= 6
    for number, text in enumerate(pages, start=1):
        assert f"pagina {number} van {total}" in text
    for text in pages[1:]:
        assert signed_pdf.reference in text
        assert signed_pdf.content_hash[:32] in text.replace(" ", "")


def pages_to_show(pages: list[str]) -> dict[str, int]:
    """Page numbers of the cover, the role division (first and continued), the signatures and the audit appendix."""
    return {
        "cover": 1,
        "role-division": next(i for i, t in enumerate(pages, 1) if "Rolverdeling per taak" in t),
        "role-division-continued": next(
            i for i, t in enumerate(pages, 1) if "deelgebied" in t and "Rolverdeling per taak" not in t
        ),
        "signatures": next(i for i, t in enumerate(pages, 1) if "Ondertekening" in t and "Datum en tijd" in t),
        "audit-appendix": next(i for i, t in enumerate(pages, 1) if "Verloop van de ondertekening" in t),
    }


def test_is_a_pdf(signed_pdf):
    assert signed_pdf.rendered.startswith(b"%PDF-1.7")
    assert signed_pdf.sealed.startswith(b"%PDF-1.7")
    # The seal is an incremental update: the rendered bytes stay in front, untouched.
    assert signed_pdf.sealed.startswith(signed_pdf.rendered)


def test_text_has_every_section_signer_and_task(signed_pdf):
    assert_text_complete(pdf_text(signed_pdf.sealed), signed_pdf)


def test_footer_has_page_x_of_y_reference_and_hash(signed_pdf):
    assert_footers(page_texts(signed_pdf.sealed), signed_pdf)


def test_role_division_header_repeats_on_every_page_it_spans(signed_pdf):
    pages = page_texts(signed_pdf.sealed)
    with_rows = [text for text in pages if "deelgebied" in text or "Intentieovereenkomst tekenen" in text]
    assert len(with_rows) >= 2, "the test agreement's role division should span pages"
    for text in with_rows:
        assert re.search(r"Taak\s+Fase", text), "the header row is repeated"


def test_audit_appendix_lists_who_what_when_and_from_where(signed_pdf):
    appendix = next(t for t in page_texts(signed_pdf.sealed) if "Verloop van de ondertekening" in t)
    for expected in ("Dirk Opsteller", "Aangemaakt", "Ingediend", "Goedgekeurd", "Rik Ambtenaar"):
        assert expected in appendix
    for ip in ("192.0.2.10", "198.51.100.7", "192.0.2.21", "2001:db8::22", "198.51.100.30"):
        assert ip in appendix
    assert re.search(r"\d\d-\d\d-20\d\d \d\d:\d\d:\d\d", appendix)


def test_embedded_json_is_the_canonical_content(signed_pdf):
    attachments = pdf_reader(signed_pdf.sealed).attachments
    assert list(attachments) == ["inhoud.json"]
    (data,) = attachments["inhoud.json"]
    assert data == signed_pdf.canonical
    assert hashlib.sha256(data).hexdigest() == signed_pdf.content_hash


def test_pdfa3_identification_title_and_language(signed_pdf):
    reader = pdf_reader(signed_pdf.sealed)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")3", xmp)
    assert re.search(r"pdfaid:conformance(>|=\")A", xmp)
    assert signed_pdf.reference in xmp  # the title
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert "/OutputIntents" in root
    # The attachment is declared as the document's source data (PDF/A-3 associated file).
    assert "/AF" in root


def test_tagged_structure(signed_pdf):
    root = pdf_reader(signed_pdf.sealed).trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712


def test_seal_is_intact_valid_and_covers_the_whole_file(signed_pdf):
    from agreements.seal import validate_seal

    check = validate_seal(signed_pdf.sealed)
    assert check.present and check.intact and check.valid and check.trusted and check.entire_file
    assert check.ok
    assert "Samenkader" in check.signer_subject


def test_pyhanko_validator_finds_one_pades_signature_over_the_whole_file(signed_pdf, documents_settings):
    """pyHanko's validator, called directly: what a PDF reader's signature panel would say."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    from tests.documents.conftest import SEAL_PASSPHRASE

    seal_cert = signers.SimpleSigner.load_pkcs12(
        str(documents_settings.seal_certificate), passphrase=SEAL_PASSPHRASE.encode()
    ).signing_cert
    (signature,) = PdfFileReader(io.BytesIO(signed_pdf.sealed), strict=False).embedded_signatures
    assert signature.field_name == "SamenkaderZegel"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    status = validate_pdf_signature(
        signature, signer_validation_context=ValidationContext(trust_roots=[seal_cert], allow_fetching=False)
    )
    assert status.bottom_line, status.pretty_print_details()
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.md_algorithm == "sha256"
    assert status.signing_cert.subject.native["organization_name"] == "Samenkader"


def test_one_changed_byte_breaks_the_seal(signed_pdf):
    from agreements.seal import validate_seal

    altered = bytearray(signed_pdf.sealed)
    # A byte inside the rendered page content, well inside the signed range.
    altered[len(signed_pdf.rendered) // 2] ^= 0x01
    check = validate_seal(bytes(altered))
    assert check.present
    assert not check.intact
    assert not check.ok


def test_seal_from_another_certificate_is_not_trusted(signed_pdf, tmp_path):
    from pyhanko.sign import signers

    from agreements.seal import create_development_certificate, validate_seal

    other = create_development_certificate(tmp_path / "other.p12", "other")
    other_cert = signers.SimpleSigner.load_pkcs12(str(other), passphrase=b"other").signing_cert
    check = validate_seal(signed_pdf.sealed, trust_roots=[other_cert])
    assert check.intact
    assert not check.trusted
    assert not check.ok


def test_page_images_for_the_record(signed_pdf):
    """Cover, role-division pages, signatures and audit appendix, rendered as A4 pages with content.

    The images are kept as PNG under test-artifacts/pdf/ for people to look at.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "signed.pdf").write_bytes(signed_pdf.sealed)
    for name, number in pages_to_show(page_texts(signed_pdf.sealed)).items():
        assert_a4_page_with_content(page_image(signed_pdf.sealed, number, ARTIFACTS / f"{name}.png"))


# --- The same file through poppler-utils: a second, independent reader (skips where it is not installed) ---


@pytest.mark.program("pdftotext")
def test_poppler_reads_the_same_text_and_footers(signed_pdf, tmp_path):
    path = tmp_path / "sealed.pdf"
    path.write_bytes(signed_pdf.sealed)
    assert_text_complete(poppler_text(path), signed_pdf)
    pages = poppler_page_texts(path)
    assert_footers(pages, signed_pdf)
    with_rows = [text for text in pages if "deelgebied" in text or "Intentieovereenkomst tekenen" in text]
    assert len(with_rows) >= 2
    for text in with_rows:
        assert re.search(r"Taak\s+Fase", text)


@pytest.mark.program("pdfsig")
def test_pdfsig_reports_the_signature_valid(signed_pdf, tmp_path):
    path = tmp_path / "sealed.pdf"
    path.write_bytes(signed_pdf.sealed)
    report = pdfsig(path)
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Total document signed" in report


@pytest.mark.program("pdftotext", "pdftoppm")
def test_poppler_renders_the_same_pages(signed_pdf, tmp_path):
    path = tmp_path / "sealed.pdf"
    path.write_bytes(signed_pdf.sealed)
    for name, number in pages_to_show(poppler_page_texts(path)).items():
        assert_a4_page_with_content(poppler_image(path, number, tmp_path / f"{name}.png"))
