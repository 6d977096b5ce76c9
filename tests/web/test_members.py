"""Members and invitations: the pages of an organisation's admin, and accepting an invitation."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from agreements.choices import MembershipRole
from agreements.models import Invitation, Membership, MembershipEvent, User
from tests.factories import PASSWORD, AgreementFactory, OrganisationFactory, member
from workflow.core.access import Action, may
from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from workflow.lifecycle.services.review import agreement_approve
from workflow.members.services.invitations import (
    first_contact_confirm,
    first_contact_request,
    first_contact_withdraw,
    invitation_accept,
    invitation_create,
    invitation_read,
    invitation_withdraw,
)
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


def test_inviting_someone_with_an_account_asks_for_their_consent(client, world):
    # Before, an existing account was added at once, without being asked (and the page said it had an account).
    client.force_login(world.initiative_admin)
    response = client.submit(invite_url(world.initiative), {"email": world.reviewer.email, "role": "drafter"})
    assert response.status_code == 302
    assert not Membership.objects.filter(user=world.reviewer, organisation=world.initiative).exists()
    page = client.get(members_url(world.initiative)).content.decode()
    assert f"We hebben een uitnodiging gestuurd naar {world.reviewer.email}" in page
    notification = Notification.objects.get(kind=NotificationKind.INVITATION)
    assert notification.recipient == world.reviewer and notification.context["has_account"] is True
    link = path_of(notification.context["accept_url"])

    # The link asks to sign in as that account; someone else signed in cannot accept it.
    client.force_login(world.drafter)
    assert client.submit(link).status_code == 403
    client.logout()
    assert "Log in met dat adres" in client.get(link).content.decode()
    client.force_login(world.reviewer)
    assert "Uitnodiging aannemen" in client.get(link).content.decode()
    response = client.submit(link)
    assert response.status_code == 302
    assert Membership.objects.filter(
        user=world.reviewer, organisation=world.initiative, role=MembershipRole.DRAFTER
    ).exists()
    assert Invitation.objects.get().status == Invitation.Status.ACCEPTED


def test_the_answer_is_the_same_whether_the_address_has_an_account_or_not(client, world):
    client.force_login(world.initiative_admin)
    messages = []
    for email in (world.reviewer.email, "niemand@example.org"):
        response = client.submit(invite_url(world.initiative), {"email": email, "role": "drafter"}, follow=True)
        messages.append(response.content.decode().replace(email, "ADRES"))
    assert "We hebben een uitnodiging gestuurd naar ADRES" in messages[0]
    assert messages[0].count("ADRES") == messages[1].count("ADRES")


def test_invitations_are_listed_and_the_admin_withdraws_one(client, world):
    result = _invite(world)
    client.force_login(world.initiative_admin)
    page = client.get(members_url(world.initiative)).content.decode()
    assert "nieuw@example.org" in page and "verstuurd" in page
    withdraw = f"/organisaties/{world.initiative.pk}/uitnodigingen/{result.invitation.pk}/intrekken/"
    assert f'action="{withdraw}"' in page  # the button the admin presses
    assert client.post(withdraw).status_code == 403  # CSRF
    assert client.submit(withdraw).status_code == 302
    assert Invitation.objects.get().status == Invitation.Status.WITHDRAWN
    response = type(client)().get(path_of(result.accept_url))
    assert response.status_code == 409 and "ingetrokken" in response.content.decode()
    assert client.submit(withdraw, follow=True).status_code == 200  # a second time: said, not a 500
    assert MembershipEvent.objects.filter(action="invitation_withdrawn").count() == 1


def test_only_the_admin_withdraws_an_invitation(client, world):
    result = _invite(world)
    with pytest.raises(NotPermitted):
        invitation_withdraw(actor=world.drafter, invitation=result.invitation)
    client.force_login(world.drafter)
    assert (
        client.submit(
            f"/organisaties/{world.initiative.pk}/uitnodigingen/{result.invitation.pk}/intrekken/"
        ).status_code
        == 404
    )


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
    (membership,) = invitation_accept(token=result.token, full_name="Pien Penning", password="lange-zin-met-woorden")
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


def test_a_name_is_one_line(client, world):
    result = _invite(world)
    data = {
        "full_name": "Nina\nNieuw",
        "preferred_language": "nl",
        "password1": "lange-zin-met-woorden",
        "password2": "lange-zin-met-woorden",
    }
    response = client.submit(path_of(result.accept_url), data)
    assert response.status_code == 400
    assert "één regel" in response.content.decode()
    with pytest.raises(InvalidInput) as error:
        invitation_accept(token=result.token, full_name="Nina\rNieuw", password="lange-zin-met-woorden")
    assert "full_name" in error.value.errors
    assert not User.objects.filter(email="nieuw@example.org").exists()


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


def test_an_old_link_has_expired(client, world):
    result = _invite(world, email="laat@example.org")
    Invitation.objects.filter(pk=result.invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.get(path_of(result.accept_url))
    assert response.status_code == 409
    assert "verlopen" in response.content.decode()


def test_only_a_hash_of_the_link_is_stored(world):
    result = _invite(world)
    stored = Invitation.objects.get()
    assert result.token not in stored.token_hash and len(stored.token_hash) == 64


def test_a_link_dies_when_the_inviter_is_no_longer_admin(client, world):
    result = _invite(world)
    Membership.objects.filter(user=world.initiative_admin, role=MembershipRole.ADMIN).delete()
    with pytest.raises(Conflict):
        invitation_read(token=result.token)


# --- the first contact of a municipality ------------------------------------------------------


def _ask_first_contact(client, world, email="ambtenaar@leeg.nl"):
    empty = OrganisationFactory(municipality=True, name="Gemeente Leeg", cbs_code="GM0216")
    client.force_login(world.drafter)
    response = client.submit("/gemeente-uitnodigen/", {"municipality": empty.pk, "email": email})
    return empty, response


def test_an_initiative_asks_and_nobody_gets_anything_before_staff_confirm(client, world):
    # Before, the initiative's request made the address the municipality's reviewer straight away.
    empty, response = _ask_first_contact(client, world)
    assert response.status_code == 302
    assert not Notification.objects.exists()  # no e-mail, so no link to accept
    invitation = Invitation.objects.get()
    assert invitation.status == Invitation.Status.AWAITING_CONFIRMATION
    assert invitation.requested_by_organisation == world.initiative
    with pytest.raises(NotFound):
        invitation_read(token="raad-maar")  # there is no token to use
    assert not Membership.objects.filter(organisation=empty).exists()
    event = MembershipEvent.objects.get(organisation=empty)
    assert (event.action, event.actor, event.subject_email) == (
        "first_contact_requested",
        world.drafter,
        invitation.email,
    )


def test_staff_confirm_against_the_domain_then_the_invitee_becomes_admin_and_reviewer(client, world, staff):
    empty, _response = _ask_first_contact(client, world)
    invitation = Invitation.objects.get()
    with pytest.raises(NotPermitted):
        first_contact_confirm(actor=world.initiative_admin, invitation=invitation, domain="leeg.nl")
    with pytest.raises(InvalidInput) as wrong:
        first_contact_confirm(actor=staff, invitation=invitation, domain="andere-gemeente.nl")
    assert list(wrong.value.errors) == ["domain"]
    result = first_contact_confirm(actor=staff, invitation=invitation, domain="@Leeg.nl ")
    notification = Notification.objects.get()
    assert notification.recipient_email == "ambtenaar@leeg.nl"
    assert notification.context["role_label"] == "beheerder, beoordelaar"
    memberships = invitation_accept(token=result.token, full_name="Anne Ambtenaar", password="lange-zin-met-woorden")
    assert {(m.organisation, m.role) for m in memberships} == {
        (empty, MembershipRole.ADMIN),
        (empty, MembershipRole.REVIEWER),
    }
    assert list(MembershipEvent.objects.filter(organisation=empty).values_list("action", flat=True)) == [
        "first_contact_requested",
        "first_contact_confirmed",
        "invitation_accepted",
    ]


def test_staff_page_lists_requests_and_confirms_by_form(client, world, staff):
    _empty, _response = _ask_first_contact(client, world)
    invitation = Invitation.objects.get()
    client.force_login(world.drafter)
    assert client.get("/beheer/eerste-contactpersonen/").status_code == 404
    client.force_login(staff)
    page = client.get("/beheer/eerste-contactpersonen/").content.decode()
    assert "ambtenaar@leeg.nl" in page and "Buurtwarmte Test-Oost" in page
    confirm = f"/beheer/eerste-contactpersonen/{invitation.pk}/bevestigen/"
    response = client.submit(confirm, {f"c{invitation.pk}-domain": "verkeerd.nl"})
    assert response.status_code == 400 and "hoort niet bij het domein" in response.content.decode()
    assert client.submit(confirm, {f"c{invitation.pk}-domain": "leeg.nl"}).status_code == 302
    assert Invitation.objects.get().status == Invitation.Status.PENDING


def test_staff_reject_a_request_and_take_back_an_accepted_first_contact(client, world, staff):
    empty, _response = _ask_first_contact(client, world)
    rejected = Invitation.objects.get()
    client.force_login(staff)
    assert client.submit(f"/beheer/eerste-contactpersonen/{rejected.pk}/afwijzen/").status_code == 302
    assert Invitation.objects.get(pk=rejected.pk).status == Invitation.Status.WITHDRAWN
    second = first_contact_request(actor=world.drafter, municipality=empty, email="tweede@leeg.nl")
    result = first_contact_confirm(actor=staff, invitation=second, domain="leeg.nl")
    (admin, *_rest) = invitation_accept(token=result.token, full_name="Tom Tweede", password="lange-zin-met-woorden")
    assert client.submit(f"/beheer/eerste-contactpersonen/{second.pk}/intrekken/").status_code == 302
    assert not Membership.objects.filter(organisation=empty).exists()
    with pytest.raises(Conflict):
        first_contact_withdraw(actor=staff, invitation=second)
    assert MembershipEvent.objects.filter(organisation=empty, action="first_contact_withdrawn").count() == 1


def test_first_contact_only_for_a_municipality_without_members(client, world):
    client.force_login(world.drafter)
    response = client.submit("/gemeente-uitnodigen/", {"municipality": world.municipality.pk, "email": "x@example.org"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()
    with pytest.raises(NotPermitted):
        first_contact_request(actor=world.drafter, municipality=world.municipality, email="x@example.org")


def test_only_an_admin_invites_into_an_organisation(world):
    # The initiative's way into an empty municipality is the request, never an invitation of its own.
    empty = OrganisationFactory(municipality=True, cbs_code="GM0344")
    with pytest.raises(NotPermitted):
        invitation_create(actor=world.drafter, organisation=empty, email="x@example.org", role=MembershipRole.REVIEWER)


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
def test_a_first_contact_request_answers_alike_for_any_address(client, world, who):
    # Before, an address with an account was refused with "already belongs to someone": a way to find out
    # who is in Samenkader. Now the answer is the same, and staff decide with the account in view.
    existing = getattr(world, who)
    answers = []
    for email in (existing.email.upper(), f"onbekend-{who}@example.org"):
        empty = OrganisationFactory(municipality=True)
        client.force_login(world.drafter)
        response = client.submit("/gemeente-uitnodigen/", {"municipality": empty.pk, "email": email}, follow=True)
        answers.append((response.status_code, response.content.decode().replace(empty.name, "GEMEENTE")))
    assert answers[0][0] == answers[1][0] == 200
    assert "Uw verzoek is doorgestuurd" in answers[0][1] and "Uw verzoek is doorgestuurd" in answers[1][1]
    assert not Notification.objects.exists()
    assert (
        not Membership.objects.filter(organisation__name__startswith="Gemeente", user=existing)
        .exclude(organisation=world.municipality)
        .exists()
    )


def test_staff_cannot_make_someone_of_the_asking_initiative_its_municipality_s_first_contact(world, staff):
    # Otherwise a drafter could make themselves (or a colleague) the municipality's reviewer.
    empty = OrganisationFactory(municipality=True, cbs_code="GM1940")
    invitation = first_contact_request(actor=world.drafter, municipality=empty, email=world.drafter.email)
    with pytest.raises(Conflict):
        first_contact_confirm(actor=staff, invitation=invitation, domain=world.drafter.email.rpartition("@")[2])
    assert Invitation.objects.get().status == Invitation.Status.AWAITING_CONFIRMATION


def test_the_takeover_path_is_closed_until_staff_confirm(client, world, staff):
    # Before: a drafter named any address as an empty municipality's first contact; that account at once
    # read every agreement other initiatives had with the municipality and could approve them.
    empty = OrganisationFactory(municipality=True, name="Gemeente Leeg", cbs_code="GM0217")
    other = AgreementFactory(initiative=world.other_initiative, municipality=empty, state="in_review", content=True)
    accomplice = User.objects.create_user(email="handlanger@leeg.nl", password=PASSWORD, full_name="Han Langer")
    invitation = first_contact_request(actor=world.drafter, municipality=empty, email=accomplice.email)
    client.force_login(accomplice)
    assert client.get(f"/afspraken/{other.reference}/").status_code == 404
    with pytest.raises(NotFound):
        agreement_approve(agreement=other, actor=accomplice)
    # Staff confirm; the person accepts after signing in, and only then reviews for the municipality.
    result = first_contact_confirm(actor=staff, invitation=invitation, domain="leeg.nl")
    invitation_accept(token=result.token, user=User.objects.get(pk=accomplice.pk))
    assert client.get(f"/afspraken/{other.reference}/").status_code == 200
