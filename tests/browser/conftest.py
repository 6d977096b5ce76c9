"""Browser tests: one Chromium and one live server for the whole session.

Playwright drives Debian's Chromium (never a downloaded browser). Every test
gets its own browser context (its own cookies), so tests stay independent
while the expensive parts, the browser process and the live server thread,
start once. pytest-django's ``live_server`` is session-scoped and makes each
test that uses it transactional.

Every journey starts at ``/`` and goes on by clicking links and buttons, as a
person would: a page that no link leads to makes its test fail. The only
other addresses a test opens are the links a person gets by e-mail (taken
from the e-mail actually sent, see ``emailed_link``) and a wrong address
typed by hand (the 404 page).

The pages run under the site's real Content-Security-Policy: every context
the session's browser makes listens to its console, and a test fails when a
page had anything refused (an inline script or style, a foreign source).

Helpers, as fixtures that return functions:
- ``login(page, email, password)`` signs in from ``/`` (which shows the sign-in page);
- ``axe(page)`` runs axe-core on the page and returns the serious and critical violations;
- ``screenshot(page, name)`` saves test-artifacts/screenshots/<name>.png.

And plain functions for the steps every journey takes:
- ``go_home(page)`` clicks "Mijn afspraken" in the menu;
- ``open_agreement(page, title)`` goes home (unless already there) and clicks the agreement's title;
- ``emailed_link(to, path)`` delivers the queued e-mails and returns the link (a path) from the newest one to ``to``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import CHROMIUM, REQUIRE_SERVICES

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERIOUS = {"serious", "critical"}
DEFAULT_TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config, items):
    # Browser tests drive one shared Chromium; they run last so that a slow
    # start of the browser never delays the quick unit tests' feedback.
    browser_items = [i for i in items if i.get_closest_marker("browser")]
    others = [i for i in items if not i.get_closest_marker("browser")]
    items[:] = others + browser_items


def go_home(page) -> None:
    """Click "Mijn afspraken" ("My agreements") in the main menu."""
    page.locator("nav.main-nav a[href='/']").click()
    page.wait_for_load_state("domcontentloaded")


def open_agreement(page, title: str) -> None:
    """From any page: go home (unless already there), then click the agreement's title in "Mijn afspraken"."""
    if urlsplit(page.url).path != "/":
        go_home(page)
    page.locator("main").get_by_role("link", name=title, exact=True).first.click()
    page.wait_for_load_state("domcontentloaded")


def emailed_link(to: str, path: str) -> str:
    """The link starting with ``path`` in the newest e-mail to ``to``, as the person receives it.

    Queued notifications are delivered first, as the worker would; Django's test
    e-mail backend keeps every sent message in ``mail.outbox``.
    """
    from django.core import mail

    from workflow.models import Notification, NotificationStatus
    from workflow.notifications.delivery import deliver_many

    deliver_many(Notification.objects.filter(status=NotificationStatus.PENDING).values_list("pk", flat=True))
    for message in reversed(mail.outbox):
        if to.lower() in (address.lower() for address in message.to):
            found = re.search(rf"https?://[^/\s]+({re.escape(path)}\S*)", message.body)
            assert found, f"the e-mail to {to} has no link to {path}: {message.body}"
            return found.group(1)
    raise AssertionError(f"no e-mail was sent to {to}; sent: {[m.to for m in mail.outbox]}")


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


# What the Content-Security-Policy refused during the current test, as Chromium reports it on the console.
_csp_refusals: list[str] = []


def _watch_for_csp_refusals(message) -> None:
    if "Content Security Policy" in message.text:
        where = message.location.get("url") or (message.page.url if message.page else "?")
        _csp_refusals.append(f"{where}: {message.text}")


class _WatchedBrowser:
    """The session's browser; every context made from it reports what the Content-Security-Policy refused."""

    def __init__(self, browser) -> None:
        self._browser = browser

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.on("console", _watch_for_csp_refusals)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield _WatchedBrowser(browser)
    browser.close()


@pytest.fixture(autouse=True)
def no_csp_refusals():
    """Fails the test when a page it visited had something refused by the Content-Security-Policy."""
    _csp_refusals.clear()
    yield
    refused, _csp_refusals[:] = list(_csp_refusals), []
    assert not refused, "the Content-Security-Policy refused:\n" + "\n".join(refused)


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    yield page
    page.close()


@pytest.fixture
def login(live_server):
    """``login(page, email, password)``: sign in through the page, as a person would; returns the page."""

    def _login(page, email: str, password: str, *, expect_success: bool = True):
        page.goto(live_server.url + "/")  # not signed in: / is the public home page, with its way in
        page.locator("main a[href='/inloggen/']").first.click()
        page.wait_for_url("**/inloggen/")
        page.locator("input[name=username]").fill(email)
        page.locator("input[name=password]").fill(password)
        page.locator("form[action='/inloggen/'] button[type=submit]").click()
        page.wait_for_load_state("domcontentloaded")
        if expect_success:
            assert "/inloggen/" not in page.url, f"sign-in as {email} failed: {page.url}"
        return page

    return _login


@pytest.fixture(scope="session")
def _axe_source() -> str:
    if not AXE_SOURCE.exists():
        reason = "axe-core is not installed: run `npm ci --no-audit --no-fund` (make test does this when npm is there)"
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return AXE_SOURCE.read_text(encoding="utf-8")


@pytest.fixture
def axe(_axe_source):
    """``axe(page)``: inject axe-core, run it (WCAG 2.1 A/AA and best practices); return serious/critical violations.

    Each violation is a dict with id, impact, help and the failing nodes'
    selectors, so an assertion message says exactly what is wrong where.
    """

    def _axe(page) -> list[dict]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated by the test driver, which the page's Content-Security-Policy does not govern
            # (an injected <script> element would be refused like any inline script).
            page.evaluate(_axe_source)
        result = page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
                }));
            }"""
        )
        return [v for v in result if v["impact"] in SERIOUS]

    return _axe


@pytest.fixture
def screenshot():
    """``screenshot(page, name)``: a full-page PNG under test-artifacts/screenshots/; returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _screenshot(page, name: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
        path = SCREENSHOTS / f"{safe}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _screenshot
