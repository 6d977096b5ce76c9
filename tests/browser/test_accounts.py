"""Signing in as each kind of person, the language switch, the lockout and an invitation, in Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from agreements.choices import MembershipRole
from agreements.models import Membership, User
from tests.browser.conftest import emailed_link
from tests.browser.world import PASSWORD, demo_like_world

pytestmark = pytest.mark.browser


@pytest.fixture
def world(transactional_db):
    return demo_like_world()


def sign_out(page):
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/inloggen/")
    expect(page.get_by_role("status")).to_contain_text("U bent uitgelogd.")


WAITING = {
    "initiatief": ("Warmtenet Oost: concept", "Reageer op 1 open opmerking."),
    "bestuur": ("Warmtenet Oost: intentieovereenkomst", "Ondertekenen namens uw organisatie."),
    "gemeente": ("Warmtenet Oost: haalbaarheid", "Beoordelen: vraag om wijzigingen of keur de afspraak goed."),
    "wethouder": ("Warmtenet Oost: intentieovereenkomst", "Ondertekenen namens uw organisatie."),
    "adviseur": None,
}


def test_each_kind_of_person_signs_in_and_sees_their_own_home(browser, live_server, world, login, screenshot):
    for who, waiting in WAITING.items():
        user = getattr(world, who)
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        login(page, user.email, PASSWORD)
        expect(page.get_by_role("heading", level=1)).to_have_text("Mijn afspraken")
        header = page.locator("header")
        expect(header).to_contain_text(user.full_name)
        expect(header).to_contain_text(user.memberships.first().organisation.name)
        waiting_section = page.locator("section[aria-labelledby=waiting-title]")
        if waiting:
            title, task = waiting
            expect(waiting_section).to_contain_text(title)
            expect(waiting_section).to_contain_text(task)
        else:
            expect(waiting_section).to_contain_text("Er wacht nu niets op u.")
        main = page.locator("main")
        if who == "adviseur":
            expect(main).to_contain_text("Warmtenet Oost: spelregels")
            expect(main).not_to_contain_text("Warmtenet Oost: concept")
        else:
            expect(main).to_contain_text("Warmtenet Oost: spelregels")
            expect(main).to_contain_text("Warmtenet Oost: concept")
        expect(main).not_to_contain_text("Geheim plan Anderdorp")
        screenshot(page, f"home-{who}")
        sign_out(page)
        context.close()


def test_language_switch_is_remembered_after_signing_in_again(browser, live_server, world, login, page, screenshot):
    login(page, world.gemeente.email, PASSWORD)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My agreements")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("section[aria-labelledby=waiting-title]")).to_contain_text("Waiting for you")
    screenshot(page, "home-gemeente-en")
    assert User.objects.get(pk=world.gemeente.pk).preferred_language == "en"

    # Another browser, no cookie: the choice comes back with signing in.
    other = browser.new_context(base_url=live_server.url)
    other_page = other.new_page()
    other_page.goto("/")  # not signed in: the public home page, with its way in
    other_page.locator("main a[href='/inloggen/']").first.click()
    expect(other_page.get_by_role("heading", level=1)).to_have_text("Inloggen bij Samenkader")
    login(other_page, world.gemeente.email, PASSWORD)
    expect(other_page.get_by_role("heading", level=1)).to_have_text("My agreements")
    other_page.get_by_role("button", name="Nederlands").click()
    expect(other_page.get_by_role("heading", level=1)).to_have_text("Mijn afspraken")
    other.close()
    assert User.objects.get(pk=world.gemeente.pk).preferred_language == "nl"


def test_sixth_failed_sign_in_locks_the_account(page, world, login, screenshot):
    for attempt in range(5):
        login(page, world.bestuur.email, f"fout-{attempt}", expect_success=False)
        expect(page.locator(".error-summary")).to_contain_text("Het e-mailadres of het wachtwoord klopt niet")
    login(page, world.bestuur.email, "fout-6", expect_success=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("U kunt even niet inloggen")
    expect(page.get_by_role("alert")).to_contain_text("15 minuten")
    screenshot(page, "locked-nl")
    # Even the right password does not get in now.
    login(page, world.bestuur.email, PASSWORD, expect_success=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("U kunt even niet inloggen")
    # Someone else, from the same address, still can.
    login(page, world.wethouder.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn afspraken")


def test_invitation_accepted_end_to_end(browser, live_server, world, login, page, screenshot):
    login(page, world.initiatief.email, PASSWORD)
    page.get_by_role("link", name="Leden van Buurtwarmte Zwolle-Oost").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leden van Buurtwarmte Zwolle-Oost")
    page.get_by_role("link", name="Iemand uitnodigen").click()
    page.get_by_label("E-mailadres").fill("nieuwe.vrijwilliger@example.org")
    page.get_by_label("opsteller").check()
    screenshot(page, "member-invite-nl")
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.get_by_role("status")).to_contain_text(
        "We hebben een uitnodiging gestuurd naar nieuwe.vrijwilliger@example.org"
    )

    # The e-mail goes out; its link is what the person clicks.
    accept_path = emailed_link("nieuwe.vrijwilliger@example.org", "/uitnodiging/")

    newcomer = browser.new_context(base_url=live_server.url)
    invited = newcomer.new_page()
    invited.goto(accept_path)  # the link in the invitation e-mail
    expect(invited.get_by_role("heading", level=1)).to_have_text("Welkom bij Buurtwarmte Zwolle-Oost")
    expect(invited.locator("main")).to_contain_text("Ilse Initiatief nodigt u uit als opsteller")
    invited.get_by_label("Uw volledige naam").fill("Nico Nieuw")
    invited.get_by_label("Kies een wachtwoord").fill("warmte-voor-de-hele-buurt")
    invited.get_by_label("Herhaal het wachtwoord").fill("warmte-voor-de-hele-buurt")
    screenshot(invited, "invitation-accept-nl")
    invited.get_by_role("button", name="Account maken en meedoen").click()
    expect(invited.get_by_role("heading", level=1)).to_have_text("Mijn afspraken")
    expect(invited.get_by_role("status")).to_contain_text(
        "Welkom bij Samenkader. U bent nu opsteller bij Buurtwarmte Zwolle-Oost."
    )
    expect(invited.locator("main")).to_contain_text("Warmtenet Oost: concept")
    screenshot(invited, "home-after-invitation-nl")

    # The link is spent.
    spent = browser.new_context(base_url=live_server.url).new_page()
    spent.goto(accept_path)  # the e-mail's link once more
    expect(spent.get_by_role("alert")).to_contain_text("al gebruikt")
    spent.context.close()
    newcomer.close()

    assert Membership.objects.filter(
        user__email="nieuwe.vrijwilliger@example.org", organisation=world.initiative, role=MembershipRole.DRAFTER
    ).exists()
    page.reload()
    expect(page.locator("main")).to_contain_text("nieuwe.vrijwilliger@example.org")
