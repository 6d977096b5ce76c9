"""A signatory declines to sign, in Chromium, and the agreement goes round again until everyone signs.

One initiative signatory signs; the municipality's signatory disagrees, opens
the signing page from "Mijn afspraken" and declines (without JavaScript):
first without a reason, which the page refuses, then with one. The drafter
finds the reason at the top of the agreement page, revises and submits
again; the reviewer approves; all three signatories sign. Every step goes by
links and buttons from "/"; only the final checks read the database.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agreements.choices import AgreementState, AuditAction
from agreements.models import Agreement, AuditEvent, Signature
from tests.browser.conftest import open_agreement
from tests.browser.editor import save_part
from tests.browser.test_journey import new_page
from tests.factories import PASSWORD, build_world
from tests.web.agreement_support import agreement_in

pytestmark = pytest.mark.browser

TITLE = "Warmtenet Test-Noord"
REASON = "De gemeente kan zich niet vastleggen op 200 uur procesbegeleiding. Maak er 120 uur van."
NEW_RESOURCES = "De gemeente betaalt 120 uur procesbegeleiding; het initiatief zoekt de rest bij de provincie."


@pytest.fixture
def world(transactional_db):
    world = build_world()
    world.agreement = agreement_in(world, AgreementState.APPROVED, title=TITLE)
    return world


def as_person(browser, live_server, login, person, *, javascript: bool = True):
    page = new_page(browser, live_server, javascript=javascript)
    login(page, person.email, PASSWORD)
    return page


def sign(browser, live_server, login, person, version_number: int) -> None:
    page = as_person(browser, live_server, login, person)
    open_agreement(page, TITLE)
    page.locator("#acties").get_by_role("link", name="Ondertekenen").click()
    page.get_by_label("Ik verklaar dat ik bevoegd ben om voor mijn organisatie te tekenen.").check()
    page.get_by_label("Uw wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name=f"Versie {version_number} ondertekenen").click()
    expect(page.locator(".messages")).to_contain_text("U heeft getekend.")
    page.context.close()


def test_a_signatory_declines_and_the_agreement_goes_round_again(browser, live_server, login, axe, screenshot, world):
    # --- One of the initiative's signatories signs version 1.
    sign(browser, live_server, login, world.initiative_signer1, 1)

    # --- The municipality's signatory disagrees: from "Mijn afspraken" to the signing page, without JavaScript.
    signer = as_person(browser, live_server, login, world.municipal_signer, javascript=False)
    open_agreement(signer, TITLE)
    signer.locator("#acties").get_by_role("link", name="Ondertekenen").click()
    block = signer.locator("#niet-tekenen")
    expect(block.get_by_role("heading", level=2)).to_have_text("Niet ondertekenen")
    expect(block).to_contain_text("Handtekeningen die al gezet zijn, vervallen.")
    # Without a reason the page refuses, in Dutch, and nothing happens.
    block.get_by_role("button", name="Niet ondertekenen en terugsturen").click()
    block = signer.locator("#niet-tekenen")
    expect(block.locator(".field__error")).to_have_text("Schrijf op waarom u niet tekent.")
    expect(signer.locator(".badge")).to_have_text("goedgekeurd, wacht op ondertekening")
    assert Agreement.objects.get(pk=world.agreement.pk).state == AgreementState.APPROVED
    screenshot(signer, "decline-without-reason")
    block.get_by_label("Waarom tekent u niet?").fill(REASON)
    block.get_by_role("button", name="Niet ondertekenen en terugsturen").click()
    expect(signer.locator(".messages")).to_contain_text("U tekent niet.")
    expect(signer.locator(".badge")).to_have_text("concept")
    expect(signer.locator("#teruggestuurd")).to_contain_text(REASON)
    signer.context.close()

    # --- The drafter reads why at the top of the agreement page, with the signature that became void.
    drafter = as_person(browser, live_server, login, world.drafter)
    open_agreement(drafter, TITLE)
    panel = drafter.locator("#teruggestuurd")
    expect(panel.get_by_role("heading", level=2)).to_have_text("Een ondertekenaar weigert te tekenen")
    expect(panel).to_contain_text("Wendy Wethouder op")
    expect(panel).to_contain_text(REASON)
    expect(drafter.locator("main h2").first).to_have_text("Een ondertekenaar weigert te tekenen")
    expect(drafter.locator("main")).to_contain_text("Vervallen handtekeningen")
    screenshot(drafter, "decline-panel-nl")
    # The same page in English, for whoever reads it so; then back to Dutch for the rest of the journey.
    drafter.get_by_role("button", name="English").click()
    expect(drafter.locator("#teruggestuurd").get_by_role("heading", level=2)).to_have_text(
        "A signatory declines to sign"
    )
    expect(drafter.locator("#teruggestuurd")).to_contain_text(REASON)
    screenshot(drafter, "decline-panel-en")
    drafter.get_by_role("button", name="Nederlands").click()
    expect(drafter.locator("#teruggestuurd").get_by_role("heading", level=2)).to_have_text(
        "Een ondertekenaar weigert te tekenen"
    )

    # --- The drafter revises and submits again; the panel goes.
    drafter.locator("#acties").get_by_role("link", name="Concept bewerken").click()
    drafter.locator("#id_resources").fill(NEW_RESOURCES)
    save_part(drafter, "resources")
    open_agreement(drafter, TITLE)
    expect(drafter.locator("#teruggestuurd")).to_be_visible()  # until it is submitted again
    drafter.locator("#acties").get_by_role("link", name="Indienen ter beoordeling").click()
    drafter.locator("main form").get_by_role("button", name="Indienen ter beoordeling").click()
    expect(drafter.locator(".badge")).to_have_text("in beoordeling")
    expect(drafter.locator("#teruggestuurd")).to_have_count(0)

    # --- The reviewer approves through the confirmation page.
    reviewer = as_person(browser, live_server, login, world.reviewer)
    open_agreement(reviewer, TITLE)
    reviewer.locator("#acties").get_by_role("link", name="Goedkeuren", exact=True).click()
    reviewer.locator("main form").get_by_role("button", name="Goedkeuren").click()
    expect(reviewer.locator(".badge")).to_have_text("goedgekeurd, wacht op ondertekening")
    reviewer.context.close()

    # --- Everyone signs version 2, the one who declined too.
    for person in (world.initiative_signer1, world.initiative_signer2, world.municipal_signer):
        sign(browser, live_server, login, person, 2)
    open_agreement(drafter, TITLE)
    expect(drafter.locator(".badge")).to_have_text("ondertekend")
    drafter.context.close()

    agreement = Agreement.objects.get(pk=world.agreement.pk)
    assert agreement.state == AgreementState.SIGNED
    version = agreement.frozen_version()
    assert version.number == 2 and version.sections.get(key="resources").body == NEW_RESOURCES
    assert version.signatures.in_force().count() == 3
    void = Signature.objects.voided().get(version__agreement=agreement)
    assert (void.signer, void.voided_by, void.void_reason) == (world.initiative_signer1, world.municipal_signer, REASON)
    assert AuditEvent.objects.filter(agreement=agreement, action=AuditAction.DECLINED_TO_SIGN).count() == 1


def test_the_decline_block_and_its_error_pass_axe(browser, live_server, login, axe, screenshot, world):
    signer = as_person(browser, live_server, login, world.municipal_signer)
    open_agreement(signer, TITLE)
    signer.locator("#acties").get_by_role("link", name="Ondertekenen").click()
    assert axe(signer) == []
    screenshot(signer, "sign-page-nl")
    signer.get_by_role("button", name="English").click()
    expect(signer.locator("#niet-tekenen").get_by_role("heading", level=2)).to_have_text("Do not sign")
    assert axe(signer) == []
    screenshot(signer, "sign-page-en")
    signer.get_by_role("button", name="Nederlands").click()
    signer.locator("#niet-tekenen").get_by_role("button", name="Niet ondertekenen en terugsturen").click()
    expect(signer.locator("#niet-tekenen .field__error")).to_have_text("Schrijf op waarom u niet tekent.")
    assert axe(signer) == []
    signer.context.close()
