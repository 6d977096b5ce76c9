"""The agreement pages in Chromium: a stale save by two drafters, and axe-core on every page in both languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from agreements.choices import AgreementState, MembershipRole
from agreements.models import AdvisorAccess, Comment, Membership
from tests.browser.test_journey import new_page
from tests.factories import PASSWORD, build_world
from tests.web.agreement_support import agreement_in
from workflow.lifecycle.services.drafting import agreement_update_draft
from workflow.lifecycle.services.review import agreement_approve, agreement_request_changes, agreement_submit

pytestmark = pytest.mark.browser

AXE_RESULTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "axe"


@pytest.fixture
def world(transactional_db):
    world = build_world()
    # A second drafter, for two people editing the same draft.
    Membership.objects.create(user=world.initiative_admin, organisation=world.initiative, role=MembershipRole.DRAFTER)
    return world


def test_stale_save_by_two_drafters(browser, live_server, login, screenshot, world):
    agreement = agreement_in(world, AgreementState.DRAFT)
    first = new_page(browser, live_server, javascript=True)
    second = new_page(browser, live_server, javascript=True)
    login(first, world.drafter.email, PASSWORD)
    login(second, world.initiative_admin.email, PASSWORD)
    edit = f"/afspraken/{agreement.reference}/bewerken/"
    first.goto(edit)
    second.goto(edit)

    first.locator("#id_aim").fill("Tekst van de eerste opsteller.")
    first.get_by_role("button", name="Opslaan", exact=True).last.click()
    expect(first.locator(".messages")).to_contain_text("Uw wijzigingen zijn opgeslagen.")

    # The second drafter saves a form loaded before that save: both texts, and a choice.
    second.locator("#id_aim").fill("Tekst van de tweede opsteller.")
    second.get_by_role("button", name="Opslaan", exact=True).last.click()
    conflict = second.locator("#conflict")
    expect(conflict).to_contain_text("Iemand anders heeft dit concept intussen opgeslagen")
    expect(conflict.locator("[data-compare='aim']")).to_contain_text("Tekst van de tweede opsteller.")
    expect(conflict.locator("[data-compare='aim']")).to_contain_text("Tekst van de eerste opsteller.")
    screenshot(second, "agreement-stale-save")
    assert agreement.current_version().sections.get(key="aim").body == "Tekst van de eerste opsteller."

    # Choice 1: take the saved text, then edit on top of it.
    second.get_by_role("link", name="De opgeslagen versie nemen").click()
    expect(second.locator("#id_aim")).to_have_value("Tekst van de eerste opsteller.")
    second.locator("#id_aim").fill("Tekst van de eerste opsteller, aangevuld door de tweede.")
    second.get_by_role("button", name="Opslaan", exact=True).last.click()
    expect(second.locator(".messages")).to_contain_text("Uw wijzigingen zijn opgeslagen.")

    # Choice 2: the first drafter, now stale in turn, keeps their own text deliberately.
    first.locator("#id_aim").fill("De eerste opsteller houdt deze tekst.")
    first.get_by_role("button", name="Opslaan", exact=True).last.click()
    expect(first.locator("#conflict [data-compare='aim']")).to_contain_text(
        "Tekst van de eerste opsteller, aangevuld door de tweede."
    )
    first.locator("#conflict").get_by_role("button", name="Mijn versie opslaan").click()
    expect(first.locator(".messages")).to_contain_text("Uw wijzigingen zijn opgeslagen.")
    assert agreement.current_version().sections.get(key="aim").body == "De eerste opsteller houdt deze tekst."
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
    drafter.goto("/afspraken/nieuw/")
    check(drafter, "create")
    drafter.goto(f"/afspraken/{draft.reference}/bewerken/")
    check(drafter, "edit")
    drafter.locator("#id_title").fill("")
    drafter.locator("#id_responsibilities-0-task").fill("x")
    drafter.locator("#id_responsibilities-0-phase").select_option("")
    drafter.locator("#editor .ak-sticky-save button[name='save']").click()
    expect(drafter.locator("#fouten")).to_be_visible()
    check(drafter, "edit-with-errors")
    # A stale save: someone saves in between.
    drafter.goto(f"/afspraken/{draft.reference}/bewerken/")
    agreement_update_draft(
        agreement=draft,
        actor=world.initiative_admin,
        based_on_revision=draft.current_version().revision,
        sections={"aim": "Ondertussen aangepast."},
    )
    drafter.locator("#id_aim").fill("Mijn tekst.")
    drafter.locator("#editor .ak-sticky-save button[name='save']").click()
    expect(drafter.locator("#conflict")).to_be_visible()
    check(drafter, "edit-stale-save")
    drafter.goto(f"/afspraken/{draft.reference}/")
    check(drafter, "detail-draft")
    drafter.goto(f"/afspraken/{in_review.reference}/bewerken/")  # not a draft any more: the 409 page
    check(drafter, "edit-wrong-state")

    reviewer = _as(browser, live_server, login, world.reviewer, language)
    reviewer.goto(f"/afspraken/{in_review.reference}/")
    check(reviewer, "detail-in-review")
    reviewer.locator("details:has(form[action$='/wijzigingen-vragen/']) > summary").click()
    reviewer.locator("form[action$='/wijzigingen-vragen/'] button[type=submit]").click()  # note left empty
    expect(reviewer.locator("#id_note")).to_have_attribute("aria-invalid", "true")
    check(reviewer, "detail-request-changes-error")
    reviewer.goto(f"/afspraken/{approved.reference}/versies/")
    check(reviewer, "versions")

    signer = _as(browser, live_server, login, world.municipal_signer, language)
    signer.goto(f"/afspraken/{approved.reference}/ondertekenen/")
    check(signer, "sign")
    signer.locator("#id_authorised").check()
    signer.locator("#id_password").fill("not-the-password")
    signer.locator("form[action$='/ondertekenen/'] button[type=submit]").click()
    check(signer, "sign-wrong-password")
    signer.locator("#id_authorised").check()
    signer.locator("#id_password").fill(PASSWORD)
    signer.locator("form[action$='/ondertekenen/'] button[type=submit]").click()
    check(signer, "sign-done")
    signer.goto(f"/afspraken/{approved.reference}/")
    check(signer, "detail-approved")

    for page in (drafter, reviewer, signer):
        page.context.close()
    AXE_RESULTS.mkdir(parents=True, exist_ok=True)
    (AXE_RESULTS / f"agreement-pages-{language}.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    assert {name: found for name, found in results.items() if found} == {}
