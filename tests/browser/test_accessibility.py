"""axe-core on every page of sign-in, members, home and the statements, in Dutch and in English.

Zero serious or critical violations. Every page is also saved as a screenshot,
and the results per page go to test-artifacts/axe/ (a JSON file per language).
The pages are reached from / by links and buttons, found by where they lead so
that the same steps work in both languages.
"""

from __future__ import annotations

import json

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.utils import translation

from agreements.models import User
from tests.browser.conftest import ROOT, emailed_link
from tests.browser.world import PASSWORD, demo_like_world
from workflow.core.exceptions import Conflict, InvalidInput, NotPermitted
from workflow.members.services.invitations import invitation_create
from workflow.web.errors import server_error, service_error_response

pytestmark = pytest.mark.browser

REPORTS = ROOT / "test-artifacts" / "axe"


def click_link_to(page, href: str, *, within: str = "main") -> None:
    """Click the first link in ``within`` that leads to ``href`` (the same in every language)."""
    page.locator(f"{within} a[href='{href}']").first.click()
    page.wait_for_load_state("domcontentloaded")


def member_row(page, user):
    return page.locator("main tbody tr", has_text=user.email)


class Audit:
    """Visits pages, runs axe and takes a screenshot of each; remembers the results per page."""

    def __init__(self, axe, screenshot, language: str) -> None:
        self.axe = axe
        self.screenshot = screenshot
        self.language = language
        self.results: dict[str, list[dict]] = {}

    def check(self, page, name: str) -> None:
        assert page.locator("html").get_attribute("lang") == self.language, f"{name}: wrong language"
        self.screenshot(page, f"{name}-{self.language}")
        self.results[name] = self.axe(page)

    def report(self) -> None:
        REPORTS.mkdir(parents=True, exist_ok=True)
        path = REPORTS / f"accounts-members-home-{self.language}.json"
        path.write_text(json.dumps(self.results, indent=2, ensure_ascii=False), encoding="utf-8")
        failing = {name: violations for name, violations in self.results.items() if violations}
        assert not failing, json.dumps(failing, indent=2, ensure_ascii=False)


