"""The signed demo agreement (made by seed_demo through the services) yields a sealed PDF that passes every check.

The demo data is seeded and the document made once for the module; the last
test reads the same file with poppler as well, where poppler-utils is installed.
"""

from __future__ import annotations

import hashlib
import re
from types import SimpleNamespace

import pytest
from django.core.files.storage import default_storage

from agreements.seal import validate_seal
from tests.documents.conftest import ARTIFACTS, rolled_back
from tests.documents.reading import (
    assert_a4_page_with_content,
    flat,
    page_image,
    page_texts,
    pdf_reader,
    pdf_text,
    pdfsig,
    poppler_text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_pdf(django_db_setup, django_db_blocker):
    from agreements.choices import AgreementState
    from agreements.models import Agreement
    from workflow.demo.seed import seed_demo
    from workflow.documents.signed import signed_document_create

    def build():
        seed_demo()
        signed = Agreement.objects.filter(state=AgreementState.SIGNED, supersedes__isnull=True)
        agreement = signed.order_by("pk").first()
        version = agreement.frozen_version()
        document = signed_document_create(version_id=version.pk)
        with default_storage.open(document.file.name, "rb") as fh:
            data = fh.read()
        return SimpleNamespace(
            data=data,
            canonical=version.canonical_bytes(),
            content_hash=version.content_hash,
            section_titles=[str(s.title) for s in version.sections.all()],
            signer_names=[s.signer.full_name for s in version.signatures.select_related("signer")],
        )

    return rolled_back(django_db_blocker, build)


def assert_text_complete(text: str, demo_pdf) -> None:
    text = flat(text)
    for title in demo_pdf.section_titles:
        assert title in text
    assert demo_pdf.signer_names
    for name in demo_pdf.signer_names:
        assert name in text
    assert "Verloop van de ondertekening" in text


def test_signed_demo_agreement_gets_a_sealed_pdf_that_passes_the_checks(demo_pdf):
    data = demo_pdf.data
    assert data.startswith(b"%PDF-1.7")
    assert_text_complete(pdf_text(data), demo_pdf)

    reader = pdf_reader(data)
    (attached,) = reader.attachments["inhoud.json"]
    assert attached == demo_pdf.canonical
    assert hashlib.sha256(attached).hexdigest() == demo_pdf.content_hash
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", xmp)
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]

    assert validate_seal(data).ok

    # Page images of the demo document for the record: cover, first role-division page, signing trail.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "demo-signed.pdf").write_bytes(data)
    pages = page_texts(data)
    wanted = {
        "demo-cover": 1,
        "demo-role-division": next(i for i, t in enumerate(pages, 1) if "Rolverdeling per taak" in t),
        "demo-audit-appendix": next(i for i, t in enumerate(pages, 1) if "Verloop van de ondertekening" in t),
    }
    for name, number in wanted.items():
        assert_a4_page_with_content(page_image(data, number, ARTIFACTS / f"{name}.png"))


@pytest.mark.program("pdftotext", "pdfsig")
def test_poppler_reads_the_demo_document_and_finds_the_signature_valid(demo_pdf, tmp_path):
    path = tmp_path / "demo-signed.pdf"
    path.write_bytes(demo_pdf.data)
    assert_text_complete(poppler_text(path), demo_pdf)
    report = pdfsig(path)
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Total document signed" in report
