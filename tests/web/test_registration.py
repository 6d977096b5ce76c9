"""An initiative registers itself: the pages, the e-mail confirmation, staff's queue and a suspension."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from agreements.choices import LegalForm, MembershipAction, MembershipRole, OrganisationKind
from agreements.models import Agreement, Membership, MembershipEvent, Organisation, User
from tests.factories import AgreementFactory, OrganisationFactory, UserFactory
from workflow.core.access import Action, initiatives_drafted_by, may, may_create_any_agreement
from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from workflow.lifecycle.services.drafting import agreement_create
from workflow.members.services.registration import (
    InitiativeDetails,
    initiative_mark_checked,
    initiative_register,
    initiative_register_signed_in,
    initiative_reinstate,
    initiative_suspend,
    registration_confirm,
)
from workflow.models import InitiativeRegistration, Notification, NotificationKind
from workflow.notifications.rendering import render_email

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Warmte-in-de-wijk-2027"


@pytest.fixture
def zwolle(db):
    return OrganisationFactory(municipality=True, name="Zwolle", cbs_code="GM0193")


def form_data(municipality, **overrides) -> dict:
    data = {
        "initiative-initiative_name": "Warm Holtenbroek",
        "initiative-legal_form": LegalForm.COOPERATIVE,
        "initiative-kvk_number": "12345678",
        "initiative-municipality": str(municipality.pk),
        "initiative-neighbourhoods": "Holtenbroek I\nHoltenbroek II\n\n",
        "initiative-function": "",
        "full_name": "Fleur Vrijwilliger",
        "email": "fleur@example.org",
        "preferred_language": "nl",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def confirmation_path() -> str:
    row = Notification.objects.get(kind=NotificationKind.REGISTRATION)
    return urlsplit(row.context["accept_url"]).path


# --- registering and confirming --------------------------------------------------------------------


def test_the_public_home_page_leads_to_registration(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/aanmelden/"' in response.content.decode()
    assert 'href="/aanmelden/"' in client.get("/inloggen/").content.decode()


def test_registering_makes_nothing_until_the_address_is_confirmed(client, zwolle):
    response = client.submit("/aanmelden/", form_data(zwolle))
    assert response.status_code == 302 and response["Location"] == "/aanmelden/verstuurd/"
    assert not Organisation.objects.filter(name="Warm Holtenbroek").exists()
    assert not User.objects.filter(email="fleur@example.org").exists()
    row = Notification.objects.get(kind=NotificationKind.REGISTRATION)
    assert row.recipient_email == "fleur@example.org" and row.context["has_account"] is False
    registration = InitiativeRegistration.objects.get()
    # Neither the password nor the token is kept as typed or sent.
    assert GOOD_PASSWORD not in registration.password_hash
    assert confirmation_path().rstrip("/").rsplit("/", 1)[1] not in registration.token_hash


def test_confirming_makes_the_initiative_with_the_volunteer_as_admin_and_drafter(client, zwolle):
    client.submit("/aanmelden/", form_data(zwolle))
    path = confirmation_path()
    # Opening the link (as a mail scanner would) shows what will be made, and makes nothing.
    page = client.get(path)
    assert page.status_code == 200 and "Warm Holtenbroek" in page.content.decode()
    assert not Organisation.objects.filter(name="Warm Holtenbroek").exists()
    response = client.submit(path)
    assert response.status_code == 302 and response["Location"] == "/"
    initiative = Organisation.objects.get(name="Warm Holtenbroek")
    assert initiative.kind == OrganisationKind.INITIATIVE
    assert initiative.legal_form == LegalForm.COOPERATIVE and initiative.kvk_number == "12345678"
    assert initiative.home_municipality == zwolle
    assert initiative.neighbourhood_names == ["Holtenbroek I", "Holtenbroek II"]
    person = User.objects.get(email="fleur@example.org")
    assert person.check_password(GOOD_PASSWORD)
    assert set(Membership.objects.filter(organisation=initiative, user=person).values_list("role", flat=True)) == {
        MembershipRole.ADMIN,
        MembershipRole.DRAFTER,
    }
    assert list(MembershipEvent.objects.filter(organisation=initiative).values_list("action", flat=True)) == [
        MembershipAction.REGISTERED
    ]
    # Signed in: the home page offers a new agreement.
    home = client.get("/")
    assert 'href="/afspraken/nieuw/"' in home.content.decode()
    # The link is spent.
    again = client.submit(path)
    assert again.status_code == 409


def test_the_new_agreement_starts_with_the_initiatives_municipality_and_neighbourhoods(client, zwolle):
    client.submit("/aanmelden/", form_data(zwolle))
    client.submit(confirmation_path())
    html = client.get("/afspraken/nieuw/").content.decode()
    assert f'<option value="{zwolle.pk}" selected>' in html
    assert 'value="Holtenbroek II"' in html
    # Posted as shown, the neighbourhoods become the agreement's.
    response = client.submit(
        "/afspraken/nieuw/",
        {
            "initiative": str(Organisation.objects.get(name="Warm Holtenbroek").pk),
            "municipality": str(zwolle.pk),
            "start": "leeg",
            "title": "Warmte in Holtenbroek",
            "form": "ground_rules",
            "phase": "orientation",
            "language": "nl",
            "neighbourhoods-TOTAL_FORMS": "3",
            "neighbourhoods-INITIAL_FORMS": "2",
            "neighbourhoods-0-name": "Holtenbroek I",
            "neighbourhoods-0-cbs_code": "",
            "neighbourhoods-1-name": "Holtenbroek II",
            "neighbourhoods-1-cbs_code": "",
            "neighbourhoods-2-name": "",
            "neighbourhoods-2-cbs_code": "",
        },
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(title="Warmte in Holtenbroek")
    assert [n.name for n in agreement.neighbourhoods.all()] == ["Holtenbroek I", "Holtenbroek II"]


def test_a_volunteer_who_signs_for_the_initiative_becomes_signatory_in_its_own_log_line(client, zwolle):
    client.submit(
        "/aanmelden/",
        form_data(zwolle, **{"initiative-signs_for_initiative": "on", "initiative-function": "voorzitter"}),
    )
    client.submit(confirmation_path())
    initiative = Organisation.objects.get(name="Warm Holtenbroek")
    signatory = Membership.objects.get(organisation=initiative, role=MembershipRole.SIGNATORY)
    assert signatory.user.email == "fleur@example.org" and signatory.function == "voorzitter"
    event = MembershipEvent.objects.get(organisation=initiative, action=MembershipAction.SIGNATORY_SELF_GRANTED)
    assert event.actor == signatory.user and "signatory" in event.roles_after and "voorzitter" in event.note


def test_signing_for_the_initiative_needs_a_function(client, zwolle):
    response = client.submit("/aanmelden/", form_data(zwolle, **{"initiative-signs_for_initiative": "on"}))
    assert response.status_code == 400
    assert "Vul uw functie in" in response.content.decode()
    assert not InitiativeRegistration.objects.exists()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"initiative-kvk_number": "1234"}, "Een KvK-nummer heeft 8 cijfers."),
        ({"initiative-municipality": ""}, "Kies de gemeente waar het initiatief werkt."),
        ({"initiative-initiative_name": ""}, "Vul de naam van het initiatief in."),
        ({"password2": "iets-anders-dan-het-eerste"}, "De twee wachtwoorden zijn niet hetzelfde."),
        ({"password1": "kort", "password2": "kort"}, "te kort"),
    ],
)
def test_bad_input_is_explained_and_kept(client, zwolle, override, message):
    response = client.submit("/aanmelden/", form_data(zwolle, **override))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="Fleur Vrijwilliger"' in html  # nothing typed is lost
    assert not InitiativeRegistration.objects.exists()


def test_a_merged_municipality_is_not_offered_and_refused(client, zwolle):
    merged = OrganisationFactory(municipality=True, name="Oud-Gemeente", cbs_code="GM0001", merged_into=zwolle)
    assert f'value="{merged.pk}"' not in client.get("/aanmelden/").content.decode()
    with pytest.raises(InvalidInput) as error:
        initiative_register(
            details=InitiativeDetails(name="X", legal_form=LegalForm.ASSOCIATION, municipality=merged),
            full_name="A",
            email="a@example.org",
            password=GOOD_PASSWORD,
        )
    assert "municipality" in error.value.errors


def test_a_known_name_in_the_same_municipality_is_refused(zwolle):
    OrganisationFactory(name="Warm Holtenbroek", home_municipality=zwolle)
    with pytest.raises(InvalidInput) as error:
        initiative_register(
            details=InitiativeDetails(name="warm holtenbroek", legal_form=LegalForm.COOPERATIVE, municipality=zwolle),
            full_name="A",
            email="a@example.org",
            password=GOOD_PASSWORD,
        )
    assert "doet al mee" in error.value.errors["initiative_name"][0]


def test_an_address_with_an_account_gets_the_same_answer_and_an_email_to_sign_in(client, zwolle):
    UserFactory(email="fleur@example.org")
    response = client.submit("/aanmelden/", form_data(zwolle))
    assert response.status_code == 302 and response["Location"] == "/aanmelden/verstuurd/"
    assert not InitiativeRegistration.objects.exists()
    row = Notification.objects.get(kind=NotificationKind.REGISTRATION)
    assert row.context["has_account"] is True
    assert urlsplit(row.context["accept_url"]).path == "/aanmelden/"


def test_an_expired_or_unknown_link_explains_itself(client, zwolle):
    client.submit("/aanmelden/", form_data(zwolle))
    path = confirmation_path()
    InitiativeRegistration.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.submit(path)
    assert response.status_code == 409 and "verlopen" in response.content.decode()
    assert client.get("/aanmelden/bevestigen/onbekend/").status_code == 404
    assert not Organisation.objects.filter(name="Warm Holtenbroek").exists()


def test_someone_signed_in_registers_another_initiative_at_once(client, world):
    client.force_login(world.reviewer)
    data = {key: value for key, value in form_data(world.municipality).items() if key.startswith("initiative-")}
    response = client.submit("/aanmelden/", data)
    assert response.status_code == 302 and response["Location"] == "/"
    initiative = Organisation.objects.get(name="Warm Holtenbroek")
    assert initiative.registered_at is not None
    assert Membership.objects.filter(organisation=initiative, user=world.reviewer, role=MembershipRole.DRAFTER).exists()
    assert not Notification.objects.filter(kind=NotificationKind.REGISTRATION).exists()


def test_registrations_from_one_address_are_limited(client, zwolle, settings):
    for number in range(10):
        client.submit("/aanmelden/", form_data(zwolle, email=f"vrijwilliger{number}@example.org"))
    response = client.submit("/aanmelden/", form_data(zwolle, email="nog-een@example.org"))
    assert response.status_code == 400 and "te veel aanmeldingen" in response.content.decode()
    assert InitiativeRegistration.objects.count() == 10


# --- staff's queue and suspension -----------------------------------------------------------------------


def registered_initiative(zwolle, email="fleur@example.org"):
    result = initiative_register(
        details=InitiativeDetails(name="Warm Holtenbroek", legal_form=LegalForm.COOPERATIVE, municipality=zwolle),
        full_name="Fleur Vrijwilliger",
        email=email,
        password=GOOD_PASSWORD,
    )
    return registration_confirm(token=result.token)


def test_staff_see_a_new_initiative_until_they_mark_it_checked(client, staff, zwolle):
    initiative, _person = registered_initiative(zwolle)
    client.force_login(staff)
    home = client.get("/").content.decode()
    assert "1 initiatief meldde zich aan en is nog niet bekeken." in home
    page = client.get("/beheer/initiatieven/").content.decode()
    assert "Warm Holtenbroek" in page and "fleur@example.org" in page
    response = client.submit(f"/beheer/initiatieven/{initiative.pk}/bekeken/")
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.checked_by == staff
    assert "0 initiatieven meldden zich aan" in client.get("/").content.decode()
    assert MembershipEvent.objects.filter(organisation=initiative, action=MembershipAction.CHECKED).exists()


@pytest.mark.parametrize("who", ["drafter", "reviewer", "initiative_admin"])
def test_only_staff_reach_the_queue(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get("/beheer/initiatieven/").status_code == 404
    assert client.submit(f"/beheer/initiatieven/{world.initiative.pk}/schorsen/", {"s-reason": "x"}).status_code == 404
    with pytest.raises(NotPermitted):
        initiative_suspend(actor=getattr(world, who), initiative=world.initiative, reason="x")


def test_a_suspension_needs_a_reason(client, staff, world):
    client.force_login(staff)
    response = client.submit(
        f"/beheer/initiatieven/{world.initiative.pk}/schorsen/", {f"s{world.initiative.pk}-reason": ""}
    )
    assert response.status_code == 400 and "Schrijf op waarom" in response.content.decode()
    world.initiative.refresh_from_db()
    assert world.initiative.suspended_at is None


def test_a_suspended_initiative_reads_but_cannot_act(client, staff, world):
    draft = AgreementFactory(initiative=world.initiative, municipality=world.municipality, content=True)
    client.force_login(staff)
    response = client.submit(
        f"/beheer/initiatieven/{world.initiative.pk}/schorsen/",
        {f"s{world.initiative.pk}-reason": "Dubbele aanmelding; wij bellen u."},
    )
    assert response.status_code == 302
    world.initiative.refresh_from_db()
    assert world.initiative.is_suspended
    assert MembershipEvent.objects.get(organisation=world.initiative, action=MembershipAction.SUSPENDED).note

    drafter = User.objects.get(pk=world.drafter.pk)
    for action in (Action.EDIT, Action.SUBMIT, Action.WITHDRAW, Action.GRANT_ADVISOR):
        assert not may(drafter, action, draft)
    assert not may_create_any_agreement(drafter) and not initiatives_drafted_by(drafter).exists()
    with pytest.raises(NotPermitted):
        agreement_create(
            actor=drafter,
            initiative=world.initiative,
            municipality=world.municipality,
            title="Nog een",
            form="cooperation_agreement",
            phase="orientation",
        )

    client.force_login(world.drafter)
    page = client.get(f"/afspraken/{draft.reference}/")
    assert page.status_code == 200  # still readable
    html = page.content.decode()
    assert "is geschorst door Samenkader" in html and "Dubbele aanmelding; wij bellen u." in html
    assert client.get(f"/afspraken/{draft.reference}/bewerken/").status_code == 403
    assert client.submit(f"/afspraken/{draft.reference}/indienen/").status_code == 403
    assert Agreement.objects.get(pk=draft.pk).state == "draft"
    assert client.get("/afspraken/nieuw/").status_code == 403
    # The admin manages no members while suspended.
    client.force_login(world.initiative_admin)
    assert client.get(f"/organisaties/{world.initiative.pk}/uitnodigen/").status_code in (403, 404)

    # Lifting the suspension gives everything back.
    initiative_reinstate(actor=staff, initiative=world.initiative)
    drafter = User.objects.get(pk=world.drafter.pk)
    assert may(drafter, Action.SUBMIT, draft)
    with pytest.raises(Conflict):
        initiative_reinstate(actor=staff, initiative=world.initiative)


def test_the_municipality_of_a_suspended_initiative_still_acts(staff, world):
    agreement = AgreementFactory(initiative=world.initiative, municipality=world.municipality, in_review=True)
    initiative_suspend(actor=staff, initiative=world.initiative, reason="Onderzoek")
    assert may(User.objects.get(pk=world.reviewer.pk), Action.REQUEST_CHANGES, agreement)


def test_marking_an_unknown_initiative(staff):
    with pytest.raises(NotFound):
        initiative_mark_checked(actor=staff, initiative=999999)


def test_the_confirmation_email_speaks_the_volunteers_language(zwolle):
    initiative_register(
        details=InitiativeDetails(name="Warm Holtenbroek", legal_form=LegalForm.COOPERATIVE, municipality=zwolle),
        full_name="Fleur",
        email="fleur@example.org",
        password=GOOD_PASSWORD,
        language="en",
    )
    message = render_email(Notification.objects.get(kind=NotificationKind.REGISTRATION))
    assert message.subject == "Confirm the registration of Warm Holtenbroek with Samenkader"
    assert "/aanmelden/bevestigen/" in message.body and "seven days" in message.body


def test_existing_member_with_the_same_password_login_works_after_confirmation(client, zwolle):
    registered_initiative(zwolle)
    client.logout()
    response = client.submit("/inloggen/", {"username": "fleur@example.org", "password": GOOD_PASSWORD})
    assert response.status_code == 302


def test_an_account_without_a_password_is_never_taken_over(client, zwolle):
    """A row staff made (or locked) has no usable password: registering with its address sets none."""
    locked = User.objects.create_user(email="fleur@example.org", password=None, full_name="Fleur")
    client.submit("/aanmelden/", form_data(zwolle))
    assert not InitiativeRegistration.objects.exists()
    row = Notification.objects.get(kind=NotificationKind.REGISTRATION)
    assert row.context["has_account"] is True
    locked.refresh_from_db()
    assert not locked.has_usable_password()


def test_an_account_made_meanwhile_stops_the_confirmation(client, zwolle):
    client.submit("/aanmelden/", form_data(zwolle))
    path = confirmation_path()
    User.objects.create_user(email="fleur@example.org", password=None, full_name="")
    response = client.submit(path)
    assert response.status_code == 409 and "Er is al een account" in response.content.decode()
    assert not Organisation.objects.filter(name="Warm Holtenbroek").exists()
    assert not User.objects.get(email="fleur@example.org").has_usable_password()


def test_a_suspended_initiatives_admin_cannot_register_another(client, staff, world):
    initiative_suspend(actor=staff, initiative=world.initiative, reason="Onderzoek")
    with pytest.raises(NotPermitted):
        initiative_register_signed_in(
            actor=User.objects.get(pk=world.initiative_admin.pk),
            details=InitiativeDetails(name="Nieuw", legal_form=LegalForm.ASSOCIATION, municipality=world.municipality),
        )


def test_a_suspended_initiatives_members_neither_comment_nor_resolve(staff, world):
    agreement = AgreementFactory(initiative=world.initiative, municipality=world.municipality, in_review=True)
    initiative_suspend(actor=staff, initiative=world.initiative, reason="Onderzoek")
    assert not may(User.objects.get(pk=world.drafter.pk), Action.COMMENT, agreement)
    assert may(User.objects.get(pk=world.reviewer.pk), Action.COMMENT, agreement)
