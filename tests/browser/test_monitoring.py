"""The monitoring overview in Chromium: no serious accessibility problems in Dutch or English, screenshots kept."""

from __future__ import annotations

import pytest
from django.utils import timezone

from agreements.models import AdvisorAccess, Agreement
from tests.factories import PASSWORD
from tests.monitoring.dataset import build_dataset

pytestmark = pytest.mark.browser


def open_overview(page) -> None:
    """Click "Voortgang" ("Progress") in the main menu."""
    page.locator("nav.main-nav a[href='/voortgang/']").click()
    page.wait_for_load_state("domcontentloaded")


@pytest.fixture
def data(transactional_db):
    data = build_dataset(timezone.now())
    # The national view: the advisor may see every agreement of the set.
    AdvisorAccess.objects.bulk_create(
        [
            AdvisorAccess(agreement=a, organisation=data.advisor_org, granted_by=data.creator)
            for a in Agreement.objects.exclude(reference__in=["S1", "R1"])
        ]
    )
    return data


@pytest.mark.parametrize("language", ["nl", "en"])
def test_overview_is_accessible(page, live_server, login, axe, screenshot, data, language):
    data.advisor.preferred_language = language
    data.advisor.save(update_fields=["preferred_language"])
    login(page, data.advisor.email, PASSWORD)
    open_overview(page)
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("svg[role=img]").count() == 6  # three of them after signing
    # Open the table alternatives, so that axe checks them too.
    for summary in page.locator("details.mon-details > summary").all():
        summary.click()
    screenshot(page, f"monitoring-overview-{language}")
    assert axe(page) == []


def test_filtered_and_stalled_only(page, live_server, login, axe, screenshot, data):
    login(page, data.advisor.email, PASSWORD)
    open_overview(page)
    page.locator("#id_stalled").check()
    page.get_by_role("button", name="Toon").click()
    page.wait_for_load_state("domcontentloaded")
    assert "stalled=on" in page.url
    rows = page.locator("#vastgelopen ~ .table-wrap tbody tr, section[aria-labelledby=vastgelopen] tbody tr")
    assert rows.count() == 3  # D1, A1, R1
    screenshot(page, "monitoring-overview-stalled-only")
    assert axe(page) == []
