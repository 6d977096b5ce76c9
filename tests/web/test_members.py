"""Members and invitations: the pages of an organisation's admin, and accepting an invitation."""

from __future__ import annotations

import datetime as dt
import time
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.utils import timezone

from agreements.choices import MembershipRole
from agreements.models import Membership, User
from tests.factories import AgreementFactory, OrganisationFactory, member
from workflow.core.access import Action, may
from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from workflow.members.services.invitations import INVITATION_SALT, invitation_accept, invitation_create, invitation_read
from workflow.members.services.memberships import member_remove, member_update
from workflow.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def members_url(organisation) -> str:
    return f"/organisaties/{organisation.pk}/leden/"


def invite_url(organisation) -> str:
    return f"/organisaties/{organisation.pk}/uitnodigen/"


def path_of(url: str) -> str:
    return urlsplit(url).path


# --- the member list -------------------------------------------------------------------


def test_admin_sees_the_members_of_their_own_organisation_only(client, world):
    client.force_login(world.initiative_admin)
    response = client.get(members_url(world.initiative))
    assert response.status_code == 200
    html = response.content.decode()
    for person in (world.drafter, world.initiative_signer1, world.initiative_signer2):
        assert person.email in html
    for stranger in (world.reviewer, world.outsider, world.advisor):
        assert stranger.email not in html


@pytest.mark.parametrize("who", ["drafter", "initiative_signer1", "reviewer", "outsider", "advisor"])
def test_everyone_but_the_admin_gets_not_found(client, world, who):
    client.force_login(getattr(world, who))
    for url in (
        members_url(world.initiative),
        invite_url(world.initiative),
        f"/organisaties/{world.initiative.pk}/leden/{world.drafter.pk}/",
        f"/organisaties/{world.initiative.pk}/leden/{world.drafter.pk}/verwijderen/",
    ):
        assert client.get(url).status_code == 404, url


def test_admin_of_one_organisation_cannot_manage_another(client, world):
    client.force_login(world.initiative_admin)
    assert client.get(members_url(world.municipality)).status_code == 404
    response = client.submit(invite_url(world.municipality), {"email": "x@example.org", "role": "reviewer"})
    assert response.status_code == 404
    assert not Notification.objects.exists()


def test_member_pages_need_sign_in(client, world):
    response = client.get(members_url(world.initiative))
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/?next=")


def test_admin_sees_the_link_to_members_in_the_menu(client, world):
    client.force_login(world.initiative_admin)
    assert members_url(world.initiative) in client.get("/").content.decode()
    client.force_login(world.drafter)
    assert members_url(world.initiative) not in client.get("/").content.decode()


# --- inviting --------------------------------------------------------------------------


def test_invite_form_needs_csrf(client, world):
    client.force_login(world.initiative_admin)
    response = client.post(invite_url(world.initiative), {"email": "nieuw@example.org", "role": "drafter"})
    assert response.status_code == 403
    assert not Notification.objects.exists()


def test_admin_invites_a_new_person_and_the_email_carries_the_link(client, world):
    client.force_login(world.initiative_admin)
    response = client.submit(invite_url(world.initiative), {"email": "Nieuw@Example.org", "role": "drafter"})
    assert response.status_code == 302
    assert response["Location"] == members_url(world.initiative)
    notification = Notification.objects.get(kind=NotificationKind.INVITATION)
    assert notification.recipient_email == "nieuw@example.org"
    assert notification.actor == world.initiative_admin
    assert notification.context["organisation_name"] == "Buurtwarmte Test-Oost"
    assert notification.context["role_label"] == "opsteller"
    assert "/uitnodiging/" in notification.context["accept_url"]
    assert not User.objects.filter(email="nieuw@example.org").exists()
    page = client.get(members_url(world.initiative)).content.decode()
    assert "We hebben een uitnodiging gestuurd naar nieuw@example.org" in page


