"""Signing: what is shown, authority and password, the hash the page showed, quorum and four eyes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agreements.choices import AgreementState as S
from agreements.models import Signature
from tests.factories import PASSWORD
from tests.web.agreement_support import agreement_in, text_of, url
from workflow.core.security_log import security_log_purge
from workflow.models import Notification, SecurityEvent

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
    assert "0 van 1 handtekeningen" not in html  # the noun agrees with the number required
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


# --- the step-up is no password oracle, and it is throttled per account --------------------------


@pytest.mark.parametrize("who", ["advisor", "reviewer", "drafter"])
def test_someone_who_may_not_sign_learns_nothing_about_the_password(client, world, who):
    # Before: wrong password -> 400, right password -> 403, at any speed, for any viewer.
    agreement = agreement_in(world, S.APPROVED)
    agreement.advisors.through.objects.create(
        agreement=agreement, organisation=world.advisor_org, granted_by=world.drafter
    )
    person = getattr(world, who)
    wrong = _sign(client, agreement, person, password="raden-123")
    right = _sign(client, agreement, person, password=PASSWORD)
    assert wrong.status_code == right.status_code == 403
    assert not SecurityEvent.objects.exists()


def test_a_signatory_learns_nothing_either_while_the_state_does_not_allow_signing(client, world):
    agreement = agreement_in(world, S.IN_REVIEW)
    # The page answers 409 before it reads the password.
    assert (
        _sign(client, agreement, world.initiative_signer1, content_hash="0" * 64, password="raden").status_code == 409
    )
    assert _sign(client, agreement, world.initiative_signer1, content_hash="0" * 64).status_code == 409
    assert not SecurityEvent.objects.exists()


def test_wrong_passwords_at_signing_block_signing_only_and_tell_the_admin(client, world, settings):
    settings.SIGNING_STEP_UP_FAILURE_LIMIT = 3
    agreement = agreement_in(world, S.APPROVED)
    for attempt in range(2):
        response = _sign(client, agreement, world.initiative_signer1, password=f"fout-{attempt}")
        assert response.status_code == 400 and "Dit wachtwoord klopt niet" in text_of(response)
    response = _sign(client, agreement, world.initiative_signer1, password="fout-3")
    assert response.status_code == 400 and "geblokkeerd" in text_of(response)
    # Blocked: even the right password does not sign now.
    response = _sign(client, agreement, world.initiative_signer1)
    assert response.status_code == 403 and "tijdelijk geblokkeerd" in text_of(response)
    assert not Signature.objects.exists()
    # The security log has each failure and the block, outside the agreement log.
    kinds = sorted(SecurityEvent.objects.values_list("kind", flat=True))
    assert kinds == ["signing_locked"] + ["signing_step_up_failed"] * 3
    assert not agreement.audit_events.filter(note__icontains="wachtwoord").exists()
    # The person and their organisation's admin are told.
    told = set(Notification.objects.filter(event="signing_locked").values_list("recipient_email", flat=True))
    assert told == {world.initiative_signer1.email, world.initiative_admin.email}
    # Signing in is a counter of its own: it still works.
    client.logout()
    response = client.submit("/inloggen/", {"username": world.initiative_signer1.email, "password": PASSWORD})
    assert response.status_code == 302
    # Another signatory is not blocked.
    assert _sign(client, agreement, world.initiative_signer2).status_code == 302


def test_the_security_log_is_purged_after_its_retention(world, settings):
    settings.SECURITY_LOG_RETENTION_DAYS = 30
    old = SecurityEvent.objects.create(kind="signing_step_up_failed", user=world.drafter)
    SecurityEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=31))
    SecurityEvent.objects.create(kind="signing_step_up_failed", user=world.drafter)
    assert security_log_purge() == 1
    assert SecurityEvent.objects.count() == 1
