"""Two-factor sign-in in Chromium: set it up from one's profile, keep the recovery codes, sign in with the code."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.world import PASSWORD, demo_like_world
from tests.web.test_two_factor import code_from_secret

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    return demo_like_world()


def test_a_volunteer_sets_up_two_factor_and_signs_in_with_the_code(page, login, world, axe, screenshot):
    login(page, world.initiatief.email, PASSWORD)
    page.get_by_role("link", name="Mijn profiel").click()
    page.get_by_role("link", name="Inlogbeveiliging beheren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inlogbeveiliging")
    page.get_by_role("link", name="Tweestapsverificatie instellen").click()
    expect(page.get_by_role("img", name="QR-code om te scannen met uw authenticator-app")).to_be_visible()
    assert axe(page) == []
    screenshot(page, "two-factor-setup-nl")
    secret = page.locator("#secret-key").inner_text()
    page.get_by_label("Code uit uw authenticator-app").fill(code_from_secret(secret))
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw herstelcodes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Ik heb ze bewaard").click()

    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/inloggen/")
    login(page, world.initiatief.email, PASSWORD, expect_success=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweede stap: uw code")
    assert axe(page) == []
    page.get_by_label("Code uit uw authenticator-app").fill(code_from_secret(secret, steps_ahead=1))
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn afspraken")
