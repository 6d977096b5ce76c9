"""The member log: every membership change writes one line, and the organisation's admin can read them."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from agreements.choices import MembershipAction, MembershipRole
from agreements.models import Membership, MembershipEvent, User
from tests.factories import member
from workflow.core.exceptions import Conflict, NotPermitted
from workflow.core.request_meta import RequestMeta
from workflow.members.services.invitations import invitation_create
from workflow.members.services.memberships import member_remove, member_update

pytestmark = pytest.mark.django_db

IP = "203.0.113.7"
BROWSER = "Testbrowser/1.0"
FROM_BROWSER = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": BROWSER}


def members_url(organisation) -> str:
    return f"/organisaties/{organisation.pk}/leden/"


def log_url(organisation) -> str:
    return f"/organisaties/{organisation.pk}/logboek/"


def edit_url(world, user) -> str:
    return f"/organisaties/{world.initiative.pk}/leden/{user.pk}/"


def only_event(**expected) -> MembershipEvent:
    """The one line in the log; checks the fields every line has from a browser, and ``expected``."""
    events = list(MembershipEvent.objects.all())
    assert len(events) == 1, events
    event = events[0]
    assert (event.ip_address, event.user_agent) == (IP, BROWSER)
    for name, value in expected.items():
        assert getattr(event, name) == value, name
    return event


# --- each change writes one line ----------------------------------------------------------


def test_inviting_a_new_person_writes_one_invited_line(client, world):
    client.force_login(world.initiative_admin)
    response = client.submit(
        f"/organisaties/{world.initiative.pk}/uitnodigen/",
        {"email": "Nieuw@Example.org", "role": "drafter"},
        **FROM_BROWSER,
    )
    assert response.status_code == 302
    only_event(
        organisation=world.initiative,
        actor=world.initiative_admin,
        subject=None,
        subject_email="nieuw@example.org",
        action=MembershipAction.INVITED,
        roles_before="",
        roles_after="drafter",
        mandate_until=None,
    )


def test_inviting_an_existing_account_writes_one_invited_line(client, world):
    client.force_login(world.initiative_admin)
    until = timezone.localdate() + dt.timedelta(days=30)
    response = client.submit(
        f"/organisaties/{world.initiative.pk}/uitnodigen/",
        {"email": world.reviewer.email, "role": "signatory", "mandate_until": until.isoformat()},
        **FROM_BROWSER,
    )
    assert response.status_code == 302
    # Invited, not added: the person joins by accepting (tests/web/test_members.py).
    assert not Membership.objects.filter(user=world.reviewer, organisation=world.initiative).exists()
    only_event(
        organisation=world.initiative,
        actor=world.initiative_admin,
        subject=world.reviewer,
        subject_email=world.reviewer.email,
        action=MembershipAction.INVITED,
        roles_before="",
        roles_after="signatory",
        mandate_until=until,
    )


def test_asking_for_a_first_contact_writes_one_line_in_the_municipality_log(client, world):
    from tests.factories import OrganisationFactory

    empty = OrganisationFactory(municipality=True, cbs_code="GM1940")
    client.force_login(world.drafter)
    response = client.submit(
        "/gemeente-uitnodigen/", {"municipality": empty.pk, "email": "contact@gemeente.example"}, **FROM_BROWSER
    )
    assert response.status_code == 302
    only_event(
        organisation=empty,
        actor=world.drafter,
        subject_email="contact@gemeente.example",
        action=MembershipAction.FIRST_CONTACT_REQUESTED,
        roles_after="reviewer,admin",
    )


def test_accepting_an_invitation_writes_one_accepted_line(client, world):
    result = invitation_create(
        actor=world.initiative_admin, organisation=world.initiative, email="nieuw@example.org", role="drafter"
    )
    invited = MembershipEvent.objects.get()
    assert (invited.action, invited.ip_address, invited.user_agent) == (MembershipAction.INVITED, None, "")
    response = client.submit(
        urlsplit(result.accept_url).path,
        {
            "full_name": "Nina Nieuw",
            "preferred_language": "nl",
            "password1": "lange-zin-met-woorden",
            "password2": "lange-zin-met-woorden",
        },
        **FROM_BROWSER,
    )
    assert response.status_code == 302
    newcomer = User.objects.get(email="nieuw@example.org")
    events = list(MembershipEvent.objects.exclude(pk=invited.pk))
    assert len(events) == 1
    accepted = events[0]
    assert accepted.action == MembershipAction.INVITATION_ACCEPTED
    assert (accepted.actor, accepted.subject, accepted.subject_email) == (newcomer, newcomer, "nieuw@example.org")
    assert (accepted.roles_before, accepted.roles_after) == ("", "drafter")
    assert (accepted.ip_address, accepted.user_agent) == (IP, BROWSER)
    assert accepted.organisation == world.initiative


def test_changing_roles_writes_one_roles_changed_line(client, world):
    client.force_login(world.initiative_admin)
    until = timezone.localdate() + dt.timedelta(days=90)
    response = client.submit(
        edit_url(world, world.drafter),
        {"roles": ["drafter", "signatory"], "mandate_until": until.isoformat()},
        **FROM_BROWSER,
    )
    assert response.status_code == 302
    only_event(
        organisation=world.initiative,
        actor=world.initiative_admin,
        subject=world.drafter,
        subject_email=world.drafter.email,
        action=MembershipAction.ROLES_CHANGED,
        roles_before="drafter",
        roles_after="drafter,signatory",
        mandate_until=until,
    )


def test_changing_only_the_mandate_writes_one_mandate_changed_line(client, world):
    client.force_login(world.initiative_admin)
    until = timezone.localdate() + dt.timedelta(days=10)
    response = client.submit(
        edit_url(world, world.initiative_signer1),
        {"roles": ["signatory"], "mandate_until": until.isoformat()},
        **FROM_BROWSER,
    )
    assert response.status_code == 302
    only_event(
        actor=world.initiative_admin,
        subject=world.initiative_signer1,
        action=MembershipAction.MANDATE_CHANGED,
        roles_before="signatory",
        roles_after="signatory",
        mandate_until=until,
    )


def test_saving_roles_without_a_change_writes_nothing(client, world):
    client.force_login(world.initiative_admin)
    response = client.submit(edit_url(world, world.drafter), {"roles": ["drafter"]}, **FROM_BROWSER)
    assert response.status_code == 302
    assert not MembershipEvent.objects.exists()


def test_removing_a_member_writes_one_removed_line(client, world):
    client.force_login(world.initiative_admin)
    response = client.submit(edit_url(world, world.drafter) + "verwijderen/", **FROM_BROWSER)
    assert response.status_code == 302
    only_event(
        organisation=world.initiative,
        actor=world.initiative_admin,
        subject=world.drafter,
        subject_email=world.drafter.email,
        action=MembershipAction.REMOVED,
        roles_before="drafter",
        roles_after="",
        mandate_until=None,
    )


def test_the_line_outlives_the_account_of_the_person_it_is_about(world):
    member_remove(
        actor=world.initiative_admin,
        organisation=world.initiative,
        member=world.drafter,
        request_meta=RequestMeta(ip_address=IP, user_agent=BROWSER),
    )
    event = MembershipEvent.objects.get()
    world.drafter.delete()
    event = MembershipEvent.objects.get(pk=event.pk)
    assert (event.subject, event.subject_email) == (None, "drafter@example.org")


# --- a refused change writes nothing ------------------------------------------------------------


def test_a_refused_change_writes_nothing(client, world):
    client.force_login(world.initiative_admin)
    # The last admin can neither be removed nor give up the admin role.
    response = client.submit(edit_url(world, world.initiative_admin) + "verwijderen/", **FROM_BROWSER)
    assert response.status_code == 302
    assert Membership.objects.filter(user=world.initiative_admin, role=MembershipRole.ADMIN).exists()
    response = client.submit(edit_url(world, world.initiative_admin), {"roles": ["drafter"]}, **FROM_BROWSER)
    assert response.status_code == 400
    # Already a drafter: the invitation is refused.
    response = client.submit(
        f"/organisaties/{world.initiative.pk}/uitnodigen/",
        {"email": world.drafter.email, "role": "drafter"},
        **FROM_BROWSER,
    )
    assert response.status_code == 400
    with pytest.raises(Conflict):
        member_remove(actor=world.initiative_admin, organisation=world.initiative, member=world.initiative_admin)
    with pytest.raises(NotPermitted):
        member_update(actor=world.drafter, organisation=world.initiative, member=world.drafter, roles=["admin"])
    assert not MembershipEvent.objects.exists()


# --- the log page -------------------------------------------------------------------------------


def test_admin_reads_the_log_newest_first(client, world):
    client.force_login(world.initiative_admin)
    client.submit(edit_url(world, world.drafter), {"roles": ["drafter", "reviewer"]}, **FROM_BROWSER)
    client.submit(edit_url(world, world.drafter) + "verwijderen/", **FROM_BROWSER)
    # Another organisation's line stays out of this log.
    member_remove(actor=world.initiative_admin, organisation=world.initiative, member=world.initiative_signer2)
    other_admin = member(world.other_initiative, MembershipRole.ADMIN, email="admin-anders@example.org")
    member_remove(actor=other_admin, organisation=world.other_initiative, member=world.outsider)

    response = client.get(log_url(world.initiative))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Logboek leden van Buurtwarmte Test-Oost" in html
    assert '<th scope="col">Rollen vooraf</th>' in html
    assert "3 regels in het logboek" in html
    actions = re.findall(r'<td data-label="Wat">(.*?)</td>', html)
    assert actions == ["Verwijderd", "Verwijderd", "Rollen gewijzigd"]
    assert html.index("bestuur2@example.org") < html.index("drafter@example.org")
    assert "opsteller, beoordelaar" in html
    assert world.outsider.email not in html


def test_log_page_shows_fifty_lines_a_page(client, world):
    MembershipEvent.objects.bulk_create(
        [
            MembershipEvent(
                organisation=world.initiative,
                actor=world.initiative_admin,
                subject_email=f"persoon{n:02d}@example.org",
                action=MembershipAction.INVITED,
                roles_after="drafter",
                at=timezone.now() - dt.timedelta(minutes=n),
            )
            for n in range(51)
        ]
    )
    client.force_login(world.initiative_admin)
    first = client.get(log_url(world.initiative)).content.decode()
    assert first.count("<tr>") == 51  # the header row and fifty lines
    assert "persoon00@example.org" in first and "persoon50@example.org" not in first
    assert "Pagina 1 van 2" in first
    second = client.get(log_url(world.initiative) + "?pagina=2").content.decode()
    assert "persoon50@example.org" in second and "persoon00@example.org" not in second


def test_the_member_list_links_to_the_log(client, world):
    client.force_login(world.initiative_admin)
    assert log_url(world.initiative) in client.get(members_url(world.initiative)).content.decode()


@pytest.mark.parametrize("who", ["drafter", "initiative_signer1"])
def test_a_member_who_is_not_admin_is_refused_the_log(client, world, who):
    client.force_login(getattr(world, who))
    response = client.get(log_url(world.initiative))
    assert response.status_code == 403
    assert "kan het logboek leden lezen" in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "reviewer", "advisor"])
def test_for_people_outside_the_organisation_the_log_does_not_exist(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(log_url(world.initiative)).status_code == 404


def test_admin_of_another_organisation_cannot_read_this_log(client, world):
    other_admin = member(world.other_initiative, MembershipRole.ADMIN, email="admin-anders@example.org")
    client.force_login(other_admin)
    assert client.get(log_url(world.initiative)).status_code == 404
    assert client.get("/organisaties/999999/logboek/").status_code == 404


def test_log_page_needs_sign_in(client, world):
    response = client.get(log_url(world.initiative))
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/?next=")


def test_log_page_in_english(client, world):
    member_remove(actor=world.initiative_admin, organisation=world.initiative, member=world.drafter)
    User.objects.filter(pk=world.initiative_admin.pk).update(preferred_language="en")
    client.force_login(User.objects.get(pk=world.initiative_admin.pk))
    html = client.get(log_url(world.initiative)).content.decode()
    assert "Member log of Buurtwarmte Test-Oost" in html
    assert "Roles before" in html
    assert "Removed" in html
    assert "drafter" in html
