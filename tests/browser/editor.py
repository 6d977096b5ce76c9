"""Steps in the draft editor, as a person takes them: each part has its own save button."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def save_part(page, part: str) -> None:
    """Press the save button of one part; the page comes back at that part, saying it was saved."""
    page.locator(f"section[data-part='{part}'] .ak-part__save button[name='save']").click()
    page.wait_for_url(re.compile(rf"/bewerken/\?opgeslagen={part}#"))
    expect(page.locator(f"section[data-part='{part}'] [data-part-saved]")).to_be_visible()


def fill_sections(page, texts: dict[str, str]) -> None:
    """Write and save each section in turn."""
    for key, text in texts.items():
        page.locator(f"#id_{key}").fill(text)
        save_part(page, key)


def submit_from_the_checklist(page) -> None:
    """The checklist's link leads to the confirmation page, whose button submits."""
    page.locator("[data-checklist]").get_by_role("link", name="Indienen ter beoordeling").click()
    page.locator("main form").get_by_role("button", name="Indienen ter beoordeling").click()
