"""The demo data on the advisor's progress page, in Chromium: real medians per municipality, stalled agreements,
evaluations and expiries ahead; no serious accessibility problems in Dutch or English; screenshots kept."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from agreements.models import User
from workflow.demo.seed import seed_demo

pytestmark = pytest.mark.browser

ADVISOR = "adviseur@example.org"


@pytest.fixture
def demo(transactional_db):
    seed_demo()


def numbers_in(cells: list[str]) -> list[float]:
    return [float(m.group(0).replace(",", ".")) for m in (re.search(r"\d+(?:[.,]\d+)?", c) for c in cells) if m]


def check_overview(page, language: str) -> None:
    assert page.locator("html").get_attribute("lang") == language
    for summary in page.locator("details.mon-details > summary").all():
        summary.click()

    # The time per step, per municipality: eight municipalities, every median days long.
    durations = page.locator("section[aria-labelledby=doorlooptijd]")
    rows = durations.locator("details table tbody tr")
    assert rows.count() >= 8
    unit = "dagen" if language == "nl" else "days"
    for row in rows.all():
        stages = row.locator("td.num").all_inner_texts()[1:]  # after the number signed
        assert all(unit in text for text in stages), stages
        assert all(n >= 1 for n in numbers_in(stages)), stages
    overall = durations.locator("table").first.locator("tbody td.num").all_inner_texts()
    assert all(n >= 1 for n in numbers_in(overall)), overall

    # Agreements waiting too long, in review and in signing; evaluations and expiries in the coming weeks.
    assert page.locator("section[aria-labelledby=vastgelopen] tbody tr").count() >= 4
    assert page.locator("section[aria-labelledby=binnenkort] tbody tr").count() >= 4


def test_the_advisor_sees_the_demo_story_on_the_progress_page(page, live_server, login, axe, screenshot, demo):
    """One seeding for both languages: the advisor reads the page in Dutch, switches to English, reads it again."""
    login(page, ADVISOR, settings.DEMO_PASSWORD)
    page.locator("nav.main-nav a[href='/voortgang/']").click()
    page.wait_for_load_state("domcontentloaded")
    check_overview(page, "nl")
    screenshot(page, "demo-progress-advisor-nl")
    assert axe(page) == []

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("domcontentloaded")
    assert "/voortgang/" in page.url
    check_overview(page, "en")
    screenshot(page, "demo-progress-advisor-en")
    assert axe(page) == []
    assert User.objects.get(email=ADVISOR).preferred_language == "en"
