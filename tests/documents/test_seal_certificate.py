"""The seal certificate: created once for development, required in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(code: str, **env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ENV", "DEMO_PASSWORD", "SEAL_PKCS12_PATH", "SEAL_PKCS12_PASSPHRASE"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


START = "import django; django.setup(); print('started')"
COMMAND = (
    "import django; django.setup(); from django.core.management import call_command; call_command('seal_certificate')"
)
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "seal-test-" + "k7Qz" * 10,
    "ALLOWED_HOSTS": "samenkader.example",
    "SITE_URL": "https://samenkader.example",
}


def test_production_refuses_to_start_without_a_seal_certificate(tmp_path):
    result = run(START, SAMENKADER_VAR_DIR=str(tmp_path), **PRODUCTION)
    assert result.returncode != 0
    assert "SEAL_PKCS12_PATH" in result.stderr
    missing = run(START, SAMENKADER_VAR_DIR=str(tmp_path), SEAL_PKCS12_PATH=str(tmp_path / "nope.p12"), **PRODUCTION)
    assert missing.returncode != 0
    assert "SEAL_PKCS12_PATH" in missing.stderr


def test_production_starts_with_a_seal_certificate(tmp_path, seal_certificate):
    result = run(START, SAMENKADER_VAR_DIR=str(tmp_path), SEAL_PKCS12_PATH=str(seal_certificate), **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_development_certificate_is_created_once_and_seals(tmp_path):
    first = run(COMMAND, SAMENKADER_VAR_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    path = tmp_path / "seal" / "development-seal.p12"
    assert path.is_file()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    before = path.read_bytes()
    second = run(COMMAND, SAMENKADER_VAR_DIR=str(tmp_path))
    assert second.returncode == 0
    assert path.read_bytes() == before
    sealed = run(
        "import django; django.setup(); from agreements import seal, pdf; "
        "data = seal.seal_pdf(pdf.html_to_pdf('<html><title>t</title><p>x</p></html>')); "
        "print(seal.validate_seal(data).ok)",
        SAMENKADER_VAR_DIR=str(tmp_path),
    )
    assert sealed.stdout.strip().endswith("True"), sealed.stderr