def test_inviting_someone_with_an_account_adds_them_at_once(client, world):
    client.force_login(world.initiative_admin)
    response = client.submit(invite_url(world.initiative), {"email": world.reviewer.email, "role": "drafter"})
    assert response.status_code == 302
    assert Membership.objects.filter(
        user=world.reviewer, organisation=world.initiative, role=MembershipRole.DRAFTER
    ).exists()
    notification = Notification.objects.get(kind=NotificationKind.INVITATION)
    assert notification.recipient == world.reviewer


def test_inviting_an_existing_member_with_the_same_role_says_so(client, world):
    client.force_login(world.initiative_admin)
    response = client.submit(invite_url(world.initiative), {"email": world.drafter.email, "role": "drafter"})
    assert response.status_code == 400
    assert "is al opsteller bij Buurtwarmte Test-Oost" in response.content.decode()


def test_invite_with_a_bad_address_shows_the_error_beside_the_field(client, world):
    client.force_login(world.initiative_admin)
    response = client.submit(invite_url(world.initiative), {"email": "geen-adres", "role": "drafter"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "error-summary" in html
    assert not Notification.objects.exists()


def test_signatory_invitation_carries_the_mandate_end(client, world):
    client.force_login(world.initiative_admin)
    until = timezone.localdate() + dt.timedelta(days=300)
    result = invitation_create(
        actor=world.initiative_admin,
        organisation=world.initiative,
        email="penningmeester@example.org",
        role=MembershipRole.SIGNATORY,
        mandate_until=until,
    )
    membership = invitation_accept(token=result.token, full_name="Pien Penning", password="lange-zin-met-woorden")
    assert membership.role == MembershipRole.SIGNATORY
    assert membership.mandate_until == until


def test_mandate_in_the_past_is_refused(world):
    with pytest.raises(InvalidInput) as error:
        invitation_create(
            actor=world.initiative_admin,
            organisation=world.initiative,
            email="oud@example.org",
            role=MembershipRole.SIGNATORY,
            mandate_until=timezone.localdate() - dt.timedelta(days=1),
        )
    assert "mandate_until" in error.value.errors


def test_only_the_admin_grants_the_signatory_role(world):
    with pytest.raises(NotPermitted):
        invitation_create(
            actor=world.drafter, organisation=world.initiative, email="x@example.org", role=MembershipRole.SIGNATORY
        )


# --- accepting -------------------------------------------------------------------------


def _invite(world, email="nieuw@example.org", role=MembershipRole.DRAFTER):
    return invitation_create(actor=world.initiative_admin, organisation=world.initiative, email=email, role=role)


def test_accept_page_says_who_invites_to_what(client, world):
    result = _invite(world)
    response = client.get(path_of(result.accept_url))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Buurtwarmte Test-Oost" in html
    assert "opsteller" in html
    assert "nieuw@example.org" in html


def test_accept_needs_csrf(client, world):
    result = _invite(world)
    data = {
        "full_name": "Nina Nieuw",
        "preferred_language": "nl",
        "password1": "lange-zin-met-woorden",
        "password2": "lange-zin-met-woorden",
    }
    assert client.post(path_of(result.accept_url), data).status_code == 403
    assert not User.objects.filter(email="nieuw@example.org").exists()


def test_accepting_creates_the_account_joins_and_signs_in(client, world):
    result = _invite(world)
    data = {
        "full_name": "Nina Nieuw",
        "preferred_language": "en",
        "password1": "lange-zin-met-woorden",
        "password2": "lange-zin-met-woorden",
    }
    response = client.submit(path_of(result.accept_url), data)
    assert response.status_code == 302
    user = User.objects.get(email="nieuw@example.org")
    assert user.full_name == "Nina Nieuw"
    assert user.preferred_language == "en"
    assert user.check_password("lange-zin-met-woorden")
    assert Membership.objects.filter(user=user, organisation=world.initiative, role=MembershipRole.DRAFTER).exists()
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_link_works_once(client, world):
    result = _invite(world)
    data = {
        "full_name": "Nina Nieuw",
        "preferred_language": "nl",
        "password1": "lange-zin-met-woorden",
        "password2": "lange-zin-met-woorden",
    }
    client.submit(path_of(result.accept_url), data)
    second = type(client)()
    response = second.get(path_of(result.accept_url))
    assert response.status_code == 409
    assert "al gebruikt" in response.content.decode()
    response = second.submit(
        path_of(result.accept_url), {**data, "password1": "iets-anders-123", "password2": "iets-anders-123"}
    )
    assert response.status_code == 409
    assert User.objects.get(email="nieuw@example.org").check_password("lange-zin-met-woorden")


def test_a_weak_or_mismatched_password_is_explained(client, world):
    result = _invite(world)
    response = client.submit(
        path_of(result.accept_url),
        {"full_name": "Nina", "preferred_language": "nl", "password1": "kort", "password2": "kort"},
    )
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    response = client.submit(
        path_of(result.accept_url),
        {
            "full_name": "Nina",
            "preferred_language": "nl",
            "password1": "lange-zin-met-woorden",
            "password2": "andere-zin-met-woorden",
        },
    )
    assert "De twee wachtwoorden zijn niet hetzelfde." in response.content.decode()
    assert not User.objects.filter(email="nieuw@example.org").exists()


def test_a_tampered_link_does_not_exist(client, world):
    result = _invite(world)
    token = result.token
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.get(f"/uitnodiging/{tampered}/")
    assert response.status_code == 404
    with pytest.raises(NotFound):
        invitation_read(token=tampered)


def test_an_old_link_has_expired(client, world, settings):
    class SignedLongAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - (settings.INVITATION_MAX_AGE_DAYS + 1) * 86400)

    token = SignedLongAgo(salt=INVITATION_SALT).sign_object(
        {"e": "laat@example.org", "o": world.initiative.pk, "r": "drafter", "i": world.initiative_admin.pk, "m": None},
        compress=True,
    )
    response = client.get(f"/uitnodiging/{token}/")
    assert response.status_code == 409
    assert "verlopen" in response.content.decode()


def test_a_link_dies_when_the_inviter_is_no_longer_admin(client, world):
    result = _invite(world)
    Membership.objects.filter(user=world.initiative_admin, role=MembershipRole.ADMIN).delete()
    with pytest.raises(Conflict):
        invitation_read(token=result.token)


# --- the first contact of a municipality ------------------------------------------------------


def test_initiative_invites_the_first_contact_of_an_empty_municipality(client, world):
    empty = OrganisationFactory(municipality=True, name="Gemeente Leeg", cbs_code="GM0216")
    client.force_login(world.drafter)
    page = client.get("/gemeente-uitnodigen/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Gemeente Leeg" in html
    assert "Gemeente Test" not in html  # it has members already
    response = client.submit("/gemeente-uitnodigen/", {"municipality": empty.pk, "email": "ambtenaar@leeg.nl"})
    assert response.status_code == 302
    notification = Notification.objects.get()
    assert notification.context["role_label"] == "beoordelaar"
    membership = invitation_accept(
        token=notification.context["accept_url"].rsplit("/uitnodiging/", 1)[1].rstrip("/"),
        full_name="Anne Ambtenaar",
        password="lange-zin-met-woorden",
    )
    assert (membership.organisation, membership.role) == (empty, MembershipRole.REVIEWER)


def test_first_contact_only_for_a_municipality_without_members(client, world):
    client.force_login(world.drafter)
    response = client.submit("/gemeente-uitnodigen/", {"municipality": world.municipality.pk, "email": "x@example.org"})
    assert response.status_code == 400
    assert not Notification.objects.exists()
    with pytest.raises(NotPermitted):
        invitation_create(
            actor=world.drafter, organisation=world.municipality, email="x@example.org", role=MembershipRole.REVIEWER
        )


def test_first_contact_only_as_reviewer(world):
    empty = OrganisationFactory(municipality=True, cbs_code="GM0344")
    with pytest.raises(NotPermitted):
        invitation_create(actor=world.drafter, organisation=empty, email="x@example.org", role=MembershipRole.ADMIN)


@pytest.mark.parametrize("who", ["reviewer", "advisor", "initiative_signer1"])
def test_first_contact_page_is_for_initiative_drafters_and_admins(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get("/gemeente-uitnodigen/").status_code == 404


def test_first_contact_needs_csrf(client, world):
    empty = OrganisationFactory(municipality=True, cbs_code="GM1699")
    client.force_login(world.drafter)
    assert client.post("/gemeente-uitnodigen/", {"municipality": empty.pk, "email": "a@b.nl"}).status_code == 403


# --- roles and removing ---------------------------------------------------------------------


def edit_url(world, user) -> str:
    return f"/organisaties/{world.initiative.pk}/leden/{user.pk}/"


def test_admin_changes_roles_and_sets_a_mandate_end(client, world):
    client.force_login(world.initiative_admin)
    until = timezone.localdate() + dt.timedelta(days=90)
    assert client.post(edit_url(world, world.drafter), {"roles": ["drafter", "signatory"]}).status_code == 403
    response = client.submit(
        edit_url(world, world.drafter), {"roles": ["drafter", "signatory"], "mandate_until": until.isoformat()}
    )
    assert response.status_code == 302
    roles = dict(
        Membership.objects.filter(user=world.drafter, organisation=world.initiative).values_list(
            "role", "mandate_until"
        )
    )
    assert roles == {"drafter": None, "signatory": until}


def test_a_role_change_needs_at_least_one_role(client, world):
    client.force_login(world.initiative_admin)
    response = client.submit(edit_url(world, world.drafter), {"roles": []})
    assert response.status_code == 400
    assert Membership.objects.filter(user=world.drafter, organisation=world.initiative).exists()


def test_the_last_admin_stays(client, world):
    client.force_login(world.initiative_admin)
    response = client.submit(edit_url(world, world.initiative_admin), {"roles": ["drafter"]})
    assert response.status_code == 400
    assert "minstens één beheerder" in response.content.decode()
    response = client.submit(edit_url(world, world.initiative_admin) + "verwijderen/")
    assert response.status_code == 302
    assert Membership.objects.filter(user=world.initiative_admin, role=MembershipRole.ADMIN).exists()


def test_admin_removes_someone_who_left(client, world):
    agreement = AgreementFactory(initiative=world.initiative, municipality=world.municipality)
    client.force_login(world.initiative_admin)
    confirm = client.get(edit_url(world, world.drafter) + "verwijderen/")
    assert confirm.status_code == 200
    assert client.post(edit_url(world, world.drafter) + "verwijderen/").status_code == 403
    response = client.submit(edit_url(world, world.drafter) + "verwijderen/")
    assert response.status_code == 302
    assert not Membership.objects.filter(user=world.drafter, organisation=world.initiative).exists()
    # Gone from the organisation means gone from its agreements.
    client.force_login(world.drafter)
    assert agreement.title not in client.get("/").content.decode()


def test_admin_removes_a_member_who_holds_two_roles(client, world):
    # One person, two membership rows: the pages find the person once, the removal takes every role.
    Membership.objects.create(user=world.drafter, organisation=world.initiative, role=MembershipRole.SIGNATORY)
    client.force_login(world.initiative_admin)
    assert client.get(edit_url(world, world.drafter)).status_code == 200
    confirm = client.get(edit_url(world, world.drafter) + "verwijderen/")
    assert confirm.status_code == 200
    assert "Dirk Opsteller verwijderen uit Buurtwarmte Test-Oost?" in confirm.content.decode()
    response = client.submit(edit_url(world, world.drafter) + "verwijderen/")
    assert response.status_code == 302
    assert response["Location"] == members_url(world.initiative)
    assert not Membership.objects.filter(user=world.drafter, organisation=world.initiative).exists()


def test_a_signatory_whose_mandate_ended_can_no_longer_sign(world):
    agreement = AgreementFactory(initiative=world.initiative, municipality=world.municipality, approved=True)
    assert may(world.initiative_signer1, Action.SIGN, agreement)
    member_update(
        actor=world.initiative_admin,
        organisation=world.initiative,
        member=world.initiative_signer1,
        roles=[MembershipRole.SIGNATORY],
        mandate_until=timezone.localdate(),
    )
    signer = User.objects.get(pk=world.initiative_signer1.pk)
    assert may(signer, Action.SIGN, agreement)  # the last day still counts
    # The day after: time passes, the row stays as the admin left it.
    Membership.objects.filter(user=signer, role=MembershipRole.SIGNATORY).update(
        mandate_until=timezone.localdate() - dt.timedelta(days=1)
    )
    signer = User.objects.get(pk=signer.pk)
    assert not may(signer, Action.SIGN, agreement)


def test_non_admin_cannot_use_the_services(world):
    with pytest.raises(NotPermitted):
        member_update(actor=world.drafter, organisation=world.initiative, member=world.drafter, roles=["admin"])
    with pytest.raises(NotPermitted):
        member_remove(actor=world.drafter, organisation=world.initiative, member=world.initiative_signer1)


def test_removing_someone_who_is_not_a_member_is_not_found(world):
    with pytest.raises(NotFound):
        member_remove(actor=world.initiative_admin, organisation=world.initiative, member=world.reviewer)


def test_new_member_added_by_admin_can_be_admin_too(world):
    newcomer = member(world.initiative, MembershipRole.DRAFTER, email="tweede@example.org")
    member_update(
        actor=world.initiative_admin, organisation=world.initiative, member=newcomer, roles=["drafter", "admin"]
    )
    # With a second admin, the first may step down.
    member_update(
        actor=world.initiative_admin, organisation=world.initiative, member=world.initiative_admin, roles=["drafter"]
    )
    assert not Membership.objects.filter(user=world.initiative_admin, role=MembershipRole.ADMIN).exists()


def test_member_list_marks_a_mandate_that_ended(client, world):
    Membership.objects.filter(user=world.initiative_signer1, role=MembershipRole.SIGNATORY).update(
        mandate_until=timezone.localdate() - dt.timedelta(days=3)
    )
    client.force_login(world.initiative_admin)
    html = client.get(members_url(world.initiative)).content.decode()
    assert html.count("verlopen: kan niet meer tekenen") == 1


def test_an_admin_who_steps_down_lands_on_home(client, world):
    member(world.initiative, MembershipRole.ADMIN, email="opvolger@example.org")
    client.force_login(world.initiative_admin)
    response = client.submit(edit_url(world, world.initiative_admin), {"roles": ["drafter"]})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get(members_url(world.initiative)).status_code == 404


def test_admin_cannot_reach_people_of_other_organisations_through_their_own(client, world):
    client.force_login(world.initiative_admin)
    for stranger in (world.reviewer, world.outsider):
        assert client.get(edit_url(world, stranger)).status_code == 404
        assert client.submit(edit_url(world, stranger), {"roles": ["drafter"]}).status_code == 404
        assert client.submit(edit_url(world, stranger) + "verwijderen/").status_code == 404
    assert Membership.objects.filter(user=world.reviewer, organisation=world.municipality).exists()
    assert not Membership.objects.filter(user=world.reviewer, organisation=world.initiative).exists()


@pytest.mark.parametrize("who", ["drafter", "reviewer", "advisor"])
def test_first_contact_is_never_someone_who_already_has_an_account(client, world, who):
    # Otherwise a drafter could make themselves (or a colleague) the municipality's
    # reviewer and approve their own agreement.
    empty = OrganisationFactory(municipality=True, cbs_code="GM1940")
    existing = getattr(world, who)
    client.force_login(world.drafter)
    response = client.submit("/gemeente-uitnodigen/", {"municipality": empty.pk, "email": existing.email.upper()})
    assert response.status_code == 400
    assert "hoort al bij iemand" in response.content.decode()
    assert not Membership.objects.filter(organisation=empty).exists()
    assert not Notification.objects.exists()
