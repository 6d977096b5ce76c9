"""One's own profile in Chromium: from the start page to "Mijn profiel", choose the daily overview, save."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.world import PASSWORD, demo_like_world
from workflow.models import Delivery, NotificationPreference

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    return demo_like_world()


def test_the_alderman_chooses_one_daily_overview_for_signatures(page, login, world, axe, screenshot):
    login(page, world.wethouder.email, PASSWORD)
    page.get_by_role("link", name="Mijn profiel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn profiel")
    main = page.locator("main")
    expect(main).to_contain_text("Wilma Wethouder")
    expect(main).to_contain_text("Gemeente Zwolle: ondertekenaar")
    expect(main).to_contain_text("U logt in met alleen uw wachtwoord.")
    assert axe(page) == []

    signatures = page.get_by_role("group", name="Handtekening gezet")
    expect(signatures.get_by_label("Direct")).to_be_checked()
    signatures.get_by_label("Dagelijks overzicht").check()
    page.get_by_role("group", name="Goedgekeurd, klaar om te tekenen").get_by_label("Dagelijks overzicht").check()
    page.get_by_role("button", name="Instellingen opslaan").click()

    expect(page.get_by_role("status")).to_contain_text("Uw instellingen zijn opgeslagen.")
    signatures = page.get_by_role("group", name="Handtekening gezet")
    expect(signatures.get_by_label("Dagelijks overzicht")).to_be_checked()
    expect(page.get_by_role("group", name="Nieuwe opmerking").get_by_label("Direct")).to_be_checked()
    screenshot(page, "profile-daily-overview-nl")
    assert dict(
        NotificationPreference.objects.filter(user=world.wethouder, delivery=Delivery.DIGEST).values_list(
            "event", "delivery"
        )
    ) == {"signature_added": Delivery.DIGEST, "approved": Delivery.DIGEST}

    # The two-factor settings are one link further.
    page.get_by_role("link", name="Inlogbeveiliging beheren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inlogbeveiliging")
