"""HTTP security headers: production's HTTPS settings, the Content-Security-Policy everywhere, and the API uncached.

Production settings are read in a child process (they are fixed when Django
starts). That is also where Django's own deployment check runs, with the
production variables the README documents, and must find nothing, warnings
included.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Whatever the environment of the test run says about these must not leak into the child process
# (the browser tests' conftest, for one, allows the ORM in Playwright's event loop).
CONFIGURATION = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DEBUG",
    "SECRET_KEY",
    "DJANGO_ENV",
    "DEMO_PASSWORD",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "SEAL_PKCS12_PATH",
    "SEAL_PKCS12_PASSPHRASE",
    "TRUSTED_PROXY_COUNT",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
}
SEAL_PASSPHRASE = "production-test-seal"


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict[str, str]:
    """The variables a production deployment sets (README, "Configuration"), with a throw-away seal."""
    from agreements.seal import create_development_certificate

    folder = tmp_path_factory.mktemp("production")
    seal = create_development_certificate(folder / "seal.p12", SEAL_PASSPHRASE)
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "kP3v9QeX2mZ7rT1wYb8nL4sD6fH0jG5cVu2Ai9oEq7RxW3tN8yM1",
        "ALLOWED_HOSTS": "samenkader.example",
        "SITE_URL": "https://samenkader.example",
        "DATABASE_URL": "postgres://samenkader@db.internal:5432/samenkader",
        "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
        "SEAL_PKCS12_PATH": str(seal),
        "SEAL_PKCS12_PASSPHRASE": SEAL_PASSPHRASE,
        "SAMENKADER_VAR_DIR": str(folder / "var"),
        "STATIC_ROOT": str(folder / "static"),
        "EMAIL_HOST": "smtp.internal",
    }


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIGURATION}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_settings(**env: str) -> dict:
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_REDIRECT_EXEMPT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SECURE",
        "SILENCED_SYSTEM_CHECKS",
    ]
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = run(["-c", code], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("proxies", ["0", "1"])
def test_the_deployment_check_finds_nothing_in_production(production, proxies):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], TRUSTED_PROXY_COUNT=proxies, **production
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_is_https_only(production):
    values = production_settings(**production)
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["LANGUAGE_COOKIE_SECURE"]
    # Clients connect directly: nobody may claim HTTPS through a header.
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_production_trusts_the_forwarded_scheme_only_behind_its_own_proxies(production):
    values = production_settings(TRUSTED_PROXY_COUNT="2", **production)
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_hsts_is_configurable(production):
    values = production_settings(
        SECURE_HSTS_SECONDS="600", SECURE_HSTS_INCLUDE_SUBDOMAINS="0", SECURE_HSTS_PRELOAD="1", **production
    )
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_HSTS_PRELOAD"] is True
    # Asking for preloading brings the deployment check's preload warning back.
    assert "security.W021" not in values["SILENCED_SYSTEM_CHECKS"]


def test_development_keeps_plain_http(tmp_path):
    values = production_settings(SAMENKADER_VAR_DIR=str(tmp_path))
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert not (values["SESSION_COOKIE_SECURE"] or values["CSRF_COOKIE_SECURE"] or values["LANGUAGE_COOKIE_SECURE"])


RESPONSES = """
import json, django
django.setup()
from django.test import Client

client = Client()
def answer(response):
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        "hsts": response.get("Strict-Transport-Security"),
        "csp": response.get("Content-Security-Policy"),
        "cookie": response.cookies["django_language"].output() if "django_language" in response.cookies else None,
    }
