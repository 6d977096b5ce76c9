"""The agreement pages in Chromium: a stale save by two drafters, and axe-core on every page in both languages.

Every page is reached from "Mijn afspraken" by links and buttons. The links are
found by where they lead, so the same steps work in Dutch and in English.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from agreements.choices import AgreementState, MembershipRole
from agreements.models import AdvisorAccess, Comment, Membership
from tests.browser.conftest import open_agreement
from tests.browser.editor import save_part
from tests.browser.test_journey import new_page
from tests.factories import PASSWORD, build_world
from tests.web.agreement_support import agreement_in
from workflow.lifecycle.services.drafting import agreement_update_draft
from workflow.lifecycle.services.review import agreement_approve, agreement_request_changes, agreement_submit

pytestmark = pytest.mark.browser

AXE_RESULTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "axe"


def click_link_to(page, suffix: str, *, within: str = "main") -> None:
    """Click the first link in ``within`` whose address ends with ``suffix`` (in any language)."""
    page.locator(f"{within} a[href$='{suffix}']").first.click()
    page.wait_for_load_state("domcontentloaded")


def edit_draft(page, title: str) -> None:
    """Home, the agreement, then its "Concept bewerken" button."""
    open_agreement(page, title)
    click_link_to(page, "/bewerken/", within="#acties")


@pytest.fixture
def world(transactional_db):
    world = build_world()
    # A second drafter, for two people editing the same draft.
    Membership.objects.create(user=world.initiative_admin, organisation=world.initiative, role=MembershipRole.DRAFTER)
    return world


def test_two_drafters_editing_the_same_draft(browser, live_server, login, screenshot, world):
    """Different sections both land; the same section shows both texts and a choice, and loses nothing."""
    agreement = agreement_in(world, AgreementState.DRAFT, title="Concept Test-Oost")
    first = new_page(browser, live_server, javascript=True)
    second = new_page(browser, live_server, javascript=True)
    login(first, world.drafter.email, PASSWORD)
    login(second, world.initiative_admin.email, PASSWORD)
    edit_draft(first, "Concept Test-Oost")
    edit_draft(second, "Concept Test-Oost")

    first.locator("#id_aim").fill("Tekst van de eerste opsteller.")
    save_part(first, "aim")

    # The second drafter had the page open before that save: another section simply saves.
    second.locator("#id_resources").fill("Budget van de tweede opsteller.")
    save_part(second, "resources")
    version = agreement.current_version()
    assert version.sections.get(key="aim").body == "Tekst van de eerste opsteller."
    assert version.sections.get(key="resources").body == "Budget van de tweede opsteller."

    # The first drafter's page was loaded before that: the same section shows both texts, and a choice.
    first.locator("#id_resources").fill("Budget van de eerste opsteller.")
    first.locator("section[data-part='resources'] .ak-part__save button[name='save']").click()
    conflict = first.locator("#conflict")
    expect(conflict).to_contain_text("Iemand anders heeft dit onderdeel intussen opgeslagen")
    expect(conflict.locator("[data-compare='resources']")).to_contain_text("Budget van de eerste opsteller.")
    expect(conflict.locator("[data-compare='resources']")).to_contain_text("Budget van de tweede opsteller.")
    expect(first.locator("#id_resources")).to_have_value("Budget van de eerste opsteller.")  # nothing lost
    screenshot(first, "agreement-stale-save")
    assert agreement.current_version().sections.get(key="resources").body == "Budget van de tweede opsteller."

    # Choice 1: take the saved text, then edit on top of it.
    first.get_by_role("link", name="De opgeslagen versie nemen").click()
    expect(first.locator("#id_resources")).to_have_value("Budget van de tweede opsteller.")
    first.locator("#id_resources").fill("Budget van de tweede opsteller, aangevuld door de eerste.")
    save_part(first, "resources")

    # Choice 2: the second drafter, now stale in turn, keeps their own text deliberately.
    second.locator("#id_resources").fill("De tweede opsteller houdt deze tekst.")
    second.locator("section[data-part='resources'] .ak-part__save button[name='save']").click()
    expect(second.locator("#conflict [data-compare='resources']")).to_contain_text(
        "Budget van de tweede opsteller, aangevuld door de eerste."
    )
    second.locator("section[data-part='resources']").get_by_role("button", name="Mijn versie opslaan").click()
    expect(second.locator("section[data-part='resources'] [data-part-saved]")).to_be_visible()
    assert agreement.current_version().sections.get(key="resources").body == "De tweede opsteller houdt deze tekst."
    first.context.close()
    second.context.close()


def _as(browser, live_server, login, person, language: str):
    page = new_page(browser, live_server, javascript=True)
    login(page, person.email, PASSWORD)
    if language == "en":
        # The language switch in the header, as a person would use it (remembered on the user).
        page.locator("form[action='/taal/'] button[value='en']").click()
        page.wait_for_load_state("domcontentloaded")
    return page


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_agreement_page_has_no_serious_accessibility_violations(
    browser, live_server, login, axe, screenshot, world, language
):
    draft = agreement_in(world, AgreementState.DRAFT, title="Concept Test-Oost")
    in_review = agreement_in(world, AgreementState.IN_REVIEW, title="In beoordeling Test-Oost")
    Comment.objects.create(
        version=in_review.frozen_version(), author=world.reviewer, body="Hoeveel woningen?", section_key="aim"
    )
    AdvisorAccess.objects.create(agreement=in_review, organisation=world.advisor_org, granted_by=world.drafter)
    note = Comment.objects.create(
        version=in_review.frozen_version(),
        author=world.advisor,
        body="Kijk naar de aanpak in Zwolle.",
        section_key="aim",
        is_advisory=True,
    )
    Comment.objects.create(version=in_review.frozen_version(), author=world.reviewer, body="Nemen we mee.", parent=note)
    approved = agreement_in(world, AgreementState.IN_REVIEW, title="Goedgekeurd Test-Oost")
    # Two review rounds, for the versions page.
    agreement_request_changes(agreement=approved, actor=world.reviewer, note="Budget uitwerken")
    agreement_update_draft(
        agreement=approved,
        actor=world.drafter,
        based_on_revision=approved.current_version().revision,
        sections={"resources": "Nieuw budget: 200 uur."},
    )
    agreement_submit(agreement=approved, actor=world.drafter)
    agreement_approve(agreement=approved, actor=world.reviewer)

    results: dict[str, list] = {}

    def check(page, name: str) -> None:
        assert page.locator("html").get_attribute("lang") == language
        results[name] = axe(page)
        if language == "nl":  # one set of pictures is enough; the English run is for axe
            screenshot(page, f"a11y-{name}-{language}")

    drafter = _as(browser, live_server, login, world.drafter, language)
    click_link_to(drafter, "/afspraken/nieuw/", within="main .page-header")  # "Nieuwe afspraak maken"
    check(drafter, "create")
    edit_draft(drafter, "Concept Test-Oost")
    check(drafter, "edit")
    drafter.locator("#id_responsibilities-0-task").fill("x")
    drafter.locator("#id_responsibilities-0-phase").select_option("")
    drafter.locator("section[data-part='responsibilities'] .ak-part__save button[name='save']").click()
    expect(drafter.locator("#fouten")).to_be_visible()
    check(drafter, "edit-with-errors")
    # A stale save: someone saves in between. The drafter leaves the page with errors
    # ("Terug naar de afspraak") and opens the editor again.
    click_link_to(drafter, f"/afspraken/{draft.reference}/")
    click_link_to(drafter, "/bewerken/", within="#acties")
    agreement_update_draft(
        agreement=draft,
        actor=world.initiative_admin,
        based_on_revision=draft.current_version().revision,
        sections={"aim": "Ondertussen aangepast."},
    )
    drafter.locator("#id_aim").fill("Mijn tekst.")
    drafter.locator("section[data-part='aim'] .ak-part__save button[name='save']").click()
    expect(drafter.locator("#conflict")).to_be_visible()
    check(drafter, "edit-stale-save")
    click_link_to(drafter, f"/afspraken/{draft.reference}/")  # "Terug naar de afspraak"
    check(drafter, "detail-draft")
    # The editor is open when another drafter submits the draft; reloading it gives the 409 page.
    click_link_to(drafter, "/bewerken/", within="#acties")
    agreement_submit(agreement=draft, actor=world.initiative_admin)
    drafter.reload()
    expect(drafter.locator(".error-page__code")).to_contain_text("409")
    check(drafter, "edit-wrong-state")

    reviewer = _as(browser, live_server, login, world.reviewer, language)
    open_agreement(reviewer, "In beoordeling Test-Oost")
    check(reviewer, "detail-in-review")
    reviewer.locator("details:has(form[action$='/wijzigingen-vragen/']) > summary").click()
    reviewer.locator("form[action$='/wijzigingen-vragen/'] button[type=submit]").click()  # note left empty
    expect(reviewer.locator("#id_note")).to_have_attribute("aria-invalid", "true")
    check(reviewer, "detail-request-changes-error")
    open_agreement(reviewer, "Goedgekeurd Test-Oost")
    click_link_to(reviewer, "naar=2", within="section[aria-labelledby=versies]")  # "Wat is er veranderd in versie 2?"
    check(reviewer, "versions")

    # An advisor reads along: advice apart from the parties' comments, no resolve or preview buttons.
    advisor = _as(browser, live_server, login, world.advisor, language)
    open_agreement(advisor, "In beoordeling Test-Oost")
    expect(advisor.locator("#adviezen")).to_be_visible()
    check(advisor, "detail-advisor")

    signer = _as(browser, live_server, login, world.municipal_signer, language)
    open_agreement(signer, "Goedgekeurd Test-Oost")
    click_link_to(signer, "/ondertekenen/", within="#acties")  # "Ondertekenen"
    check(signer, "sign")
    signer.locator("#id_authorised").check()
    signer.locator("#id_password").fill("not-the-password")
    signer.locator("form[action$='/ondertekenen/'] button[type=submit]").click()
    check(signer, "sign-wrong-password")
    signer.locator("#id_authorised").check()
    signer.locator("#id_password").fill(PASSWORD)
    signer.locator("form[action$='/ondertekenen/'] button[type=submit]").click()
    check(signer, "sign-done")
    click_link_to(signer, f"/afspraken/{approved.reference}/")  # "Terug naar de afspraak"
    check(signer, "detail-approved")

    for page in (drafter, reviewer, advisor, signer):
        page.context.close()
    AXE_RESULTS.mkdir(parents=True, exist_ok=True)
    (AXE_RESULTS / f"agreement-pages-{language}.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    assert {name: found for name, found in results.items() if found} == {}
