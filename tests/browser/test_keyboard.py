"""Keyboard only: sign in and use the home page without a mouse, always seeing where the focus is."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.world import PASSWORD, demo_like_world

pytestmark = pytest.mark.browser

FOCUS_INFO = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(),
        name: el.getAttribute('name') || '',
        id: el.id || '',
        text: (el.innerText || el.value || '').trim().slice(0, 60),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
        shadow: style.boxShadow !== 'none',
        visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight,
    };
}"""


def tab(page, steps: int = 1) -> dict:
    for _ in range(steps):
        page.keyboard.press("Tab")
    return page.evaluate(FOCUS_INFO)


def tab_until(page, predicate, limit: int = 25) -> tuple[dict, list[dict]]:
    """Press Tab until ``predicate(focus)``; every stop on the way must show a visible focus indicator."""
    stops = []
    for _ in range(limit):
        focus = tab(page)
        stops.append(focus)
        assert focus["visible"], f"focus went somewhere invisible: {focus}"
        assert focus["outline"] or focus["shadow"], f"no visible focus indicator on {focus}"
        if predicate(focus):
            return focus, stops
    raise AssertionError(f"never reached the target with Tab; stops: {stops}")


def test_keyboard_only_through_sign_in_and_home(transactional_db, page, screenshot):
    world = demo_like_world()
    page.goto("/")  # not signed in: the public home page; its "Inloggen" link is reached with Tab
    tab_until(page, lambda f: f["text"] == "Inloggen" and f["tag"] == "a")
    page.keyboard.press("Enter")
    page.wait_for_url("**/inloggen/")

    # First stop: the skip link, visible when focused; it takes the focus to the content.
    focus = tab(page)
    assert "skip-link" in page.evaluate("document.activeElement.className")
    assert focus["visible"], "the skip link must appear when it has focus"
    screenshot(page, "keyboard-skip-link-nl")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"

    focus, _stops = tab_until(page, lambda f: f["name"] == "username")
    page.keyboard.type(world.gemeente.email)
    focus = tab(page)
    assert focus["name"] == "password"
    page.keyboard.type(PASSWORD)
    screenshot(page, "keyboard-sign-in-nl")
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn afspraken")

    # Home: skip link, then straight into the content; the first thing there is what waits.
    tab(page)
    page.keyboard.press("Enter")
    focus, _stops = tab_until(page, lambda f: f["tag"] in ("a", "button"))
    screenshot(page, "keyboard-home-focus-nl")
    assert page.evaluate("document.activeElement.closest('main') !== null")

    # From the top, every control in the header and menu is reachable, with a visible focus.
    page.evaluate("document.activeElement.blur()")
    page.goto("/")  # the start page afresh (no #inhoud in the address), so Tab starts at the top
    focus, stops = tab_until(page, lambda f: f["text"] == "Uitloggen")
    texts = [s["text"] for s in stops]
    assert "Direct naar de inhoud" in texts[0]
    assert any("English" in t for t in texts), texts
    # The menu comes after sign-out; the language switch works from the keyboard too.
    focus, _stops = tab_until(page, lambda f: f["text"] == "Mijn afspraken")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # sign out
    page.wait_for_url("**/inloggen/")
    expect(page.get_by_role("status")).to_contain_text("U bent uitgelogd.")

    focus, _stops = tab_until(page, lambda f: "English" in f["text"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Samenkader")
