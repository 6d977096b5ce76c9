"""A new initiative, from the public home page to a submitted agreement built on a model, in Chromium.

A volunteer finds Samenkader at ``/``, registers Warm Holtenbroek in Zwolle
(picked from CBS's list of every municipality), confirms the address from the
e-mail, asks for Zwolle's first contact and, once platform staff confirmed
that address (the only thing staff do), starts an agreement from Samenkader's
cooperation model, fills in its placeholders, writes one sentence of its own
and submits it. Zwolle's first contact, now its reviewer, sees at once which
section differs from the model. The journey runs in Dutch and in English
(the language switch on the home page); every page gets axe (0 serious or
critical) and a screenshot. Elements are found by where they lead or their
field, so the same steps work in both languages; the only addresses opened
are ``/`` and the links in the e-mails sent.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from agreements.choices import AgreementForm, AgreementState, MembershipAction, MembershipRole
from agreements.models import Agreement, Membership, MembershipEvent, Organisation
from agreements.sections import SECTION_ORDER
from tests.browser.conftest import ROOT, emailed_link, go_home
from tests.browser.editor import save_part
from tests.factories import PASSWORD, UserFactory
from workflow.lifecycle.selectors.model_agreements import shipped_model_for
from workflow.lifecycle.services.model_agreements import shipped_models_load
from workflow.members.services.municipalities import SHIPPED_LIST, municipalities_load, read_municipality_list

pytestmark = pytest.mark.browser

VOLUNTEER = "fleur@warmholtenbroek.nl"
VOLUNTEER_PASSWORD = "warmte-voor-holtenbroek-2030"
CONTACT = "wijkwarmte@zwolle.nl"
CONTACT_PASSWORD = "zwolle-gaat-van-het-gas"
OWN_SENTENCE = {
    "nl": "De gemeente stelt ook het buurthuis aan de Vechtstraat beschikbaar voor bewonersavonden.",
    "en": "The municipality also makes the community centre on Vechtstraat available for residents' evenings.",
}
REPORTS = ROOT / "test-artifacts" / "axe"


@pytest.fixture
def everything_a_new_install_has(transactional_db):
    """Every Dutch municipality (the shipped CBS list), Samenkader's models, and one staff member."""
    municipalities_load(rows=read_municipality_list(SHIPPED_LIST))
    shipped_models_load()
    return UserFactory(email="staf@samenkader.example", full_name="Sam Staf", is_staff=True)


