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


def test_a_reviewer_makes_an_api_token_reads_the_docs_and_uses_it(page, login, world, axe, screenshot, live_server):
    """Profile -> API tokens -> a token shown once -> the interactive docs, under the site's CSP, no CDN."""
    import urllib.request

    login(page, world.gemeente.email, PASSWORD)
    page.get_by_role("link", name="Mijn profiel").click()
    page.get_by_role("link", name="API-tokens beheren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API-tokens")
    assert axe(page) == []
    page.get_by_label("Naam").fill("Zaaksysteem")
    page.get_by_role("radio", name="alleen lezen").check()
    page.get_by_role("button", name="Token maken").click()
    secret = page.get_by_role("textbox", name="Token", exact=True).input_value()
    assert secret.startswith("skt_")
    expect(page.get_by_role("table")).to_contain_text("Zaaksysteem")
    assert axe(page) == []
    screenshot(page, "api-token-made")

    # The token works on its own, outside the browser.
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/agreements/", headers={"Authorization": f"Bearer {secret}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310 # the test's own live server
        assert response.status == 200

    # Reloading shows the list, never the token again.
    page.reload()
    expect(page.get_by_role("textbox", name="Token", exact=True)).to_have_count(0)

    page.get_by_role("link", name="Documentatie van de API (in het Engels)").click()
    expect(page.get_by_text("Samenkader API").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/agreements/{reference}/sign/")).to_be_visible()
    screenshot(page, "api-docs")
