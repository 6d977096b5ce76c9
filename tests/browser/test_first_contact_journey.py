"""A municipality with nobody in Samenkader gets its first contact, and the agreement is signed, in Chromium.

An initiative asks for the first contact of Gemeente Nieuwdorp; platform
staff check the address and confirm; that first contact makes an account and
invites the alderman as signatory; the drafter writes and submits the
agreement, the first contact approves it, and the initiative's signatory and
the alderman sign it. Every step starts at ``/`` and goes on by clicking
links and buttons; the only other addresses opened are the links in the
e-mails actually sent. The database is read only to set up the people and to
check what the pages said.
"""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import expect

from agreements.choices import AgreementState, MembershipRole
from agreements.models import Agreement, Invitation, Membership, Signature
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, emailed_link, go_home, open_agreement
from tests.browser.editor import fill_sections, save_part, submit_from_the_checklist
from tests.browser.test_journey import add_row, fill_task, post_button
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, member
from workflow.models import Notification

pytestmark = pytest.mark.browser

CONTACT = "contact@nieuwdorp.nl"
ALDERMAN = "wethouder@nieuwdorp.nl"
CONTACT_PASSWORD = "warmte-voor-heel-nieuwdorp"
ALDERMAN_PASSWORD = "samen-van-het-gas-af-2030"
TITLE = "Warmtenet Nieuwdorp-Centrum"

SECTIONS = {
    "aim": "In 2032 is Nieuwdorp-Centrum aardgasvrij, met een warmtenet in handen van de bewoners.",
    "roles": "Het initiatief organiseert de bewoners; de gemeente zorgt voor de besluiten.",
    "process": "Elke maand een projectteam. Na de haalbaarheidsstudie een go/no-go.",
    "resources": "De gemeente betaalt 150 uur procesbegeleiding.",
    "communication": "Het initiatief organiseert bewonersavonden; de gemeente stuurt de brieven.",
    "information": "We delen energielabels, alleen op buurtniveau.",
    "escalation": "Eerst het projectteam, dan de wethouder en het bestuur.",
    "evaluation": "Elk jaar in maart, en bij elke nieuwe fase.",
    "duration": "Twee jaar; samen stoppen kan altijd, met een gesprek vooraf.",
}


@pytest.fixture
def nieuwdorp(transactional_db):
    """An initiative whose drafter also signs (quorum 1), a municipality with no members at all, and staff."""
    initiative = OrganisationFactory(name="Buurtwarmte Nieuwdorp", signing_quorum=1)
    municipality = OrganisationFactory(municipality=True, name="Gemeente Nieuwdorp", cbs_code="GM0200")
    drafter = member(
        initiative,
        MembershipRole.DRAFTER,
        MembershipRole.SIGNATORY,
        email="dirk@buurtwarmte-nieuwdorp.nl",
        full_name="Dirk de Vries",
    )
    staff = UserFactory(email="staf@samenkader.example", full_name="Sam Staf", is_staff=True)
    return initiative, municipality, drafter, staff


@pytest.fixture
def fresh_page(browser, live_server):
    """``fresh_page()``: a page in a browser of its own (its own cookies), for each other person; all closed after."""
    contexts = []

    def _fresh_page():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _fresh_page
    for context in contexts:
        context.close()