print(json.dumps({
    "http": answer(client.get("/privacy/")),
    "https": answer(client.get("/privacy/", secure=True)),
    "forwarded": answer(client.get("/privacy/", headers={"X-Forwarded-Proto": "https"})),
    "health": answer(client.get("/healthz")),
    "language": answer(client.post("/taal/", {"language": "en", "next": "/privacy/"}, secure=True)),
}))
"""


def production_responses(production, **env: str) -> dict:
    # The test client's host, and the embedded database (the health check asks it).
    local = {**production, "ALLOWED_HOSTS": "testserver", "DATABASE_URL": "", "CELERY_BROKER_URL": ""}
    result = run(["-c", RESPONSES], **{**local, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_responses_redirect_to_https_and_pin_it(production):
    answers = production_responses(production)
    assert answers["http"]["status"] == 301
    assert answers["http"]["location"] == "https://testserver/privacy/"
    assert answers["https"]["status"] == 200
    assert answers["https"]["hsts"] == "max-age=31536000; includeSubDomains"
    assert "script-src 'self'" in answers["https"]["csp"]
    # Without trusted proxies a client cannot claim HTTPS through a header.
    assert answers["forwarded"]["status"] == 301
    # The load balancer's health check over plain HTTP inside the network.
    assert answers["health"]["status"] == 200
    cookie = answers["language"]["cookie"]
    assert "django_language=en" in cookie and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_behind_a_proxy_takes_its_word_for_https(production):
    answers = production_responses(production, TRUSTED_PROXY_COUNT="1")
    assert answers["forwarded"]["status"] == 200
    assert answers["forwarded"]["hsts"] == "max-age=31536000; includeSubDomains"
    assert answers["http"]["status"] == 301


# --- The same headers in development, where the tests run -------------------------------------


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/inloggen/", "/privacy/", "/controleren/", "/does-not-exist/"])
def test_every_page_has_a_strict_content_security_policy(client, path):
    response = client.get(path)
    directives = csp_directives(response)
    for directive in ("default-src", "script-src", "style-src", "img-src", "font-src", "connect-src", "form-action"):
        assert directives[directive] == ["'self'"], directive
    for directive in ("object-src", "base-uri", "frame-ancestors"):
        assert directives[directive] == ["'none'"], directive
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in response


@pytest.mark.django_db
def test_every_page_switches_off_unused_browser_features(client):
    policy = client.get("/privacy/")["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_the_api_is_never_cached(world, client):
    anonymous = client.get("/api/v1/agreements/")
    assert anonymous.status_code == 401
    assert anonymous["Cache-Control"] == "no-store"
    client.force_login(world.drafter)
    for path in ("/api/v1/agreements/", "/api/v1/schema/", "/api/v1/does-not-exist/"):
        response = client.get(path)
        assert response["Cache-Control"] == "no-store", path
    assert client.get("/api/v1/agreements/").status_code == 200


@pytest.mark.django_db
def test_pages_are_not_marked_no_store_by_the_api_rule(client):
    assert "no-store" not in client.get("/privacy/").get("Cache-Control", "")


@pytest.mark.django_db
def test_the_language_cookie_follows_the_language_cookie_settings(client):
    response = client.post("/taal/", {"language": "en", "next": "/privacy/"})
    cookie = response.cookies["django_language"]
    assert cookie.value == "en"
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["secure"]  # development runs on plain HTTP


# --- No inline code in what a browser gets -----------------------------------------------------

# E-mails and the PDF layout never reach a browser: mail clients need inline styles, WeasyPrint reads its own.
NOT_FOR_BROWSERS = ("emails", "pdf")
INLINE_CODE = {
    "an inline <script>": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "a <style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE),
    "a javascript: link": re.compile(r"javascript:", re.IGNORECASE),
}


def test_templates_for_browsers_hold_no_inline_script_or_style():
    found = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        relative = template.relative_to(ROOT / "templates")
        if relative.parts[0] in NOT_FOR_BROWSERS:
            continue
        text = template.read_text(encoding="utf-8")
        for what, pattern in INLINE_CODE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"templates/{relative}:{line}: {what}")
    assert not found, "the Content-Security-Policy refuses these; move them to static/:\n" + "\n".join(found)


def test_staff_always_sign_in_with_two_steps_in_production(production):
    """Nor may the environment exempt anyone (the demo accounts' exemption is for development only)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.TWO_FACTOR_REQUIRED_FOR_STAFF, settings.TWO_FACTOR_EXEMPT_EMAIL_DOMAINS]))"
    )
    result = run(
        ["-c", code], TWO_FACTOR_REQUIRED_FOR_STAFF="0", TWO_FACTOR_EXEMPT_EMAIL_DOMAINS="example.org", **production
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, []]
    development = run(["-c", code], TWO_FACTOR_REQUIRED_FOR_STAFF="0")
    assert json.loads(development.stdout) == [False, ["example.org"]]
