"""The shared layout in a real browser: the sign-in page, the statements and the error pages."""

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(
    "path,name", [("/inloggen/", "login"), ("/toegankelijkheid/", "accessibility"), ("/privacy/", "privacy")]
)
def test_public_pages_have_no_serious_accessibility_violations(
    page, live_server, axe, screenshot, path, name, language
):
    if language == "en":
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + path)
    assert page.locator("html").get_attribute("lang") == language
    screenshot(page, f"{name}-{language}")
    assert axe(page) == []
