"""A review round in Chromium, as the people in it see it.

The drafter submits through the confirmation page (without JavaScript), the
reviewer comments and sends it back, the drafter finds why at the top of the
page and follows the open comment, edits, sees which parts changed since the
round before and reads the comparison (old and new words apart, every changed
part counted), submits again, and the reviewer approves through the
confirmation page that names who will sign. Every step starts from
"Mijn afspraken" and goes by links and buttons.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from agreements.choices import AgreementState
from agreements.models import Agreement, Section
from tests.browser.conftest import open_agreement
from tests.browser.editor import fill_sections
from tests.browser.test_journey import new_page, open_details
from tests.factories import PASSWORD, build_world
from tests.web.agreement_support import agreement_in

pytestmark = pytest.mark.browser

TITLE = "Warmtenet Test-West"
OLD_AIM = "Samen werken we aan de wijkaanpak en de planning van het warmtenet."
NEW_AIM = "Samen werken we aan de wijkaanpak, onder de planning van het warmtenet."
NOTE = "Werk het budget per maand uit, en noem wie de wijkaanpak trekt."


@pytest.fixture
def world(transactional_db):
    world = build_world()
    world.agreement = agreement_in(world, AgreementState.DRAFT, title=TITLE)
    Section.objects.filter(version=world.agreement.current_version(), key="aim").update(body=OLD_AIM)
    Agreement.objects.filter(pk=world.agreement.pk).update(review_due_date=dt.date(2031, 5, 20))
    return world


def as_person(browser, live_server, login, person, *, javascript: bool = True):
    page = new_page(browser, live_server, javascript=javascript)
    login(page, person.email, PASSWORD)
    return page


def test_a_review_round_as_the_drafter_and_the_reviewer_see_it(browser, live_server, login, axe, screenshot, world):
    # --- The drafter submits, without JavaScript: a confirmation page first.
    drafter = as_person(browser, live_server, login, world.drafter, javascript=False)
    open_agreement(drafter, TITLE)
    drafter.locator("#acties").get_by_role("link", name="Indienen ter beoordeling").click()
    expect(drafter.get_by_role("heading", level=1)).to_have_text(f"Indienen ter beoordeling: {TITLE}")
    expect(drafter.locator("[data-reviewers]")).to_contain_text("Rik Ambtenaar")
    expect(drafter.locator("main")).to_contain_text("kan niemand de afspraak bewerken")
    expect(drafter.locator("main")).to_contain_text("U vraagt om een beoordeling vóór 20 mei 2031.")
    assert Agreement.objects.get(pk=world.agreement.pk).state == AgreementState.DRAFT  # looking is not submitting
    screenshot(drafter, "confirm-submit")
    drafter.locator("main form").get_by_role("button", name="Indienen ter beoordeling").click()
    expect(drafter.locator(".messages")).to_contain_text("De afspraak is ingediend.")
    expect(drafter.locator(".badge")).to_have_text("in beoordeling")

    # --- The reviewer comments on the budget and sends it back with a note.
    reviewer = as_person(browser, live_server, login, world.reviewer)
    open_agreement(reviewer, TITLE)
    comments = reviewer.locator("#opmerkingen-resources")
    open_details(comments)
    comments.locator("textarea").last.fill("Hoeveel uur is dat per maand?")
    comments.get_by_role("button", name="Opmerking plaatsen").click()
    expect(reviewer.locator(".messages")).to_contain_text("Uw opmerking is geplaatst.")
    reviewer.locator("summary", has_text="Wijzigingen vragen").click()
    reviewer.get_by_label("Welke wijzigingen vraagt u?").fill(NOTE)
    reviewer.locator("form[action$='/wijzigingen-vragen/'] button[type=submit]").click()
    expect(reviewer.locator(".badge")).to_have_text("concept")

    # --- The drafter sees why at the top of the page, and follows the open comment.
    open_agreement(drafter, TITLE)
    panel = drafter.locator("#teruggestuurd")
    expect(panel.get_by_role("heading", level=2)).to_have_text("De gemeente vraagt wijzigingen")
    expect(panel).to_contain_text("Rik Ambtenaar op")
    expect(panel).to_contain_text(NOTE)
    expect(panel).to_contain_text("1 opmerking staat nog open")
    first_heading = drafter.locator("main h2").first
    expect(first_heading).to_have_text("De gemeente vraagt wijzigingen")  # before everything else on the page
    screenshot(drafter, "sent-back-panel")
    panel.get_by_role("link", name="Middelen en budget").click()
    assert drafter.url.split("#")[1].startswith("opmerking-")
    thread = drafter.locator(f"#{drafter.url.split('#')[1]}")
    expect(thread).to_contain_text("Hoeveel uur is dat per maand?")
    expect(thread).to_be_in_viewport()

    # --- The drafter edits two sections; the page marks them and links into the comparison.
    drafter.locator("#acties").get_by_role("link", name="Concept bewerken").click()
    fill_sections(
        drafter,
        {"aim": NEW_AIM, "resources": "De gemeente betaalt 200 uur: ongeveer 17 uur per maand."},
    )
    drafter.locator("main").get_by_role("link", name="Terug naar de afspraak").first.click()
    expect(drafter.locator("#teruggestuurd")).to_be_visible()  # until it is submitted again
    marked = drafter.locator(".ak-section:has(.ak-changed)")
    expect(marked).to_have_count(2)
    aim = drafter.locator(".ak-section", has=drafter.locator("#onderdeel-aim"))
    expect(aim.locator(".ak-changed__label")).to_have_text("gewijzigd sinds vorige ronde")
    aim.locator(".ak-changed a").click()
    assert drafter.url.endswith("?van=1&naar=2#verschil-aim")

    # --- The comparison keeps old and new words apart and counts every change.
    diff = drafter.locator("section[aria-labelledby='verschil-aim'] .ak-diff")
    # What a sighted reader sees: the screen-reader-only prefixes taken out.
    seen = diff.evaluate(
        "el => { const c = el.cloneNode(true); c.querySelectorAll('.visually-hidden').forEach(h => h.remove());"
        " return c.textContent; }"
    )
    heard = diff.evaluate("el => el.textContent")
    assert "verwijderd: wijkaanpak toegevoegd: wijkaanpak," in heard, heard
    assert "wijkaanpakwijkaanpak," not in seen and "enonder" not in seen, seen
    assert "wijkaanpak wijkaanpak," in seen, seen
    expect(diff.locator("del").first).to_have_css("text-decoration-line", "line-through")
    expect(diff.locator("ins").first).to_have_css("text-decoration-line", "underline")
    expect(drafter.locator(".lead")).to_have_text("Van versie 1 naar versie 2: 2 wijzigingen.")
    screenshot(drafter, "versions-after-round")

    # --- Submitted again (through the confirmation page): the panel is gone.
    open_agreement(drafter, TITLE)
    drafter.locator("#acties").get_by_role("link", name="Indienen ter beoordeling").click()
    drafter.locator("main form").get_by_role("button", name="Indienen ter beoordeling").click()
    expect(drafter.locator(".badge")).to_have_text("in beoordeling")
    expect(drafter.locator("#teruggestuurd")).to_have_count(0)

    # --- The reviewer resolves the comment and approves through the confirmation page.
    open_agreement(reviewer, TITLE)
    expect(reviewer.locator(".ak-section:has(.ak-changed)")).to_have_count(2)
    open_details(reviewer.locator("#opmerkingen-resources"))
    reviewer.locator("#opmerkingen-resources").get_by_role("button", name="Afhandelen").click()
    reviewer.locator("#acties").get_by_role("link", name="Goedkeuren", exact=True).click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text(f"Goedkeuren: {TITLE}")
    expect(reviewer.locator("main")).to_contain_text("De ondertekening begint")
    expect(reviewer.locator("main")).to_contain_text("Niemand kan de afspraak daarna nog bewerken")
    initiative = reviewer.locator(f"[data-signatories='{world.initiative.pk}']")
    expect(initiative).to_contain_text("Nodig: 2 handtekeningen.")
    expect(initiative).to_contain_text("Bea Bestuur – ondertekenaar")
    expect(initiative).to_contain_text("Bart Bestuur – ondertekenaar")
    expect(reviewer.locator(f"[data-signatories='{world.municipality.pk}']")).to_contain_text("Wendy Wethouder")
    assert axe(reviewer) == []
    screenshot(reviewer, "confirm-approve")
    reviewer.locator("main form").get_by_role("button", name="Goedkeuren").click()
    expect(reviewer.locator(".messages")).to_contain_text("U heeft de afspraak goedgekeurd.")
    expect(reviewer.locator(".badge")).to_have_text("goedgekeurd, wacht op ondertekening")
    for page in (drafter, reviewer):
        page.context.close()


def test_the_confirmation_and_panel_pages_pass_axe(browser, live_server, login, axe, world):
    drafter = as_person(browser, live_server, login, world.drafter)
    open_agreement(drafter, TITLE)
    drafter.locator("#acties").get_by_role("link", name="Indienen ter beoordeling").click()
    assert axe(drafter) == []
    drafter.context.close()
