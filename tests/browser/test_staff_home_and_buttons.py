"""Two things people ran into: staff's start page leads to their work, and the agreement's buttons line up."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import go_home, open_agreement
from tests.browser.test_journey import new_page
from tests.browser.world import PASSWORD, demo_like_world
from tests.factories import AgreementFactory, OrganisationFactory, UserFactory
from workflow.members.services.invitations import first_contact_request

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    return demo_like_world()


def test_staff_start_at_home_and_click_through_to_their_queues_and_the_admin(
    browser, live_server, login, screenshot, world
):
    staff = UserFactory(
        email="beheer@example.org", full_name="Bram Beheerder", is_staff=True, is_superuser=True, password=PASSWORD
    )
    empty = OrganisationFactory(municipality=True, name="Gemeente Leeg", cbs_code="GM0216")
    first_contact_request(actor=world.initiatief, municipality=empty, email="ambtenaar@leeg.nl")
    page = new_page(browser, live_server, javascript=False)
    login(page, staff.email, PASSWORD)
    staff_block = page.locator("section[aria-labelledby='staff-title']")
    expect(staff_block).to_contain_text("Platformbeheer")
    expect(staff_block).to_contain_text("1 gevraagde eerste contactpersoon wacht op uw controle.")
    expect(page.locator("main")).not_to_contain_text("U hoort nog niet bij een organisatie")
    screenshot(page, "staff-home")

    staff_block.get_by_role("link", name="Contactpersonen van nieuwe gemeenten controleren").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("main")).to_contain_text("ambtenaar@leeg.nl")

    go_home(page)
    page.locator("section[aria-labelledby='staff-title']").get_by_role("link", name="Mislukte e-mails").click()
    page.wait_for_load_state("domcontentloaded")
    assert "/admin/workflow/notification/" in page.url and "status__exact=failed" in page.url
    expect(page.locator("#site-name")).to_contain_text("Samenkader – beheer")

    page.locator("#user-tools a[href='/']").click()  # the admin's "Website bekijken"
    page.wait_for_load_state("domcontentloaded")
    page.locator("section[aria-labelledby='staff-title']").get_by_role("link", name="Naar het beheer").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("#content h1")).to_have_text("Beheer van het platform")
    expect(page.locator("#content-main")).to_contain_text("Inlogbeveiliging")
    page.context.close()


@pytest.mark.parametrize("width", [1280, 400])
def test_the_agreement_buttons_sit_on_one_line_at_one_height(browser, live_server, login, screenshot, world, width):
    """ "Concept bewerken" and "Indienen ter beoordeling" (now a link to the confirmation page) line up."""
    AgreementFactory(
        initiative=world.initiative,
        municipality=world.municipality,
        title="Knoppen op een rij",
        created_by=world.initiatief,
        content=True,
    )
    page = new_page(browser, live_server, javascript=False)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, world.initiatief.email, PASSWORD)
    open_agreement(page, "Knoppen op een rij")
    actions = page.locator("#acties .button-row")
    edit = actions.get_by_role("link", name="Concept bewerken")
    submit = actions.get_by_role("link", name="Indienen ter beoordeling")
    expect(edit).to_be_visible()
    expect(submit).to_be_visible()
    edit_box, submit_box = edit.bounding_box(), submit.bounding_box()
    assert abs(edit_box["height"] - submit_box["height"]) < 1
    if width >= 1000:
        assert abs(edit_box["y"] - submit_box["y"]) < 1  # side by side, same top
    else:
        assert abs(edit_box["width"] - submit_box["width"]) < 1  # stacked on a phone, same width
    screenshot(page, f"agreement-actions-{width}")
    page.context.close()
