"""Links in e-mails and PDFs point where `make run` serves: SITE_URL follows HOST and PORT unless it is set."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRINT = "import django; django.setup(); from django.conf import settings as s; print(s.SITE_URL, *s.ALLOWED_HOSTS)"


def settings_with(**env: str) -> list[str]:
    unset = {"SITE_URL", "HOST", "PORT", "ALLOWED_HOSTS", "DJANGO_ENV"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    result = subprocess.run(
        [sys.executable, "-c", PRINT],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.parametrize(
    ("env", "site_url"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "9123"}, "http://127.0.0.1:9123"),
        ({"HOST": "samenkader.local", "PORT": "8080"}, "http://samenkader.local:8080"),
        # Listening everywhere: the links name this machine, not 0.0.0.0.
        ({"HOST": "0.0.0.0", "PORT": "9000"}, "http://127.0.0.1:9000"),  # nosec B104
        ({"SITE_URL": "https://samenkader.example/", "PORT": "9123"}, "https://samenkader.example"),
    ],
)
def test_site_url_follows_where_the_site_is_served(env, site_url):
    values = settings_with(**env)
    assert values[0] == site_url


def test_the_served_host_is_allowed():
    values = settings_with(HOST="samenkader.local", PORT="8080")
    assert "samenkader.local" in values[1:]


def test_production_insists_on_a_site_url():
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "DEBUG", "SECRET_KEY"}}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV": "production", "PORT": "9123"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "SITE_URL" in result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_hands_host_and_port_to_what_it_runs():
    """`make run` starts the Procfile and the settings with the same HOST and PORT, defaults included."""
    clean = {k: v for k, v in os.environ.items() if k not in {"HOST", "PORT", "MAKEFLAGS", "MAKELEVEL"}}
    show = ["make", "-s", "--no-print-directory", "--eval", "_show_env: ; @echo $$HOST $$PORT", "_show_env"]
    defaults = subprocess.run(show, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert defaults.stdout.split() == ["127.0.0.1", "8000"], defaults.stderr
    chosen = subprocess.run([*show, "PORT=9123"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert chosen.stdout.split() == ["127.0.0.1", "9123"], chosen.stderr
