"""The whole journey in Chromium, once with JavaScript and once without.

The drafter creates, fills and submits; the reviewer comments and requests
changes; the drafter edits and resubmits; the reviewer resolves the comment
and approves; both initiative signatories (quorum 2) and the municipal
signatory sign; the agreement shows as signed. Every step goes through the
pages as a person would, from "Mijn afspraken" by links and buttons; only the
final checks read the database.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agreements.choices import AgreementState
from agreements.models import Agreement, Comment, Signature
from tests.browser.conftest import open_agreement
from tests.browser.editor import fill_sections, save_part, submit_from_the_checklist
from tests.factories import PASSWORD, build_world

pytestmark = pytest.mark.browser

SECTIONS = {
    "aim": "In 2032 is Test-Oost aardgasvrij, met een warmtenet in handen van de bewoners.",
    "roles": "Het initiatief organiseert de bewoners; de gemeente zorgt voor de besluiten.",
    "process": "Elke maand een projectteam. Na de haalbaarheidsstudie een go/no-go.",
    "resources": "De gemeente betaalt 200 uur procesbegeleiding.",
    "communication": "Het initiatief organiseert bewonersavonden; de gemeente stuurt de brieven.",
    "information": "We delen energielabels, alleen op buurtniveau.",
    "escalation": "Eerst het projectteam, dan de wethouder en het bestuur.",
    "evaluation": "Elk jaar in maart, en bij elke nieuwe fase.",
    "duration": "Twee jaar; samen stoppen kan altijd, met een gesprek vooraf.",
}


@pytest.fixture
def world(transactional_db):
    return build_world()


def new_page(browser, live_server, *, javascript: bool):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def as_person(browser, live_server, login, person, *, javascript: bool):
    page = new_page(browser, live_server, javascript=javascript)
    login(page, person.email, PASSWORD)
    return page


def open_details(details) -> None:
    """Open a <details> disclosure (it works without JavaScript) unless it is open already."""
    if details.get_attribute("open") is None:
        details.locator("summary").first.click()


def post_button(page, action_suffix: str):
    return page.locator(f"form[action$='{action_suffix}'] button[type=submit]")


def add_row(page, kind: str, *, javascript: bool) -> None:
    """Press "add a row": in place with JavaScript, a round trip to the server without it."""
    before = page.locator(f"[data-rows='{kind}'] [data-row-list] [data-row]:visible").count()
    page.locator(f"button[data-add-row][value='{kind}']").click()
    if not javascript:
        page.wait_for_load_state("domcontentloaded")
    expect(page.locator(f"[data-rows='{kind}'] [data-row-list] [data-row]:visible")).to_have_count(before + 1)


def remove_row(page, kind: str, index: int, *, javascript: bool) -> None:
    row = page.locator(f"[data-rows='{kind}'] [data-row-list] [data-row]").nth(index)
    if javascript:
        row.locator("button.ak-row__remove").click()
        expect(row).to_be_hidden()
    else:
        row.locator(f"#id_{kind}-{index}-DELETE").check()


def fill_task(page, index: int, task: str, phase: str, initiative: str, municipality: str) -> None:
    page.locator(f"#id_responsibilities-{index}-task").fill(task)
    page.locator(f"#id_responsibilities-{index}-phase").select_option(phase)
    page.locator(f"#id_responsibilities-{index}-initiative_role").select_option(initiative)
    page.locator(f"#id_responsibilities-{index}-municipality_role").select_option(municipality)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_full_journey(browser, live_server, login, screenshot, world, javascript):
    mode = "js" if javascript else "nojs"

    # --- The drafter creates the agreement from the model template, fills it and submits it.
    drafter = as_person(browser, live_server, login, world.drafter, javascript=javascript)
    expect(drafter.get_by_role("heading", level=1)).to_have_text("Mijn afspraken")
    drafter.get_by_role("link", name="Nieuwe afspraak maken").first.click()
    drafter.wait_for_url("**/afspraken/nieuw/")
    drafter.locator("input[name=start][value=leeg]").check()  # their own text, not a model's
    drafter.get_by_label("Gemeente", exact=True).select_option(label="Gemeente Test")
    drafter.get_by_label("Titel", exact=True).fill("Warmtenet Test-Oost")
    drafter.get_by_label("Fase van het initiatief").select_option("development")
    drafter.locator("#id_neighbourhoods-0-name").fill("Test-Oost")
    drafter.locator("#id_neighbourhoods-0-cbs_code").fill("WK019301")
    if javascript:
        screenshot(drafter, "agreement-create")
    drafter.get_by_role("button", name="Afspraak aanmaken", exact=True).last.click()
    drafter.wait_for_url("**/bewerken/")
    agreement = Agreement.objects.get(title="Warmtenet Test-Oost")
    expect(drafter.locator("[data-save-state]")).to_contain_text("Opgeslagen")

    fill_sections(drafter, SECTIONS)
    fill_task(drafter, 0, "Bewonersavonden organiseren", "orientation", "R", "I")
    add_row(drafter, "responsibilities", javascript=javascript)
    fill_task(drafter, 1, "Participatieplan vaststellen", "orientation", "C", "A")
    add_row(drafter, "responsibilities", javascript=javascript)
    fill_task(drafter, 2, "Een taak die weg moet", "development", "I", "I")
    remove_row(drafter, "responsibilities", 2, javascript=javascript)
    if javascript:
        expect(drafter.locator("section[data-part='responsibilities'] [data-part-state]")).to_contain_text(
            "nog niet zijn opgeslagen"
        )
        screenshot(drafter, "agreement-edit")
    save_part(drafter, "responsibilities")
    drafter.locator("#id_decisions-0-title").fill("Go/no-go na de haalbaarheidsstudie")
    drafter.locator("#id_decisions-0-deciding_body").select_option("college")
    drafter.locator("#id_decisions-0-planned_date").fill("2027-03-01")
    save_part(drafter, "decision_moments")
    expect(drafter.locator("[data-save-state]")).to_contain_text("Opgeslagen: versie 1")
    tasks = [r.task for r in agreement.current_version().responsibilities.all()]
    assert tasks == ["Bewonersavonden organiseren", "Participatieplan vaststellen"]

    submit_from_the_checklist(drafter)
    drafter.wait_for_url(f"**/afspraken/{agreement.reference}/")
    expect(drafter.locator(".badge")).to_have_text("in beoordeling")

    # --- The reviewer comments on a section and asks for changes.
    reviewer = as_person(browser, live_server, login, world.reviewer, javascript=javascript)
    open_agreement(reviewer, "Warmtenet Test-Oost")
    comments = reviewer.locator("#opmerkingen-resources")
    open_details(comments)
    comments.locator("textarea").last.fill("Hoeveel uur is dat per maand?")
    comments.get_by_role("button", name="Opmerking plaatsen").click()
    expect(reviewer.locator(".messages")).to_contain_text("Uw opmerking is geplaatst.")
    if javascript:
        screenshot(reviewer, "agreement-detail-in-review")
    reviewer.locator("summary", has_text="Wijzigingen vragen").click()
    reviewer.get_by_label("Welke wijzigingen vraagt u?").fill("Werk het budget per maand uit.")
    post_button(reviewer, "/wijzigingen-vragen/").click()
    expect(reviewer.locator(".messages")).to_contain_text("U heeft wijzigingen gevraagd.")
    expect(reviewer.locator(".badge")).to_have_text("concept")

    # --- The drafter sees the note, edits and resubmits (version 2).
    open_agreement(drafter, "Warmtenet Test-Oost")
    expect(drafter.locator(".ak-timeline")).to_contain_text("Werk het budget per maand uit.")
    drafter.get_by_role("link", name="Concept bewerken").click()
    drafter.locator("#id_resources").fill("De gemeente betaalt 200 uur procesbegeleiding: ongeveer 17 uur per maand.")
    save_part(drafter, "resources")
    submit_from_the_checklist(drafter)
    drafter.wait_for_url(f"**/afspraken/{agreement.reference}/")
    expect(drafter.locator(".badge")).to_have_text("in beoordeling")

    # --- The reviewer sees what changed, resolves the comment and approves.
    open_agreement(reviewer, "Warmtenet Test-Oost")
    reviewer.get_by_role("link", name="Wat is er veranderd in versie 2?").click()
    expect(reviewer.locator(".ak-diff ins")).to_contain_text("ongeveer 17 uur per maand.")
    if javascript:
        screenshot(reviewer, "agreement-versions")
    reviewer.go_back()
    open_details(reviewer.locator("#opmerkingen-resources"))
    reviewer.locator("#opmerkingen-resources").get_by_role("button", name="Afhandelen").click()
    expect(reviewer.locator(".messages")).to_contain_text("De opmerking is afgehandeld.")
    reviewer.locator("#acties").get_by_role("link", name="Goedkeuren", exact=True).click()
    expect(reviewer.get_by_role("heading", level=2, name="Wat betekent goedkeuren?")).to_be_visible()
    post_button(reviewer, "/goedkeuren/").click()
    expect(reviewer.locator(".messages")).to_contain_text("U heeft de afspraak goedgekeurd.")
    expect(reviewer.locator(".badge")).to_have_text("goedgekeurd, wacht op ondertekening")
    assert Comment.objects.get().resolved_by == world.reviewer

    # --- Both initiative signatories (quorum 2) and the municipal signatory sign.
    version = agreement.frozen_version()
    signers = [world.initiative_signer1, world.initiative_signer2, world.municipal_signer]
    for number, signer in enumerate(signers, start=1):
        page = as_person(browser, live_server, login, signer, javascript=javascript)
        open_agreement(page, "Warmtenet Test-Oost")
        page.get_by_role("link", name="Ondertekenen").click()
        expect(page.locator("[data-content-hash]")).to_have_text(version.content_hash)
        if javascript and number == 1:
            screenshot(page, "agreement-sign")
        page.get_by_label("Ik verklaar dat ik bevoegd ben om voor mijn organisatie te tekenen.").check()
        page.get_by_label("Uw wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Versie 2 ondertekenen").click()
        expect(page.locator(".messages")).to_contain_text("U heeft getekend.")
        if number == 1:
            expect(page.locator(".ak-party").first).to_contain_text("1 van 2 handtekeningen")
            if javascript:
                screenshot(page, "agreement-sign-done")
        page.context.close()

    # --- The agreement shows as signed.
    open_agreement(drafter, "Warmtenet Test-Oost")
    expect(drafter.locator(".badge")).to_have_text("ondertekend")
    expect(drafter.locator(".ak-waiting")).to_contain_text("De afspraak is ondertekend op")
    screenshot(drafter, f"agreement-detail-signed-{mode}")
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SIGNED
    assert Signature.objects.filter(version=version).count() == 3
    for page in (drafter, reviewer):
        page.context.close()
