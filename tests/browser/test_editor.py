"""The draft editor in Chromium: a table of contents, save per part, the checklist in view, several other parties.

Reached from "Mijn afspraken" by links and buttons, with and without JavaScript.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agreements.choices import AgreementState
from tests.browser.editor import save_part
from tests.browser.test_agreement_pages import edit_draft
from tests.factories import PASSWORD, build_world
from tests.web.agreement_support import agreement_in

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    return build_world()


def _page(browser, live_server, login, person, *, javascript: bool, width: int = 1280, height: int = 900):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}, java_script_enabled=javascript
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, person.email, PASSWORD)
    return page


def test_a_task_shared_with_two_other_parties_without_javascript(browser, live_server, login, screenshot, world):
    agreement = agreement_in(world, AgreementState.DRAFT, title="Concept Gedeelde Taak")
    page = _page(browser, live_server, login, world.drafter, javascript=False)
    edit_draft(page, "Concept Gedeelde Taak")

    # The table of contents says what each part holds, in words.
    toc = page.locator("nav.ak-toc")
    expect(toc.locator("[data-toc-part='aim']")).to_contain_text("ingevuld")
    expect(toc.locator("[data-toc-part='neighbourhoods']")).to_contain_text("leeg")
    toc.get_by_role("link", name="Rolverdeling", exact=True).click()
    assert page.url.endswith("#rolverdeling")

    part = page.locator("section[data-part='responsibilities']")
    part.locator("#id_responsibilities-0-party_0_name").fill("Netbeheerder Enexis")
    part.locator("#id_responsibilities-0-party_0_role").select_option("R")
    # "Nog een andere partij": the page comes back with one more line for this task, nothing saved yet.
    part.locator("button[name='add_party'][value='responsibilities-0']").click()
    page.wait_for_load_state("domcontentloaded")
    expect(part.locator("#id_responsibilities-0-party_0_name")).to_have_value("Netbeheerder Enexis")
    expect(part).to_contain_text("nog niet opgeslagen")
    part.locator("#id_responsibilities-0-party_1_name").fill("Woningcorporatie deltaWonen")
    part.locator("#id_responsibilities-0-party_1_role").select_option("C")
    save_part(page, "responsibilities")
    screenshot(page, "editor-two-other-parties")

    row = agreement.current_version().responsibilities.first()
    assert [(p.name, p.role) for p in row.third_party_roles] == [
        ("Netbeheerder Enexis", "R"),
        ("Woningcorporatie deltaWonen", "C"),
    ]
    # On the agreement page, both in the matrix with their own role.
    page.get_by_role("link", name="Terug naar de afspraak").click()
    matrix_row = page.locator("table", has_text="Wie doet wat, per taak").locator("tr", has_text=row.task)
    expect(matrix_row).to_contain_text("Netbeheerder Enexis")
    expect(matrix_row).to_contain_text("Woningcorporatie deltaWonen")
    expect(matrix_row).to_contain_text("geraadpleegd (C)")
    page.context.close()


def test_the_checklist_stays_in_view_and_stacks_on_a_phone(browser, live_server, login, screenshot, world):
    agreement_in(world, AgreementState.DRAFT, title="Concept Lang")
    page = _page(browser, live_server, login, world.drafter, javascript=True)
    edit_draft(page, "Concept Lang")
    checklist = page.locator("[data-checklist]")
    # Far down the page, at the decision moments, the checklist is still on screen beside the parts.
    page.locator("#besluitmomenten").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    expect(checklist).to_be_in_viewport()
    side, main = page.locator(".ak-editor__side").bounding_box(), page.locator(".ak-editor__main").bounding_box()
    assert side["x"] + side["width"] <= main["x"]  # beside it
    screenshot(page, "editor-wide")
    page.context.close()

    phone = _page(browser, live_server, login, world.drafter, javascript=True, width=375, height=740)
    edit_draft(phone, "Concept Lang")
    side, main = phone.locator(".ak-editor__side").bounding_box(), phone.locator(".ak-editor__main").bounding_box()
    assert side["y"] + side["height"] <= main["y"]  # stacked: the contents first, then the parts
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # nothing sideways
    screenshot(phone, "editor-phone")
    phone.context.close()


def test_saving_one_part_returns_to_it(browser, live_server, login, world):
    agreement = agreement_in(world, AgreementState.DRAFT, title="Concept Terug")
    page = _page(browser, live_server, login, world.drafter, javascript=True)
    edit_draft(page, "Concept Terug")
    page.locator("nav.ak-toc").get_by_role("link", name="Escalatie", exact=True).click()
    page.locator("#id_escalation").fill("Eerst de wethouder, dan een onafhankelijke bemiddelaar.")
    save_part(page, "escalation")
    expect(page.locator("section[data-part='escalation'] [data-part-saved]")).to_be_in_viewport()
    assert agreement.current_version().sections.get(key="escalation").body.startswith("Eerst de wethouder")
    page.context.close()
