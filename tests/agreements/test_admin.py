"""The admin shows the record but offers no way to change an agreement's state or a frozen version."""

import pytest

from agreements.choices import AgreementState as S
from tests.factories import AgreementFactory, UserFactory


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