def in_a_language(browser, live_server, language: str):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return context


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_new_initiative_from_the_public_home_page_to_a_submitted_agreement_on_a_model(
    language, browser, live_server, screenshot, axe, login, everything_a_new_install_has
):
    staff_user = everything_a_new_install_has
    staff_user.preferred_language = language  # signing in switches to one's own language
    staff_user.save(update_fields=["preferred_language"])
    results: dict[str, list[dict]] = {}

    def check(page, name: str) -> None:
        assert page.locator("html").get_attribute("lang") == language, f"{name}: wrong language"
        screenshot(page, f"getting-started-{name}-{language}")
        results[name] = axe(page)

    volunteer = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}).new_page()

    # --- 1. The public home page; the visitor picks their language and registers the initiative.
    volunteer.goto("/")
    if language == "en":
        volunteer.locator("form[action='/taal/'] button[value=en]").click()
        volunteer.wait_for_load_state("domcontentloaded")
    check(volunteer, "public-home")
    volunteer.locator("main a[href='/aanmelden/']").first.click()
    volunteer.wait_for_url("**/aanmelden/")
    check(volunteer, "register")
    volunteer.locator("#id_initiative-initiative_name").fill("Warm Holtenbroek")
    volunteer.locator("#id_initiative-legal_form").select_option("cooperative")
    volunteer.locator("#id_initiative-kvk_number").fill("87654321")
    volunteer.locator("#id_initiative-municipality").select_option(label="Gemeente Zwolle")
    volunteer.locator("#id_initiative-neighbourhoods").fill("Holtenbroek I\nHoltenbroek II")
    volunteer.locator("#id_full_name").fill("Fleur van Dijk")
    volunteer.locator("#id_email").fill(VOLUNTEER)
    volunteer.locator("#id_password1").fill(VOLUNTEER_PASSWORD)
    volunteer.locator("#id_password2").fill(VOLUNTEER_PASSWORD)
    volunteer.locator("#id_initiative-signs_for_initiative").check()
    volunteer.locator("#id_initiative-function").fill("voorzitter" if language == "nl" else "chair")
    volunteer.locator("main form[action='/aanmelden/'] .button-row button[type=submit]").click()
    volunteer.wait_for_url("**/aanmelden/verstuurd/")
    check(volunteer, "register-sent")
    assert not Organisation.objects.filter(name="Warm Holtenbroek").exists()

    # --- 2. The link in the e-mail: what will be made, and one button.
    volunteer.goto(emailed_link(VOLUNTEER, "/aanmelden/bevestigen/"))
    expect(volunteer.locator("main")).to_contain_text("Warm Holtenbroek")
    check(volunteer, "register-confirm")
    volunteer.locator("main form button[type=submit]").click()
    volunteer.wait_for_url(re.compile(r"/$"))
    expect(volunteer.locator(".messages")).to_contain_text("Warm Holtenbroek")
    initiative = Organisation.objects.get(name="Warm Holtenbroek")
    zwolle = Organisation.objects.get(cbs_code="GM0193")
    assert initiative.home_municipality == zwolle
    check(volunteer, "home-new-initiative")

    # --- 3. Zwolle has nobody in Samenkader yet: the volunteer asks for its first contact.
    volunteer.locator("main a[href='/gemeente-uitnodigen/']").first.click()
    volunteer.wait_for_url("**/gemeente-uitnodigen/")
    volunteer.locator("#id_municipality").select_option(label="Gemeente Zwolle")
    volunteer.locator("#id_email").fill(CONTACT)
    volunteer.locator("main form button[type=submit]").last.click()
    volunteer.wait_for_url(re.compile(r"/$"))

    # --- 4. The one staff action: confirm the first contact's address against Zwolle's domain.
    staff = login(in_a_language(browser, live_server, language).new_page(), staff_user.email, PASSWORD)
    staff.locator("nav.main-nav a[href='/beheer/initiatieven/']").click()
    expect(staff.locator("section[aria-labelledby=stage-new]")).to_contain_text("Warm Holtenbroek")
    check(staff, "staff-new-initiatives")
    staff.locator("nav.main-nav a[href='/beheer/eerste-contactpersonen/']").click()
    awaiting = staff.locator("section[aria-labelledby=awaiting-title] .card", has_text="Zwolle")
    awaiting.locator("input[name$=domain]").fill("zwolle.nl")
    awaiting.locator("form[action$='/bevestigen/'] button[type=submit]").click()
    expect(staff.locator("section[aria-labelledby=pending-title]")).to_contain_text(CONTACT)

    contact = in_a_language(browser, live_server, language).new_page()
    contact.goto(emailed_link(CONTACT, "/uitnodiging/"))
    contact.locator("#id_full_name").fill("Wim Wijkwarmte")
    contact.locator(f"input[name=preferred_language][value={language}]").check()
    contact.locator("#id_password1").fill(CONTACT_PASSWORD)
    contact.locator("#id_password2").fill(CONTACT_PASSWORD)
    contact.locator("main form button[type=submit]").click()
    contact.wait_for_url(re.compile(r"/$"))

    # --- 5. The volunteer starts from the cooperation model: Zwolle and the neighbourhoods are filled in.
    go_home(volunteer)
    volunteer.locator("main a[href='/afspraken/nieuw/']").first.click()
    volunteer.wait_for_url("**/afspraken/nieuw/")
    expect(volunteer.locator("#id_municipality")).to_have_value(str(zwolle.pk))
    expect(volunteer.locator("#id_neighbourhoods-1-name")).to_have_value("Holtenbroek II")
    model = shipped_model_for(form=AgreementForm.COOPERATION_AGREEMENT, language=language)
    expect(volunteer.locator(f"input[name=start][value='{model.slug}']")).to_be_checked()
    check(volunteer, "create-from-model")
    volunteer.locator("#id_title").fill("Warmtenet Holtenbroek")
    volunteer.locator("#id_language").select_option(language)
    volunteer.locator("main form[action='/afspraken/nieuw/'] .button-row button[type=submit]").click()
    volunteer.wait_for_url("**/bewerken/")
    agreement = Agreement.objects.get(title="Warmtenet Holtenbroek")
    assert agreement.form == AgreementForm.COOPERATION_AGREEMENT and agreement.municipality == zwolle
    assert [n.name for n in agreement.neighbourhoods.all()] == ["Holtenbroek I", "Holtenbroek II"]

    # --- 6. Fill in every placeholder as a person would, and add one sentence of their own.
    for key in SECTION_ORDER:
        field = volunteer.locator(f"#id_{key}")
        text = field.input_value()
        new = re.sub(r"\[\[[^\[\]]+\]\]", "Holtenbroek", text)
        if key == "resources":
            new += "\n\n" + OWN_SENTENCE[language]
        if new != text:
            field.fill(new)
            save_part(volunteer, key)
    check(volunteer, "editor-filled")
    volunteer.locator("[data-checklist] a[href$='/indienen/bevestigen/']").click()
    volunteer.locator(f"main form[action='/afspraken/{agreement.reference}/indienen/'] button[type=submit]").click()
    volunteer.wait_for_url(f"**/afspraken/{agreement.reference}/")
    agreement.refresh_from_db()
    assert agreement.state == AgreementState.IN_REVIEW

    # --- 7. Zwolle's reviewer sees what the initiative changed in the model.
    go_home(contact)
    contact.locator(f"main a[href='/afspraken/{agreement.reference}/']").first.click()
    summary = contact.locator(".ak-model-summary")
    expect(summary).to_contain_text(model.name)
    expect(summary.locator("a[href='#onderdeel-resources']")).to_be_visible()
    expect(contact.locator(".ak-model-note--deviates")).to_have_count(1)
    expect(contact.locator(".ak-model-note--follows")).to_have_count(len(SECTION_ORDER) - 1)
    deviation = contact.locator("section[aria-labelledby=onderdeel-resources] .ak-model-note--deviates")
    deviation.locator("summary").click()
    # Only the sentence of their own is marked; the filled-in placeholders read as plain text.
    expect(deviation.locator("ins")).to_have_count(1)
    expect(deviation.locator("ins")).to_contain_text(OWN_SENTENCE[language])
    check(contact, "review-deviation")

    # --- What happened, as recorded.
    assert agreement.current_version().started_from == model
    roles = set(Membership.objects.filter(organisation=initiative).values_list("user__email", "role"))
    assert roles == {
        (VOLUNTEER, MembershipRole.ADMIN),
        (VOLUNTEER, MembershipRole.DRAFTER),
        (VOLUNTEER, MembershipRole.SIGNATORY),
    }
    staff_did = set(MembershipEvent.objects.filter(actor=staff_user).values_list("action", flat=True))
    assert staff_did == {MembershipAction.FIRST_CONTACT_CONFIRMED}

    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"getting-started-{language}.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    failing = {name: violations for name, violations in results.items() if violations}
    assert not failing, json.dumps(failing, indent=2, ensure_ascii=False)
