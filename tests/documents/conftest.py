"""Fixtures for the signed record: a throw-away seal certificate and storage, and one rendered PDF per module."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import override_settings

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"
SEAL_PASSPHRASE = "test-seal-passphrase"


@pytest.fixture(scope="session")
def seal_certificate(tmp_path_factory) -> Path:
    from agreements.seal import create_development_certificate

    return create_development_certificate(tmp_path_factory.mktemp("seal") / "test-seal.p12", SEAL_PASSPHRASE)


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """English documents need the compiled catalogues (make setup compiles them; a bare pytest run may not have)."""
    from tests.web.translations import ensure_compiled_translations

    ensure_compiled_translations()


@pytest.fixture(scope="session", autouse=True)
def documents_settings(seal_certificate, tmp_path_factory):
    """Every test here seals with the throw-away certificate and stores files in a temporary folder."""
    media = tmp_path_factory.mktemp("media")
    override = override_settings(
        SEAL_PKCS12_PATH=str(seal_certificate),
        SEAL_PKCS12_PASSPHRASE=SEAL_PASSPHRASE,
        SEAL_TIMESTAMP_URL="",
        MEDIA_ROOT=str(media),
    )
    override.enable()
    yield SimpleNamespace(media_root=media, seal_certificate=seal_certificate)
    override.disable()


def rolled_back(django_db_blocker, build):
    """Run ``build`` against the test database and throw its rows away afterwards (for module fixtures)."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = build()
        transaction.set_rollback(True)
    return result


@pytest.fixture(scope="module")
def signed_pdf(django_db_setup, django_db_blocker):
    """One signed agreement, rendered and sealed once for the whole module, with what the tests compare against."""
    from agreements import pdf, seal
    from tests.documents.helpers import signed_agreement

    def build():
        agreement = signed_agreement(pages=9)
        version = agreement.frozen_version()
        rendered = pdf.render_version_pdf(version)
        sealed = seal.seal_pdf(rendered)
        return SimpleNamespace(
            rendered=rendered,
            sealed=sealed,
            reference=agreement.reference,
            canonical=version.canonical_bytes(),
            content_hash=version.content_hash,
            section_titles=[str(s.title) for s in version.sections.all()],
            signer_names=[s.signer.full_name for s in version.signatures.select_related("signer")],
            tasks=list(version.responsibilities.values_list("task", flat=True)),
        )

    return rolled_back(django_db_blocker, build)