def _error_page_html(error, language: str, user) -> str:
    with translation.override(language):
        request = RequestFactory().get("/")
        request.user = user
        request.LANGUAGE_CODE = language
        if error is None:
            return server_error(request).content.decode()
        from django.contrib.messages.storage.fallback import FallbackStorage
        from django.contrib.sessions.backends.signed_cookies import SessionStore

        request.session = SessionStore()
        request._messages = FallbackStorage(request)
        return service_error_response(request, error, back_url="/").content.decode()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page_has_no_serious_accessibility_violations(
    browser, live_server, transactional_db, axe, screenshot, login, language
):
    world = demo_like_world()
    audit = Audit(axe, screenshot, language)
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()

    # --- not signed in --------------------------------------------------------------
    page.goto("/")  # not signed in: the public home page
    audit.check(page, "public-home")
    click_link_to(page, "/inloggen/")
    audit.check(page, "login")
    page.locator("input[name=username]").fill(world.bestuur.email)
    page.locator("input[name=password]").fill("fout")
    page.locator("form[action='/inloggen/'] button[type=submit]").click()
    audit.check(page, "login-error")
    click_link_to(page, "/wachtwoord-vergeten/")  # "Wachtwoord vergeten?"
    audit.check(page, "password-reset")
    page.locator("input[name=email]").fill(world.bestuur.email)
    page.locator("main form button[type=submit]").click()
    audit.check(page, "password-reset-sent")
    reset_link = emailed_link(world.bestuur.email, "/wachtwoord-instellen/")
    page.goto(reset_link)  # the link in the e-mail
    audit.check(page, "password-reset-new")
    page.locator("input[name=new_password1]").fill("nieuw-en-lang-genoeg-42")
    page.locator("input[name=new_password2]").fill("nieuw-en-lang-genoeg-42")
    page.locator("main form button[type=submit]").click()
    audit.check(page, "password-reset-complete")
    page.goto(reset_link)  # the e-mail's link once more: it is spent now
    audit.check(page, "password-reset-invalid-link")
    click_link_to(page, "/toegankelijkheid/", within="footer")
    audit.check(page, "accessibility-statement")
    click_link_to(page, "/privacy/", within="footer")
    audit.check(page, "privacy-statement")
    page.goto("/bestaat-niet/")  # a wrong address typed by hand: no link leads to a 404
    audit.check(page, "not-found")

    invitee = f"nieuw-{language}@example.org"
    invitation_create(actor=world.initiatief, organisation=world.initiative, email=invitee, role="drafter")
    accept_path = emailed_link(invitee, "/uitnodiging/")
    page.goto(accept_path)  # the link in the invitation e-mail
    audit.check(page, "invitation-accept")
    page.locator("input[name=password1]").fill("kort")
    page.locator("input[name=password2]").fill("anders")
    page.locator("main form button[type=submit]").click()
    audit.check(page, "invitation-accept-errors")
    page.goto("/uitnodiging/niet-echt/")  # a mistyped invitation address: the 404 of invitations
    audit.check(page, "invitation-invalid")

    # Five failures on record (test_accounts.py makes them one by one), then the sixth.
    AccessAttempt.objects.create(
        username="niemand@example.org",
        ip_address="127.0.0.1",
        user_agent="",
        http_accept="",
        path_info="/inloggen/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    click_link_to(page, "/", within="header")  # "Samenkader": the public home page
    click_link_to(page, "/inloggen/")
    page.locator("input[name=username]").fill("niemand@example.org")
    page.locator("input[name=password]").fill("fout")
    page.locator("form[action='/inloggen/'] button[type=submit]").click()
    audit.check(page, "locked")

    # The CSRF failure page: a form posted without its token.
    context.clear_cookies()
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    click_link_to(page, "/", within="header")  # "Samenkader": the public home page
    click_link_to(page, "/inloggen/")
    context.clear_cookies(name="csrftoken")
    page.locator("input[name=username]").fill(world.gemeente.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[action='/inloggen/'] button[type=submit]").click()
    audit.check(page, "csrf-failure")

    # --- signed in: the admin and drafter of the initiative --------------------------------
    context.clear_cookies()
    User.objects.filter(pk=world.initiatief.pk).update(preferred_language=language)
    login(page, world.initiatief.email, PASSWORD)
    audit.check(page, "home")
    # A drafter of an initiative finds "invite your municipality's first contact" on the home page.
    assert page.locator("main a[href='/gemeente-uitnodigen/']").count() == 1
    members = f"/organisaties/{world.initiative.pk}/leden/"
    click_link_to(page, members, within="nav.main-nav")  # "Leden van Buurtwarmte Zwolle-Oost"
    audit.check(page, "members")
    click_link_to(page, f"/organisaties/{world.initiative.pk}/uitnodigen/")  # "Iemand uitnodigen"
    audit.check(page, "member-invite")
    page.locator("input[name=email]").fill("geen-adres")
    page.locator("main form button[type=submit]").click()
    audit.check(page, "member-invite-errors")
    click_link_to(page, members)  # "Annuleren"
    member_row(page, world.bestuur).locator(f"a[href='{members}{world.bestuur.pk}/']").click()  # "Rollen wijzigen"
    audit.check(page, "member-roles")
    click_link_to(page, members)  # "Annuleren"
    member_row(page, world.bestuur).locator(f"a[href='{members}{world.bestuur.pk}/verwijderen/']").click()
    audit.check(page, "member-remove")
    # "Nee, terug" to the members; the invitation above is one line in the member log.
    click_link_to(page, members)
    click_link_to(page, f"/organisaties/{world.initiative.pk}/logboek/")
    audit.check(page, "member-log")
    # "Terug naar de leden"; an initiative's admin invites a municipality's first contact from there.
    click_link_to(page, members)
    click_link_to(page, "/gemeente-uitnodigen/")
    audit.check(page, "first-contact-invite")
    page.goto("/bestaat-niet/")  # a wrong address typed by hand: no link leads to a 404
    audit.check(page, "not-found-signed-in")

    # Error pages that only the agreement pages reach, rendered with the same layout.
    for name, error in (
        ("forbidden", NotPermitted("U mag dit niet doen bij afspraak SK-2026-0001.")),
        ("conflict", Conflict("Iemand anders keurde de afspraak al goed.", state="approved")),
        ("bad-request", InvalidInput(errors={"body": ["Schrijf eerst uw opmerking."]})),
        ("server-error", None),
    ):
        html = _error_page_html(error, language, world.initiatief)
        click_link_to(page, "/privacy/", within="footer")  # a fresh page of this site to write into
        page.set_content(html)
        audit.check(page, name)

    # --- the other kinds of person: their home pages ------------------------------------------
    for who in ("gemeente", "adviseur"):
        user = getattr(world, who)
        User.objects.filter(pk=user.pk).update(preferred_language=language)
        context.clear_cookies()
        login(page, user.email, PASSWORD)
        audit.check(page, f"home-{who}")
    context.close()
    audit.report()


def test_pages_fit_a_small_phone_screen(browser, live_server, transactional_db, login, screenshot):
    """From 320 px wide nothing needs sideways scrolling, and buttons stay large enough to tap."""
    world = demo_like_world()
    invitation_create(
        actor=world.initiatief, organisation=world.initiative, email="nieuw-smal@example.org", role="drafter"
    )
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto("/")  # not signed in: the public home page
    _assert_fits(page, "public-home-320px")
    screenshot(page, "public-home-320px")
    for within, href, name in [("main", "/inloggen/", "login-320px"), ("footer", "/privacy/", "privacy-320px")]:
        if href:
            click_link_to(page, href, within=within)
        if name:  # None: a step back to the members list
            _assert_fits(page, name)
            screenshot(page, name)
    login(page, world.initiatief.email, PASSWORD)
    for within, href, name in [
        (None, None, "home-320px"),
        ("nav.main-nav", f"/organisaties/{world.initiative.pk}/leden/", "members-320px"),
        ("main", f"/organisaties/{world.initiative.pk}/logboek/", "member-log-320px"),
        ("main", f"/organisaties/{world.initiative.pk}/leden/", None),
        ("main", f"/organisaties/{world.initiative.pk}/uitnodigen/", "member-invite-320px"),
    ]:
        if href:
            click_link_to(page, href, within=within)
        if name:  # None: a step back to the members list
            _assert_fits(page, name)
            screenshot(page, name)
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, .button, input:not([type=hidden]), select')]
            .filter(el => el.getBoundingClientRect().height > 0 && el.getBoundingClientRect().height < 24)
            .map(el => el.outerHTML.slice(0, 80))"""
    )
    assert small == [], small
    context.close()


def _assert_fits(page, name: str) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: {overflow}px sideways scrolling at 320px"
