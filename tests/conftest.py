"""Shared fixtures, and the rule for tests that need a real service.

Without REQUIRE_SERVICES=1 a test marked postgres / redis / browser skips
when its service is missing, and so does a test marked program("pdfsig", ...)
when one of those programs is not installed; the run lists the skips (-ra).
With it, as in CI, the same test fails instead: a missing service or program
is never a silent pass.
"""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# The Debian package that installs each external program a test may call.
PROGRAM_PACKAGES = {
    "pdftotext": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "pdfsig": "poppler-utils",
    "redis-server": "redis-server",
}


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    config.addinivalue_line(
        "markers", "program(*names): needs these programs on PATH; skips without them (see PROGRAM_PACKAGES)"
    )

    # Hashing passwords the production way costs ~0.3 s a user; tests make hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_two_factor_exemption(settings):
    """Tests meet two-factor sign-in as production does: the demo domain's exemption is off (one test turns it on)."""
    settings.TWO_FACTOR_EXEMPT_EMAIL_DOMAINS = []


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a page a test client fetched for an English reader leaves English
    active in the thread (the middleware activates the reader's language per request and keeps it)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Each test starts with empty attempt counters (the cache is per process and outlives a test)."""
    from django.core.cache import cache

    cache.clear()
    yield


def _redis_answers() -> bool:
    parsed = urlparse(REDIS_URL)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _browser_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM)


def missing_program(name: str) -> str | None:
    """Why ``name`` cannot run here (with the package that brings it), or None when it is on PATH."""
    if shutil.which(name):
        return None
    return f"{name} not installed: apt install {PROGRAM_PACKAGES.get(name, name)}"


def _missing_service(item: pytest.Item) -> str | None:
    from django.db import connection

    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "needs PostgreSQL (set DATABASE_URL=postgres://...)"
    if item.get_closest_marker("redis") and not _redis_answers():
        return f"needs Redis at {REDIS_URL}"
    if item.get_closest_marker("browser") and not _browser_available():
        return f"needs Playwright and Chromium at {CHROMIUM}"
    for marker in item.iter_markers("program"):
        for name in marker.args:
            if reason := missing_program(name):
                return reason
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = _missing_service(item)
    if reason:
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1, so this fails instead of skipping: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def world(db):
    from tests.factories import build_world

    return build_world()


@pytest.fixture
def staff(db):
    """A member of the platform's staff: confirms municipalities' first contacts, has the admin."""
    from tests.factories import UserFactory

    return UserFactory(email="staf@samenkader.example", full_name="Sam Staf", is_staff=True)
