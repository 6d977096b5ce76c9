"""The draft preview page in Chromium, under the site's Content-Security-Policy.

While the worker makes the PDF, the page's script (static/js/preview-status.js,
a file: the policy refuses inline scripts) asks every two seconds whether it
is ready, and shows the download once it is, without anyone reloading.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agreements.choices import AgreementState
from agreements.models import DocumentPreview
from tests.browser.conftest import open_agreement
from tests.browser.test_journey import new_page
from tests.factories import PASSWORD, build_world
from tests.web.agreement_support import agreement_in
from workflow.documents.previews import document_preview_render

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return build_world()


def test_the_preview_page_shows_the_pdf_once_the_worker_made_it(browser, live_server, login, screenshot, world):
    agreement_in(world, AgreementState.DRAFT, title="Voorbeeld Test-Oost")
    page = new_page(browser, live_server, javascript=True)
    login(page, world.drafter.email, PASSWORD)
    open_agreement(page, "Voorbeeld Test-Oost")
    page.locator("main a[href$='/voorbeeld-pdf/']").first.click()
    page.get_by_role("button", name="Maak een voorbeeld-PDF").click()
    status = page.locator("#preview-status")
    expect(status).to_contain_text("wordt gemaakt")
    assert page.locator("script[src$='/static/js/preview-status.js']").count() == 1

    # The worker's part, here in the test: the page notices by itself.
    document_preview_render(preview_id=DocumentPreview.objects.get().pk)
    expect(status).to_contain_text("Het voorbeeld is klaar", timeout=15_000)
    expect(page.get_by_role("link", name="Download het voorbeeld (PDF)")).to_be_visible()
    screenshot(page, "preview-ready")
    page.context.close()
