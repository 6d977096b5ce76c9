"""Submitting and approving go through a confirmation page that says what happens next and who acts then."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from agreements.choices import AgreementState as S
from agreements.choices import MembershipRole
from agreements.models import Agreement, Comment, Membership
from tests.factories import member
from tests.web.agreement_support import agreement_in, text_of, url

pytestmark = pytest.mark.django_db


def test_the_agreement_page_links_to_the_submit_confirmation_instead_of_posting(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    html = text_of(client.get(url("detail", agreement)))
    assert f'href="{url("submit_confirm", agreement)}"' in html
    assert f'action="{url("submit", agreement)}"' not in html


def test_submit_confirmation_names_the_reviewers_and_what_happens(client, world):
    agreement = agreement_in(world, S.DRAFT)
    Agreement.objects.filter(pk=agreement.pk).update(review_due_date=dt.date(2031, 5, 20))
    client.force_login(world.drafter)
    response = client.get(url("submit_confirm", agreement))
    assert response.status_code == 200
    html = text_of(response)
    assert "Deze beoordelaars van Gemeente Test krijgen een e-mail:" in html
    assert f"<li>{world.reviewer.full_name}</li>" in html
    assert f"<li>{world.reviewer2}</li>" in html
    assert "kan niemand de afspraak bewerken" in html
    assert "U vraagt om een beoordeling vóór 20 mei 2031." in html
    assert f'action="{url("submit", agreement)}"' in html
    # Looking is not submitting.
    agreement.refresh_from_db()
    assert agreement.state == S.DRAFT


def test_submit_confirmation_names_the_municipality_when_it_has_no_reviewer_yet(client, world):
    Membership.objects.filter(organisation=world.municipality, role=MembershipRole.REVIEWER).delete()
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    html = text_of(client.get(url("submit_confirm", agreement)))
    assert "Gemeente Test heeft nog geen beoordelaar in Samenkader." in html
    assert "U heeft geen datum opgegeven" in html


def test_submit_confirmation_of_incomplete_content_lists_what_is_missing_and_offers_no_button(client, world):
    agreement = agreement_in(world, S.DRAFT, content=False)
    client.force_login(world.drafter)
    response = client.get(url("submit_confirm", agreement))
    assert response.status_code == 200
    html = text_of(response)
    assert "Nog nodig voordat u kunt indienen:" in html
    assert f'action="{url("submit", agreement)}"' not in html


@pytest.mark.parametrize(
    ("state", "person", "expected"),
    [(S.DRAFT, "reviewer", 403), (S.DRAFT, "outsider", 404), (S.IN_REVIEW, "drafter", 409)],
)
def test_submit_confirmation_refuses_like_the_action(client, world, state, person, expected):
    agreement = agreement_in(world, state)
    client.force_login(getattr(world, person))
    assert client.get(url("submit_confirm", agreement)).status_code == expected


def test_approve_confirmation_says_what_approving_means_and_who_signs(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    member(
        world.municipality, MembershipRole.SIGNATORY, email="vervangen@example.org", full_name="Vera Vervangen"
    ).memberships.filter(role=MembershipRole.SIGNATORY).update(mandate_until=dt.date(2000, 1, 1))
    member(world.initiative, MembershipRole.SIGNATORY, email="tijdelijk@example.org", full_name="Tom Tijdelijk")
    Membership.objects.filter(user__email="tijdelijk@example.org").update(mandate_until=dt.date(2099, 12, 31))
    client.force_login(world.reviewer)
    html = text_of(client.get(url("detail", agreement)))
    assert f'href="{url("approve_confirm", agreement)}"' in html
    assert f'action="{url("approve", agreement)}"' not in html

    response = client.get(url("approve_confirm", agreement))
    assert response.status_code == 200
    html = text_of(response)
    assert "De ondertekening begint" in html
    assert "De inhoud van versie 1 ligt vast." in html
    assert "Niemand kan de afspraak daarna nog bewerken" in html
    assert "Nodig: 2 handtekeningen." in html  # the initiative's quorum
    for name in ("Bea Bestuur", "Bart Bestuur", "Wendy Wethouder"):
        assert f"<li>{name} – ondertekenaar</li>" in html
    assert "Tom Tijdelijk – ondertekenaar, mandaat tot en met 31 december 2099" in html
    assert "Vera Vervangen" not in html  # her mandate has ended: she will not be asked
    assert f'action="{url("approve", agreement)}"' in html
    agreement.refresh_from_db()
    assert agreement.state == S.IN_REVIEW


def test_approve_confirmation_with_open_comments_says_so_and_has_no_button(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    Comment.objects.create(version=agreement.frozen_version(), author=world.reviewer, body="Nog een vraag")
    client.force_login(world.reviewer)
    response = client.get(url("approve_confirm", agreement))
    assert response.status_code == 409
    html = text_of(response)
    assert "Goedkeuren kan pas als alle opmerkingen zijn afgehandeld." in html
    assert f'action="{url("approve", agreement)}"' not in html


@pytest.mark.parametrize(
    ("state", "person", "expected"),
    [(S.IN_REVIEW, "drafter", 403), (S.IN_REVIEW, "other_reviewer", 404), (S.APPROVED, "reviewer", 409)],
)
def test_approve_confirmation_refuses_like_the_action(client, world, state, person, expected):
    agreement = agreement_in(world, state)
    client.force_login(getattr(world, person))
    assert client.get(url("approve_confirm", agreement)).status_code == expected


def _form_action(html: str) -> str:
    return re.search(r'<form method="post" action="([^"]+)"', html).group(1)


def test_the_button_on_each_confirmation_page_does_it(client, world):
    agreement = agreement_in(world, S.DRAFT)
    client.force_login(world.drafter)
    action = _form_action(text_of(client.get(url("submit_confirm", agreement))))
    assert client.submit(action).status_code == 302
    agreement.refresh_from_db()
    assert agreement.state == S.IN_REVIEW
    client.force_login(world.reviewer)
    action = _form_action(text_of(client.get(url("approve_confirm", agreement))))
    assert client.submit(action).status_code == 302
    agreement.refresh_from_db()
    assert agreement.state == S.APPROVED
