"""The sign page in Chromium: the admin gives a signatory a function, the signatory sees who still has to sign
(with functions), has the approved version made into a PDF (in place with JavaScript, by reloading without it),
and signs under that function."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agreements.choices import AgreementState
from agreements.models import DocumentPreview, Signature
from tests.browser.conftest import open_agreement
from tests.browser.test_journey import as_person
from tests.factories import PASSWORD, build_world
from tests.web.agreement_support import agreement_in
from workflow.documents.previews import document_preview_render

pytestmark = pytest.mark.browser

TITLE = "Ondertekenen Test-Oost"


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return build_world()


def give_function(browser, live_server, login, world, function: str) -> None:
    """The initiative's admin: from / to the members page, then Bea Bestuur's roles, and saves her function."""
    page = as_person(browser, live_server, login, world.initiative_admin, javascript=False)
    page.get_by_role("link", name=f"Leden van {world.initiative.name}").first.click()
    page.get_by_role("link", name="Rollen wijzigen van Bea Bestuur").click()
    page.get_by_label("Functie").fill(function)
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("main")).to_contain_text(f"ondertekenaar ({function})")
    page.context.close()


def open_sign_page(page) -> None:
    open_agreement(page, TITLE)
    page.locator("main").get_by_role("link", name="Ondertekenen", exact=True).click()
    expect(page.get_by_role("heading", name=f"Ondertekenen: {TITLE}")).to_be_visible()


def test_a_signatory_sees_who_still_signs_reads_the_approved_pdf_and_signs_under_her_function(
    browser, live_server, login, screenshot, world
):
    agreement = agreement_in(world, AgreementState.APPROVED, title=TITLE)
    give_function(browser, live_server, login, world, "Voorzitter")

    page = as_person(browser, live_server, login, world.initiative_signer1, javascript=True)
    open_sign_page(page)
    main = page.locator("main")
    expect(main).to_contain_text(f"{world.initiative.name}, als Voorzitter")
    to_sign = page.locator("li[data-to-sign]")
    expect(to_sign).to_have_text(["Bart Bestuur", "Bea Bestuur, Voorzitter", "Wendy Wethouder"])
    expect(main).to_contain_text(agreement.frozen_version().content_hash)

    page.get_by_role("button", name="PDF van de goedgekeurde versie maken").click()
    status = page.locator("#preview-status")
    expect(status).to_contain_text("De PDF wordt gemaakt")
    # While the worker is busy she fills in the form; the ready PDF must not cost her what she typed.
    page.get_by_label("Ik verklaar dat ik bevoegd ben om voor mijn organisatie te tekenen.").check()
    page.get_by_label("Uw wachtwoord").fill(PASSWORD)
    document_preview_render(preview_id=DocumentPreview.objects.get().pk)  # the worker's part
    expect(status).to_contain_text("De PDF is klaar", timeout=15_000)
    download = page.get_by_role("link", name="Download de goedgekeurde versie (PDF)")
    expect(download).to_be_visible()
    expect(page.get_by_label("Uw wachtwoord")).to_have_value(PASSWORD)
    screenshot(page, "sign-page-approved-pdf-ready")
    with page.expect_download() as caught:
        download.click()
    assert "goedgekeurd-niet-ondertekend" in caught.value.suggested_filename

    page.get_by_role("button", name="Versie 1 ondertekenen").click()
    expect(main).to_contain_text("U heeft getekend")
    expect(page.locator("li[data-signed]")).to_contain_text(["Bea Bestuur (Voorzitter), op"])
    expect(to_sign).to_have_text(["Bart Bestuur", "Wendy Wethouder"])
    assert Signature.objects.get(signer=world.initiative_signer1).function == "Voorzitter"
    page.context.close()


def test_without_javascript_the_sign_page_offers_the_pdf_after_a_reload(browser, live_server, login, world):
    agreement_in(world, AgreementState.APPROVED, title=TITLE)
    page = as_person(browser, live_server, login, world.municipal_signer, javascript=False)
    open_sign_page(page)
    page.get_by_role("button", name="PDF van de goedgekeurde versie maken").click()
    expect(page.locator("#preview-status")).to_contain_text("De PDF wordt gemaakt")
    document_preview_render(preview_id=DocumentPreview.objects.get().pk)
    page.get_by_role("link", name="Ververs de pagina").click()
    expect(page.get_by_role("link", name="Download de goedgekeurde versie (PDF)")).to_be_visible()
    page.context.close()
