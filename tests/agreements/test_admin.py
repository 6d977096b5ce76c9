"""The admin shows the record but offers no way to change an agreement's state, a frozen version or a membership."""

import pytest
from django.contrib.admin import site
from django.test import RequestFactory
from django.utils import translation

from agreements.choices import AgreementState as S
from agreements.choices import MembershipAction, MembershipRole
from agreements.models import Membership, MembershipEvent, User
from tests.factories import AgreementFactory, OrganisationFactory, UserFactory


@pytest.fixture
def staff_client(client, db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def test_agreement_page_is_view_only(staff_client):
    agreement = AgreementFactory(in_review=True)
    url = f"/admin/agreements/agreement/{agreement.pk}/change/"
    response = staff_client.get(url)
    assert response.status_code == 200
    assert agreement.reference in response.content.decode()
    assert b'name="_save"' not in response.content
    response = staff_client.post(url, {"title": "Gewijzigd", "state": S.SIGNED})
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert (agreement.state, agreement.title) == (S.IN_REVIEW, agreement.title)


def test_no_admin_action_or_add_for_agreements(staff_client):
    response = staff_client.get("/admin/agreements/agreement/")
    assert response.status_code == 200
    assert b"/admin/agreements/agreement/add/" not in response.content
    assert staff_client.get("/admin/agreements/agreement/add/").status_code == 403


def test_frozen_version_is_view_only(staff_client):
    version = AgreementFactory(signed=True).frozen_version()
    response = staff_client.get(f"/admin/agreements/agreementversion/{version.pk}/change/")
    assert response.status_code == 200
    assert version.content_hash in response.content.decode()
    assert b'name="_save"' not in response.content


@pytest.mark.parametrize(
    "model",
    [
        "user",
        "organisation",
        "membership",
        "membershipevent",
        "agreement",
        "agreementversion",
        "comment",
        "signature",
        "auditevent",
        "signeddocument",
    ],
)
def test_every_model_has_an_admin_list(staff_client, model):
    assert staff_client.get(f"/admin/agreements/{model}/").status_code == 200


def test_staff_create_organisations(staff_client):
    response = staff_client.post(
        "/admin/agreements/organisation/add/",
        {
            "kind": "municipality",
            "name": "Gemeente Utrecht",
            "cbs_code": "GM0344",
            "province": "UT",
            "signing_quorum": 1,
            "four_eyes_signing": "on",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302


# --- memberships: shown, never edited here (the services keep the rules and write the member log) ---


@pytest.fixture
def membership(db):
    organisation = OrganisationFactory(name="Energie Testdorp")
    user = UserFactory(email="lid@example.org", full_name="Lia Lid")
    return Membership.objects.create(user=user, organisation=organisation, role=MembershipRole.ADMIN)


def test_membership_admin_is_view_only(staff_client, membership):
    model_admin = site._registry[Membership]
    request = RequestFactory().get("/")
    request.user = User.objects.get(is_superuser=True)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, membership)
    assert not model_admin.has_delete_permission(request, membership)
    assert model_admin.has_view_permission(request, membership)
    listing = staff_client.get("/admin/agreements/membership/")
    assert listing.status_code == 200
    assert b"/admin/agreements/membership/add/" not in listing.content
    assert "op de ledenpagina van die organisatie" in listing.content.decode()
    page = staff_client.get(f"/admin/agreements/membership/{membership.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_membership_admin_refuses_add_change_and_delete(staff_client, membership):
    other = UserFactory(email="ander@example.org")
    data = {"user": other.pk, "organisation": membership.organisation_id, "role": MembershipRole.ADMIN}
    assert staff_client.get("/admin/agreements/membership/add/").status_code == 403
    assert staff_client.post("/admin/agreements/membership/add/", data).status_code == 403
    url = f"/admin/agreements/membership/{membership.pk}/"
    assert staff_client.post(url + "change/", {**data, "role": MembershipRole.DRAFTER}).status_code == 403
    assert staff_client.post(url + "delete/", {"post": "yes"}).status_code == 403
    response = staff_client.post(
        "/admin/agreements/membership/",
        {"action": "delete_selected", "_selected_action": [membership.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert list(Membership.objects.values_list("user_id", "role")) == [(membership.user_id, MembershipRole.ADMIN)]


def test_organisation_and_user_pages_show_memberships_without_editing_them(staff_client, membership):
    organisation = membership.organisation
    page = staff_client.get(f"/admin/agreements/organisation/{organisation.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lia Lid" in html
    assert "op de ledenpagina van die organisatie" in html
    assert 'name="memberships-0-role"' not in html
    newcomer = UserFactory(email="nieuwkomer@example.org")
    response = staff_client.post(
        f"/admin/agreements/organisation/{organisation.pk}/change/",
        {
            "kind": organisation.kind,
            "name": organisation.name,
            "province": organisation.province,
            "signing_quorum": 1,
            "four_eyes_signing": "on",
            "memberships-TOTAL_FORMS": 1,
            "memberships-INITIAL_FORMS": 0,
            "memberships-0-user": newcomer.pk,
            "memberships-0-role": MembershipRole.ADMIN,
        },
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=newcomer).exists()
    user_page = staff_client.get(f"/admin/agreements/user/{membership.user_id}/change/")
    assert user_page.status_code == 200
    assert "Energie Testdorp" in user_page.content.decode()
    assert 'name="memberships-0-role"' not in user_page.content.decode()


def test_member_log_admin_is_view_only(staff_client, membership):
    event = MembershipEvent.objects.create(
        organisation=membership.organisation,
        subject=membership.user,
        subject_email=membership.user.email,
        action=MembershipAction.INVITED,
        roles_after="admin",
    )
    assert staff_client.get("/admin/agreements/membershipevent/").status_code == 200
    assert staff_client.get("/admin/agreements/membershipevent/add/").status_code == 403
    url = f"/admin/agreements/membershipevent/{event.pk}/"
    assert staff_client.get(url + "change/").status_code == 200
    assert staff_client.post(url + "change/", {"note": "herschreven"}).status_code == 403
    assert staff_client.post(url + "delete/", {"post": "yes"}).status_code == 403
    assert MembershipEvent.objects.get(pk=event.pk).note == ""


def test_the_admin_index_is_dutch_throughout(client, db):
    """The sign-in records of django-axes and the admin's own header have Dutch names, and English ones in English."""
    staff = UserFactory(is_staff=True, is_superuser=True, preferred_language="nl")
    client.force_login(staff)
    html = client.get("/admin/").content.decode()
    assert "Samenkader – beheer" in html and "Beheer van het platform" in html
    assert "Inlogbeveiliging" in html and "Mislukte inlogpogingen" in html and "Inlogmomenten" in html
    for english in ("Access attempts", "Access logs", "Access failures", ">Axes<"):
        assert english not in html
    staff.preferred_language = "en"
    staff.save()
    with translation.override("nl"):  # the request switches this thread to English; later tests expect Dutch
        html = client.get("/admin/").content.decode()
    assert "Samenkader administration" in html and "Failed sign-in attempts" in html
