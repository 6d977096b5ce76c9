"""Searching "Mijn afspraken" in Chromium, without JavaScript: the search stays in the address."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from agreements.choices import AgreementState
from agreements.models import Neighbourhood
from tests.factories import PASSWORD, build_world
from tests.web.agreement_support import agreement_in

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    return build_world()


def test_search_by_neighbourhood_and_filter_by_state(browser, live_server, login, screenshot, world):
    kamperpoort = agreement_in(world, AgreementState.SIGNED, title="Warmte in de binnenstad")
    Neighbourhood.objects.create(agreement=kamperpoort, name="Kamperpoort")
    agreement_in(world, AgreementState.DRAFT, title="Warmtenet Oost")
    agreement_in(world, AgreementState.IN_REVIEW, title="Warmtenet West")

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, world.drafter.email, PASSWORD)
    search = page.get_by_role("search")
    search.get_by_label("Zoeken").fill("kamperpoort")
    search.get_by_role("button", name="Zoeken").click()
    page.wait_for_load_state("domcontentloaded")

    listing = page.locator("section[aria-labelledby='all-title']")
    expect(listing.get_by_role("link", name="Warmte in de binnenstad")).to_be_visible()
    expect(listing).to_contain_text("Kamperpoort")  # why it was found
    expect(listing.get_by_role("link", name="Warmtenet Oost")).to_have_count(0)
    expect(listing.locator("[data-search-result]")).to_have_text("1 afspraak gevonden.")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["kamperpoort"]
    screenshot(page, "home-search")

    # A state, with the search emptied; what was chosen stays in the form.
    search.get_by_label("Zoeken").fill("")
    search.get_by_label("Status").select_option("draft")
    search.get_by_role("button", name="Zoeken").click()
    page.wait_for_load_state("domcontentloaded")
    expect(listing.get_by_role("link", name="Warmtenet Oost")).to_be_visible()
    expect(listing.get_by_role("link", name="Warmtenet West")).to_have_count(0)
    expect(search.get_by_label("Status")).to_have_value("draft")

    listing.get_by_role("link", name="Alles tonen").click()
    page.wait_for_load_state("domcontentloaded")
    for title in ("Warmte in de binnenstad", "Warmtenet Oost", "Warmtenet West"):
        expect(listing.get_by_role("link", name=title)).to_be_visible()
    context.close()
