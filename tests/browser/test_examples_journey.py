"""Two parties share their signed agreement and another initiative starts from it, in Chromium.

The initiative's signatory opens the signed agreement, chooses "Delen als
voorbeeld", writes a plain-language summary, sees the alderman's name it typed
marked and replaces it, and consents; the alderman consents to the same text.
A visitor finds the example from ``/`` without signing in; a drafter of another
initiative opens it from the menu and starts a draft from it. In Dutch and in
English, with axe (0 serious or critical) and a screenshot on every page.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from agreements.choices import MembershipRole
from agreements.models import Agreement, PublicExample, User
from tests.browser.conftest import ROOT, open_agreement
from tests.browser.test_journey import new_page
from tests.documents.helpers import signed_agreement
from tests.factories import PASSWORD, OrganisationFactory, build_world, member

pytestmark = pytest.mark.browser

REPORTS = ROOT / "test-artifacts" / "axe"
SUMMARY = {
    "nl": "Het initiatief en de gemeente zoeken samen uit of een warmtenet voor de buurt haalbaar is.",
    "en": "The initiative and the municipality find out together whether a heat network for the area is feasible.",
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_two_parties_share_and_another_initiative_starts_from_it(
    language, browser, live_server, login, axe, screenshot, transactional_db
):
    world = build_world()
    agreement = signed_agreement(world)
    elsewhere = OrganisationFactory(name="Warmte Anderdorp")
    other_drafter = member(elsewhere, MembershipRole.DRAFTER, email="anderdorp@example.org")
    User.objects.update(preferred_language=language)
    results: dict[str, list[dict]] = {}

    def check(page, name: str) -> None:
        assert page.locator("html").get_attribute("lang") == language, f"{name}: wrong language"
        screenshot(page, f"examples-{name}-{language}")
        results[name] = axe(page)

    def signed_in(person):
        page = new_page(browser, live_server, javascript=True)  # axe runs as a script in the page
        return login(page, person.email, PASSWORD)

    # --- 1. The initiative's signatory consents, after replacing a name the page marked.
    signer = signed_in(world.initiative_signer1)
    open_agreement(signer, agreement.title)
    signer.locator(f"a[href='/afspraken/{agreement.reference}/delen/']").click()
    check(signer, "share")
    signer.locator("#id_summary").fill(SUMMARY[language])
    aim = signer.locator("#id_section_aim")
    aim.fill(aim.input_value() + f" {world.municipal_signer.full_name} is de bestuurlijk trekker.")
    signer.locator("main form button[type=submit]").click()
    expect(signer.locator("mark", has_text=world.municipal_signer.full_name).first).to_be_visible()
    check(signer, "share-names-marked")
    aim.fill(aim.input_value().replace(world.municipal_signer.full_name, "De wethouder"))
    signer.locator("main form button[type=submit]").click()
    signer.wait_for_url(f"**/afspraken/{agreement.reference}/")
    assert not PublicExample.objects.filter(withdrawn_at__isnull=True).exists()

    # --- 2. The alderman sees the same text and consents: the agreement is public.
    alderman = signed_in(world.municipal_signer)
    open_agreement(alderman, agreement.title)
    alderman.locator(f"a[href='/afspraken/{agreement.reference}/delen/']").click()
    expect(alderman.locator("#id_summary")).to_have_value(SUMMARY[language])
    alderman.locator("main form button[type=submit]").click()
    alderman.wait_for_url(f"**/afspraken/{agreement.reference}/")
    example = PublicExample.objects.get(agreement=agreement, withdrawn_at__isnull=True)
    expect(alderman.locator(f"a[href='/voorbeelden/{example.slug}/']")).to_be_visible()
    check(alderman, "agreement-shared")

    # --- 3. A visitor finds it from the public home page, without signing in.
    visitor = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    visitor.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    visitor_page = visitor.new_page()
    visitor_page.goto("/")
    visitor_page.locator("main a[href='/voorbeelden/']").click()
    check(visitor_page, "list")
    visitor_page.locator(f"main a[href='/voorbeelden/{example.slug}/']").click()
    expect(visitor_page.locator(".examples-summary")).to_contain_text(SUMMARY[language])
    expect(visitor_page.locator("main")).not_to_contain_text(world.municipal_signer.full_name)
    check(visitor_page, "example-public")

    # --- 4. A drafter of another initiative starts a draft from it.
    drafter = signed_in(other_drafter)
    drafter.locator("nav.main-nav a[href='/voorbeelden/']").click()
    drafter.locator(f"main a[href='/voorbeelden/{example.slug}/']").click()
    drafter.locator(f"main a[href='/afspraken/nieuw/?voorbeeld={example.slug}']").click()
    expect(drafter.locator(f"input[name=start][value='voorbeeld:{example.slug}']")).to_be_checked()
    check(drafter, "create-from-example")
    drafter.locator("#id_municipality").select_option(str(world.other_municipality.pk))
    drafter.locator("#id_title").fill("Warmtenet Anderdorp")
    drafter.locator("main form[action='/afspraken/nieuw/'] .button-row button[type=submit]").click()
    drafter.wait_for_url(re.compile(r"/bewerken/"))
    started = Agreement.objects.get(title="Warmtenet Anderdorp")
    assert started.started_from_example == example
    assert "De wethouder is de bestuurlijk trekker." in started.current_version().sections.get(key="aim").body
    drafter.locator("nav.main-nav a[href='/voorbeelden/']").click()
    drafter.locator(f"main a[href='/voorbeelden/{example.slug}/']").click()
    reused = "1 keer als startpunt gebruikt" if language == "nl" else "used 1 time as a starting point"
    expect(drafter.locator("main")).to_contain_text(reused)
    check(drafter, "example-reused")

    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"examples-{language}.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    failing = {name: violations for name, violations in results.items() if violations}
    assert not failing, json.dumps(failing, indent=2, ensure_ascii=False)
