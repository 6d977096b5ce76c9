"""The Django admin in Chromium, under the site's Content-Security-Policy.

The admin brings its own scripts (the two-list selector, the date pickers, the
sidebar); they come from static files, and none of them may be refused. The
staff member signs in on the site and follows the menu's link to the admin.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_journey import new_page
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_the_admin_scripts_run_under_the_content_security_policy(
    browser, live_server, login, screenshot, transactional_db
):
    staff = UserFactory(email="beheer@example.org", full_name="Bea Beheer", is_staff=True, is_superuser=True)
    page = new_page(browser, live_server, javascript=True)
    login(page, staff.email, PASSWORD)
    page.locator("nav.main-nav a[href='/admin/']").click()
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("#site-name")).to_contain_text("Samenkader")

    page.locator("#content-main a[href$='/admin/agreements/user/']").first.click()
    page.wait_for_load_state("domcontentloaded")
    page.locator("#result_list a", has_text=staff.email).click()
    page.wait_for_load_state("load")
    # The two-list selector for groups and permissions is built by the admin's script.
    expect(page.locator("#id_user_permissions_from")).to_be_visible()
    # So are the date shortcuts; open the calendar and choose today.
    page.locator(".datetimeshortcuts a").filter(has=page.locator(".date-icon")).first.click()
    expect(page.locator(".calendarbox").first).to_be_visible()
    screenshot(page, "admin-user-change")
    page.context.close()