def test_first_contact_of_a_new_municipality_until_signed(login, page, fresh_page, screenshot, nieuwdorp):
    initiative, municipality, drafter_user, staff_user = nieuwdorp

    def make_account(person, link: str, name: str, password: str) -> None:
        person.goto(link)  # the link in the invitation e-mail
        expect(person.get_by_role("heading", level=1)).to_have_text("Welkom bij Gemeente Nieuwdorp")
        person.get_by_label("Uw volledige naam").fill(name)
        person.get_by_label("Kies een wachtwoord").fill(password)
        person.get_by_label("Herhaal het wachtwoord").fill(password)
        person.get_by_role("button", name="Account maken en meedoen").click()
        expect(person.get_by_role("heading", level=1)).to_have_text("Mijn afspraken")

    # --- 1. The drafter asks for Gemeente Nieuwdorp's first contact.
    drafter = login(page, drafter_user.email, PASSWORD)
    expect(drafter.get_by_role("heading", level=1)).to_have_text("Mijn afspraken")
    drafter.get_by_role("link", name="Nodig uw contactpersoon bij de gemeente uit").first.click()
    drafter.wait_for_url("**/gemeente-uitnodigen/")
    drafter.get_by_label("Gemeente", exact=True).select_option(label="Gemeente Nieuwdorp")
    drafter.get_by_label("E-mailadres van uw contactpersoon bij de gemeente").fill(CONTACT)
    screenshot(drafter, "first-contact-request")
    drafter.get_by_role("button", name="Verzoek versturen").click()
    expect(drafter.get_by_role("heading", level=1)).to_have_text("Mijn afspraken")
    expect(drafter.locator(".messages")).to_contain_text("Uw verzoek is doorgestuurd")
    # Nothing goes out, and nobody joins, until staff have checked the address.
    assert not Notification.objects.filter(recipient_email__iexact=CONTACT).exists()
    assert mail.outbox == []
    assert not Membership.objects.filter(organisation=municipality).exists()

    # --- 2. Platform staff check the address against the municipality's domain and confirm.
    staff = login(fresh_page(), staff_user.email, PASSWORD)
    staff.get_by_role("link", name="Eerste contactpersonen").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Eerste contactpersonen van gemeenten")
    awaiting = staff.locator("section[aria-labelledby=awaiting-title] .card", has_text="Gemeente Nieuwdorp")
    expect(awaiting).to_contain_text(CONTACT)
    expect(awaiting).to_contain_text("Buurtwarmte Nieuwdorp")
    expect(awaiting).to_contain_text("Dirk de Vries")
    awaiting.get_by_label("E-maildomein van de gemeente").fill("nieuwdorp.nl")
    screenshot(staff, "first-contacts-staff")
    awaiting.get_by_role("button", name="Bevestigen en uitnodiging versturen").click()
    expect(staff.locator(".messages")).to_contain_text(
        f"Bevestigd: {CONTACT} krijgt nu de uitnodiging als eerste contactpersoon van Gemeente Nieuwdorp."
    )
    expect(staff.locator("section[aria-labelledby=pending-title]")).to_contain_text(CONTACT)

    # --- 3. The first contact makes an account from the e-mail and invites the alderman as signatory.
    contact = fresh_page()
    make_account(contact, emailed_link(CONTACT, "/uitnodiging/"), "Carla Contact", CONTACT_PASSWORD)
    expect(contact.locator(".messages")).to_contain_text("bij Gemeente Nieuwdorp")
    screenshot(contact, "first-contact-welcome")
    contact.get_by_role("link", name="Leden van Gemeente Nieuwdorp").click()
    expect(contact.get_by_role("heading", level=1)).to_have_text("Leden van Gemeente Nieuwdorp")
    contact.get_by_role("link", name="Iemand uitnodigen").click()
    contact.get_by_label("E-mailadres").fill(ALDERMAN)
    contact.get_by_label("ondertekenaar").check()
    contact.get_by_role("button", name="Uitnodiging versturen").click()
    expect(contact.locator(".messages")).to_contain_text(f"We hebben een uitnodiging gestuurd naar {ALDERMAN}")

    alderman = fresh_page()
    make_account(alderman, emailed_link(ALDERMAN, "/uitnodiging/"), "Willem Wethouder", ALDERMAN_PASSWORD)
    expect(alderman.locator(".messages")).to_contain_text("U bent nu ondertekenaar bij Gemeente Nieuwdorp.")

    # --- 4. The drafter makes the agreement with Gemeente Nieuwdorp, fills it and submits it.
    go_home(drafter)
    drafter.get_by_role("link", name="Nieuwe afspraak maken").first.click()
    drafter.wait_for_url("**/afspraken/nieuw/")
    drafter.locator("input[name=start][value=leeg]").check()  # their own text, not a model's
    drafter.get_by_label("Gemeente", exact=True).select_option(label="Gemeente Nieuwdorp")
    drafter.get_by_label("Titel", exact=True).fill(TITLE)
    drafter.locator("#id_neighbourhoods-0-name").fill("Nieuwdorp-Centrum")
    drafter.locator("#id_neighbourhoods-0-cbs_code").fill("WK020001")
    drafter.get_by_role("button", name="Afspraak aanmaken", exact=True).last.click()
    drafter.wait_for_url("**/bewerken/")
    fill_sections(drafter, SECTIONS)
    fill_task(drafter, 0, "Bewonersavonden organiseren", "orientation", "R", "I")
    add_row(drafter, "responsibilities", javascript=True)
    fill_task(drafter, 1, "Participatieplan vaststellen", "orientation", "C", "A")
    save_part(drafter, "responsibilities")
    submit_from_the_checklist(drafter)
    agreement = Agreement.objects.get(title=TITLE)
    drafter.wait_for_url(f"**/afspraken/{agreement.reference}/")
    expect(drafter.locator(".badge")).to_have_text("in beoordeling")

    # --- 5. The first contact, now the municipality's reviewer, approves it from home.
    go_home(contact)
    expect(contact.locator("section[aria-labelledby=waiting-title]")).to_contain_text(TITLE)
    open_agreement(contact, TITLE)
    contact.locator("#acties").get_by_role("link", name="Goedkeuren", exact=True).click()
    expect(contact.get_by_role("heading", level=2, name="Wat betekent goedkeuren?")).to_be_visible()
    post_button(contact, "/goedkeuren/").click()
    expect(contact.locator(".messages")).to_contain_text("U heeft de afspraak goedgekeurd.")
    expect(contact.locator(".badge")).to_have_text("goedgekeurd, wacht op ondertekening")

    # --- 6. The initiative's signatory and the alderman each sign.
    version = agreement.frozen_version()
    for signer, password in ((drafter, PASSWORD), (alderman, ALDERMAN_PASSWORD)):
        go_home(signer)  # the alderman's "Mijn afspraken" was open since making the account: look again
        expect(signer.locator("section[aria-labelledby=waiting-title]")).to_contain_text(
            "Ondertekenen namens uw organisatie."
        )
        open_agreement(signer, TITLE)
        signer.get_by_role("link", name="Ondertekenen").click()
        expect(signer.locator("[data-content-hash]")).to_have_text(version.content_hash)
        signer.get_by_label("Ik verklaar dat ik bevoegd ben om voor mijn organisatie te tekenen.").check()
        signer.get_by_label("Uw wachtwoord").fill(password)
        signer.get_by_role("button", name="Versie 1 ondertekenen").click()
        expect(signer.locator(".messages")).to_contain_text("U heeft getekend.")

    # --- The agreement shows as signed, for the first contact too.
    open_agreement(contact, TITLE)
    expect(contact.locator(".badge")).to_have_text("ondertekend")
    expect(contact.locator(".ak-waiting")).to_contain_text("De afspraak is ondertekend op")
    screenshot(contact, "first-contact-signed")

    agreement.refresh_from_db()
    assert agreement.state == AgreementState.SIGNED
    assert agreement.municipality == municipality and agreement.initiative == initiative
    signers = set(Signature.objects.filter(version=version).values_list("signer__email", "party__name"))
    assert signers == {(drafter_user.email, "Buurtwarmte Nieuwdorp"), (ALDERMAN, "Gemeente Nieuwdorp")}
    roles = set(Membership.objects.filter(organisation=municipality).values_list("user__email", "role"))
    assert roles == {
        (CONTACT, MembershipRole.ADMIN),
        (CONTACT, MembershipRole.REVIEWER),
        (ALDERMAN, MembershipRole.SIGNATORY),
    }
    first_contact = Invitation.objects.get(email=CONTACT)
    assert first_contact.is_first_contact and first_contact.confirmed_by == staff_user
