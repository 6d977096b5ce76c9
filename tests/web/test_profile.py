"""One's own profile page: who one is, the language, the two-factor status, and how e-mails come."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from agreements.choices import MembershipRole
from agreements.models import Membership
from tests.factories import PASSWORD
from tests.web.agreement_support import text_of
from tests.web.test_two_factor import set_up_through_the_pages
from workflow.models import Delivery, NotificationPreference

pytestmark = pytest.mark.django_db


def _sign_in(client, user):
    client.force_login(user)
    return client


def _form_for(client) -> dict:
    """What the page's form would send as it stands: every checked radio button."""
    page = client.get(reverse("profile"))
    form = page.context["form"]
    return {name: form[name].value() for name in form.fields}


def test_every_signed_in_page_links_to_ones_profile(client, world):
    _sign_in(client, world.reviewer)
    home = text_of(client.get(reverse("home")))
    assert f'href="{reverse("profile")}"' in home and "Mijn profiel" in home
    assert "Inlogbeveiliging" not in home  # the header names the profile; the profile links to two-factor


def test_the_profile_shows_who_one_is_and_ones_settings(client, world):
    Membership.objects.create(user=world.reviewer, organisation=world.municipality, role=MembershipRole.SIGNATORY)
    _sign_in(client, world.reviewer)
    response = client.get(reverse("profile"))
    page = text_of(response)
    assert "<h1>Mijn profiel</h1>" in page
    assert "Rik Ambtenaar" in page and "reviewer@example.org" in page
    assert re.search(r"Gemeente Test: (beoordelaar, ondertekenaar|ondertekenaar, beoordelaar)</li>", page)
    assert "U logt in met alleen uw wachtwoord." in page
    assert f'href="{reverse("two_factor")}"' in page
    # Every kind of event, immediate unless chosen otherwise; what always comes at once is said, not listed.
    form = response.context["form"]
    deliveries = {name: form[name].value() for name in form.fields if name.startswith("delivery_")}
    assert len(deliveries) == 11 and set(deliveries.values()) == {Delivery.IMMEDIATE}
    assert "Handtekening gezet" in page and "Herinneringen, uitnodigingen" in page
    assert "Ondertekenen geblokkeerd" not in page
    assert 'name="delivery_signature_added" value="immediate"' in page


def test_the_profile_shows_two_factor_when_it_is_on(client, world):
    client.submit(reverse("login"), {"username": world.drafter.email, "password": PASSWORD})
    set_up_through_the_pages(client)
    page = text_of(client.get(reverse("profile")))
    assert "U logt in met uw wachtwoord en een code uit uw app." in page


def test_saving_a_preference_stores_it_and_the_page_shows_it(client, world):
    _sign_in(client, world.municipal_signer)
    data = _form_for(client)
    assert data["delivery_signature_added"] == Delivery.IMMEDIATE
    data["delivery_signature_added"] = Delivery.DIGEST
    data["delivery_approved"] = Delivery.DIGEST
    response = client.submit(reverse("profile"), data, follow=True)
    assert response.redirect_chain == [(reverse("profile"), 302)]
    page = text_of(response)
    assert "Uw instellingen zijn opgeslagen." in page
    assert dict(
        NotificationPreference.objects.filter(user=world.municipal_signer).values_list("event", "delivery")
    ) == {
        **{event: Delivery.IMMEDIATE for event in data_events(data)},
        "signature_added": Delivery.DIGEST,
        "approved": Delivery.DIGEST,
    }
    form = response.context["form"]
    assert form["delivery_signature_added"].value() == Delivery.DIGEST
    assert form["delivery_submitted"].value() == Delivery.IMMEDIATE


def data_events(data: dict) -> list[str]:
    return [name.removeprefix("delivery_") for name in data if name.startswith("delivery_")]


def test_the_language_is_changed_on_the_profile(client, world):
    _sign_in(client, world.reviewer)
    data = _form_for(client)
    data["preferred_language"] = "en"
    response = client.submit(reverse("profile"), data, follow=True)
    world.reviewer.refresh_from_db()
    assert world.reviewer.preferred_language == "en"
    page = text_of(response)
    assert "Your settings have been saved." in page
    assert "<h1>My profile</h1>" in page


def test_a_wrong_value_is_refused_and_nothing_is_saved(client, world):
    _sign_in(client, world.reviewer)
    data = _form_for(client)
    data["delivery_signed"] = "weekly"
    response = client.submit(reverse("profile"), data)
    assert response.status_code == 400
    assert NotificationPreference.objects.count() == 0


def test_signed_out_the_profile_asks_to_sign_in(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
