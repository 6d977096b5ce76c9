"""Signing: what is shown, authority and password, the hash the page showed, quorum and four eyes."""

from __future__ import annotations

import pytest

from agreements.choices import AgreementState as S
from agreements.models import Signature
from tests.factories import PASSWORD
from tests.web.agreement_support import agreement_in, text_of, url

pytestmark = pytest.mark.django_db


def _sign(client, agreement, person, **overrides):
    client.force_login(person)
    data = {"content_hash": agreement.frozen_version().content_hash, "authorised": "on", "password": PASSWORD}
    data.update(overrides)
    return client.submit(url("sign", agreement), data)


def test_the_page_shows_exactly_what_is_signed(client, world):
    agreement = agreement_in(world, S.APPROVED)
    version = agreement.frozen_version()
    client.force_login(world.initiative_signer1)
    html = text_of(client.get(url("sign", agreement)))
    assert version.content_hash in html
    assert f'name="content_hash" value="{version.content_hash}"' in html
    assert "Versie 1 ondertekenen" in html
    assert world.initiative.name in html and world.municipality.name in html
    assert "bevoegd" in html and 'type="password"' in html


def test_sign_and_see_who_else_still_has_to_sign(client, world):
    agreement = agreement_in(world, S.APPROVED)
    response = _sign(client, agreement, world.initiative_signer1)
    assert response["Location"] == url("sign", agreement)
    signature = Signature.objects.get()
    assert signature.signer == world.initiative_signer1 and signature.party == world.initiative
    html = text_of(client.get(response["Location"]))
    assert "U heeft getekend. Hieronder ziet u wie nog moet tekenen." in html
    assert "1 van 2 handtekeningen" in html  # the initiative's quorum is 2
    assert "Er is nog 1 handtekening nodig." in html
    assert "0 van 1 handtekening" in html  # the municipality
    # Signing twice is not offered and not possible.
    assert 'name="password"' not in html
    assert _sign(client, agreement, world.initiative_signer1).status_code == 302
    assert Signature.objects.count() == 1


def test_the_last_signature_makes_it_signed(client, world):
    agreement = agreement_in(world, S.APPROVED)
    for person in (world.initiative_signer1, world.initiative_signer2, world.municipal_signer):
        assert _sign(client, agreement, person).status_code == 302
    agreement.refresh_from_db()
    assert agreement.state == S.SIGNED
    html = text_of(client.get(url("detail", agreement)))
    assert "De afspraak is ondertekend op" in html
    assert "2 van 2 handtekeningen" in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "wrong-password"}, "Dit wachtwoord klopt niet."),
        ({"password": ""}, "Vul uw wachtwoord in."),
        ({"authorised": ""}, "Bevestig dat u bevoegd bent om voor uw organisatie te tekenen."),
    ],
)
def test_authority_and_password_are_field_errors(client, world, overrides, message):
    agreement = agreement_in(world, S.APPROVED)
    response = _sign(client, agreement, world.municipal_signer, **overrides)
    assert response.status_code == 400
    html = text_of(response)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert not Signature.objects.exists()


def test_a_changed_text_is_not_signed(client, world):
    agreement = agreement_in(world, S.APPROVED)
    response = _sign(client, agreement, world.municipal_signer, content_hash="0" * 64)
    assert response.status_code == 409
    assert "De tekst is veranderd sinds u de pagina opende." in text_of(response)
    assert not Signature.objects.exists()


def test_reopened_before_signing_is_a_friendly_conflict(client, world):
    agreement = agreement_in(world, S.APPROVED)
    client.force_login(world.municipal_signer)
    shown = text_of(client.get(url("sign", agreement)))
    assert "ondertekenen" in shown
    client.force_login(world.reviewer)
    client.submit(url("reopen", agreement))
    response = _sign(client, agreement, world.municipal_signer)
    assert response.status_code == 409
    html = text_of(response)
    assert "concept" in html
    assert not Signature.objects.exists()
