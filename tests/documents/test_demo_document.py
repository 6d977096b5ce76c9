"""The signed demo agreement (made by seed_demo through the services) yields a sealed PDF that passes every check."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess

import pytest
from django.core.files.storage import default_storage

from agreements.choices import AgreementState
from agreements.models import Agreement
from agreements.seal import validate_seal
from tests.documents.conftest import ARTIFACTS, pdftotext
from workflow.demo.seed import seed_demo
from workflow.documents.signed import signed_document_create

pytestmark = pytest.mark.django_db


def test_signed_demo_agreement_gets_a_sealed_pdf_that_passes_the_checks(tmp_path):
    from pypdf import PdfReader

    seed_demo()
    agreement = Agreement.objects.filter(state=AgreementState.SIGNED, supersedes__isnull=True).order_by("pk").first()
    version = agreement.frozen_version()
    document = signed_document_create(version_id=version.pk)
    with default_storage.open(document.file.name, "rb") as fh:
        data = fh.read()

    assert data.startswith(b"%PDF-1.7")
    text = re.sub(r"\s+", " ", pdftotext(data, tmp_path))
    for section in version.sections.all():
        assert str(section.title) in text
    signers = [s.signer.full_name for s in version.signatures.select_related("signer")]
    assert signers
    for name in signers:
        assert name in text
    assert "Verloop van de ondertekening" in text

    reader = PdfReader(io.BytesIO(data))
    (attached,) = reader.attachments["inhoud.json"]
    assert attached == version.canonical_bytes()
    assert hashlib.sha256(attached).hexdigest() == version.content_hash
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", xmp)
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]

    assert validate_seal(data).ok
    path = ARTIFACTS / "demo-signed.pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    pdfsig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in pdfsig

    # Page images of the demo document for the record: cover, first role-division page, signing trail.
    pages = [
        subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True, text=True).stdout
        for n in range(1, len(reader.pages) + 1)
    ]
    wanted = {
        "demo-cover": 1,
        "demo-role-division": next(i for i, t in enumerate(pages, 1) if "Rolverdeling per taak" in t),
        "demo-audit-appendix": next(i for i, t in enumerate(pages, 1) if "Verloop van de ondertekening" in t),
    }
    for name, number in wanted.items():
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", "-f", str(number), "-l", str(number), str(path)]
            + [str(ARTIFACTS / name)],
            check=True,
        )
