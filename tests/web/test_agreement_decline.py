"""Declining to sign on the signing page: a reason is required, and the drafters find it on top."""

from __future__ import annotations

import pytest

from agreements.choices import AgreementState as S
from agreements.choices import AuditAction
from agreements.models import AuditEvent, Signature
from tests.factories import PASSWORD
from tests.web.agreement_support import agreement_in, text_of, url
from workflow.lifecycle.forms import NOTE_MAX
from workflow.models import Notification

pytestmark = pytest.mark.django_db

REASON = "Wij tekenen niet: het budget voor de wijkaanpak ontbreekt in deze versie."


@pytest.fixture
def approved(client, world):
    """Approved, with one signature collected (the initiative's first signatory)."""
    agreement = agreement_in(world, S.APPROVED)
    client.force_login(world.initiative_signer1)
    data = {"content_hash": agreement.frozen_version().content_hash, "authorised": "on", "password": PASSWORD}
    assert client.submit(url("sign", agreement), data).status_code == 302
    return agreement


def decline(client, agreement, person, reason):
    client.force_login(person)
    return client.submit(url("decline", agreement), {"reason": reason})


def test_the_signing_page_offers_declining_beside_signing(client, world, approved):
    client.force_login(world.municipal_signer)
    html = text_of(client.get(url("sign", approved)))
    assert 'id="niet-tekenen"' in html and "Niet ondertekenen" in html
    assert f'action="{url("decline", approved)}#niet-tekenen"' in html
    assert "Waarom tekent u niet?" in html and 'name="reason"' in html
    assert "Niet ondertekenen en terugsturen" in html
    # Whoever signed already is not offered it: they no longer may sign now.
    client.force_login(world.initiative_signer1)
    assert 'id="niet-tekenen"' not in text_of(client.get(url("sign", approved)))


def test_declining_sends_it_back_and_the_drafter_reads_the_reason_on_top(client, world, approved):
    response = decline(client, approved, world.municipal_signer, REASON)
    assert response.status_code == 302 and response["Location"] == f"{url('detail', approved)}#teruggestuurd"
    html = text_of(client.get(response["Location"]))
    assert "U tekent niet. De afspraak is terug bij de opstellers en beoordelaars" in html
    approved.refresh_from_db()
    assert approved.state == S.DRAFT
    signature = Signature.objects.get()
    assert signature.is_void and signature.void_reason == REASON  # kept, declared void
    assert AuditEvent.objects.filter(agreement=approved, action=AuditAction.DECLINED_TO_SIGN).count() == 1

    client.force_login(world.drafter)
    html = text_of(client.get(url("detail", approved)))
    panel = html[html.index('id="teruggestuurd"') : html.index("</section>", html.index('id="teruggestuurd"'))]
    assert "Een ondertekenaar weigert te tekenen" in panel
    assert "Wendy Wethouder op" in panel and REASON in panel
    assert html.index('id="teruggestuurd"') < html.index('id="acties"')  # on top
    # The timeline says what happened, and how many signatures became void.
    assert "<strong>Ondertekening geweigerd</strong> – Wendy Wethouder" in html
    assert "1 verzamelde handtekening is vervallen." in html


def test_the_timeline_reads_in_english_for_an_english_reader(client, world, approved):
    decline(client, approved, world.municipal_signer, REASON)
    world.drafter.preferred_language = "en"
    world.drafter.save(update_fields=["preferred_language"])
    client.force_login(world.drafter)
    html = text_of(client.get(url("detail", approved)))
    assert "A signatory declines to sign" in html
    assert "<strong>Declined to sign</strong> – Wendy Wethouder" in html
    assert "1 collected signature has lapsed." in html


@pytest.mark.parametrize("reason", ["", "   "])
def test_without_a_reason_the_page_says_so_in_dutch_and_nothing_happens(client, world, approved, reason):
    Notification.objects.all().delete()
    response = decline(client, approved, world.municipal_signer, reason)
    assert response.status_code == 400
    html = text_of(response)
    assert "Schrijf op waarom u niet tekent." in html
    assert 'id="niet-tekenen"' in html and 'name="password"' in html  # the signing page, both forms still there
    approved.refresh_from_db()
    assert approved.state == S.APPROVED
    assert Signature.objects.in_force().count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.DECLINED_TO_SIGN).exists()
    assert not Notification.objects.exists()


def test_a_refused_reason_is_shown_again_as_typed(client, world, approved):
    too_long = "Te lang. " * (NOTE_MAX // 9 + 1)
    response = decline(client, approved, world.municipal_signer, too_long)
    assert response.status_code == 400
    html = text_of(response)
    assert "Dit mag hoogstens" in html
    assert too_long.strip() in html  # nothing lost: the text is back in the field
    approved.refresh_from_db()
    assert approved.state == S.APPROVED


def test_only_a_signatory_who_may_sign_now_may_decline(client, world, approved):
    assert decline(client, approved, world.outsider, REASON).status_code == 404
    for person in (world.drafter, world.reviewer, world.initiative_admin):
        response = decline(client, approved, person, "")  # permission before the reason
        assert response.status_code == 403
        assert "Alleen ondertekenaars van een van de partijen kunnen weigeren" in text_of(response)
    # Signed already: not now (409, the agreement page with the reason).
    response = decline(client, approved, world.initiative_signer1, REASON)
    assert response.status_code == 409 and "U heeft deze versie al ondertekend." in text_of(response)
    assert decline(client, approved, world.initiative_signer1, "").status_code == 409
    approved.refresh_from_db()
    assert approved.state == S.APPROVED
    # Once it is back in draft, nobody can decline it.
    assert decline(client, approved, world.municipal_signer, REASON).status_code == 302
    response = decline(client, approved, world.initiative_signer2, REASON)
    assert response.status_code == 409 and "Weigeren te tekenen kan nu niet" in text_of(response)
    assert AuditEvent.objects.filter(action=AuditAction.DECLINED_TO_SIGN).count() == 1


def test_declining_needs_a_post(client, world, approved):
    client.force_login(world.municipal_signer)
    assert client.get(url("decline", approved)).status_code == 405
