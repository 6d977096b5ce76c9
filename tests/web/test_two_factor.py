"""Two-factor sign-in: setting it up, the code step, recovery codes, who must use it, a reset after a lost
phone, and the code instead of the password at signing."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agreements.choices import AgreementState as S
from agreements.choices import MembershipAction, MembershipRole, TwoFactorPolicy
from agreements.models import MembershipEvent, Organisation, Signature
from tests.factories import PASSWORD, member
from tests.web.agreement_support import agreement_in, text_of, url
from workflow.models import SecurityEvent, SecurityEventKind

pytestmark = pytest.mark.django_db


def code_from_secret(secret: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this key (a later step when the current one was used already)."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def app_code(user, *, steps_ahead: int = 0) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return code_from_secret(base64.b32encode(device.bin_key).decode(), steps_ahead=steps_ahead)


def sign_in(client, user, *, follow=False):
    return client.submit(reverse("login"), {"username": user.email, "password": PASSWORD}, follow=follow)


def set_up_through_the_pages(client) -> list[str]:
    """Open the set-up page, type the key shown into an "app", confirm its code: returns the recovery codes."""
    page = text_of(client.get(reverse("two_factor_setup")))
    secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', page).group(1)
    device = re.search(r'name="device" value="(\d+)"', page).group(1)
    assert "<svg" in page and "qr-code" in page
    done = client.submit(reverse("two_factor_setup"), {"device": device, "code": code_from_secret(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", text_of(done))
    assert len(codes) == 10
    return codes


def signed_in_as(client):
    return client.get(reverse("home")).wsgi_request.user


def test_set_up_then_every_sign_in_asks_for_the_code(client, world):
    person = world.drafter
    client.force_login(person)
    assert "Uit" in text_of(client.get(reverse("two_factor")))
    set_up_through_the_pages(client)
    assert "Aan" in text_of(client.get(reverse("two_factor")))
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.TWO_FACTOR_ENABLED, user=person).exists()
    client.logout()

    response = sign_in(client, person)
    assert response.status_code == 302 and response.url == reverse("login_code")
    assert not signed_in_as(client).is_authenticated  # the password alone is not enough

    wrong = client.submit(reverse("login_code"), {"code": "000000"})
    assert wrong.status_code == 400 and "Deze code klopt niet" in text_of(wrong)
    assert not signed_in_as(client).is_authenticated
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.TWO_FACTOR_CODE_FAILED, user=person).count() == 1

    # django-otp makes the next try after a wrong code wait a second.
    too_soon = client.submit(reverse("login_code"), {"code": app_code(person, steps_ahead=1)})
    assert too_soon.status_code == 400 and "Wacht een paar seconden" in text_of(too_soon)
    time.sleep(1.1)
    right = client.submit(reverse("login_code"), {"code": app_code(person, steps_ahead=1)})
    assert right.status_code == 302
    assert signed_in_as(client) == person


def test_a_recovery_code_signs_in_once(client, world):
    person = world.reviewer
    client.force_login(person)
    codes = set_up_through_the_pages(client)
    client.logout()

    sign_in(client, person)
    used = client.submit(reverse("login_code"), {"code": codes[0].upper()}, follow=True)
    assert signed_in_as(client) == person
    assert "nog 9" in text_of(used)
    assert StaticToken.objects.filter(device__user=person).count() == 9
    client.logout()

    sign_in(client, person)
    again = client.submit(reverse("login_code"), {"code": codes[0]})
    assert again.status_code == 400 and not signed_in_as(client).is_authenticated


def test_too_many_wrong_codes_start_over_at_the_password(client, world, settings):
    settings.TWO_FACTOR_CODE_ATTEMPTS = 3
    person = world.drafter
    client.force_login(person)
    set_up_through_the_pages(client)
    client.logout()
    sign_in(client, person)
    for _attempt in range(2):
        assert client.submit(reverse("login_code"), {"code": "111111"}).status_code == 400
    last = client.submit(reverse("login_code"), {"code": "111111"})
    assert last.status_code == 302 and last.url == reverse("login")
    # The session forgot the password step: even the right code now leads back to the password.
    assert client.submit(reverse("login_code"), {"code": app_code(person, steps_ahead=1)}).url == reverse("login")
    assert not signed_in_as(client).is_authenticated


def test_an_organisation_can_require_it_for_all_members(client, world):
    client.force_login(world.initiative_admin)
    page = text_of(client.get(reverse("members", args=[world.initiative.pk])))
    assert "Tweestapsverificatie" in page
    assert TwoFactorPolicy.REVIEWERS_AND_SIGNATORIES not in page  # that choice is a municipality's
    saved = client.submit(
        reverse("organisation_two_factor_policy", args=[world.initiative.pk]), {"policy": TwoFactorPolicy.ALL_MEMBERS}
    )
    assert saved.status_code == 302
    assert MembershipEvent.objects.filter(
        organisation=world.initiative, action=MembershipAction.TWO_FACTOR_POLICY_CHANGED
    ).exists()
    client.logout()

    response = sign_in(client, world.drafter)
    assert response.url == reverse("two_factor_setup")
    # Every page leads to the set-up until it is done; the API refuses.
    assert client.get(reverse("home")).url == reverse("two_factor_setup")
    assert client.get("/api/v1/agreements/").status_code == 403
    assert client.get(reverse("privacy")).status_code == 200
    set_up_through_the_pages(client)
    assert client.get(reverse("home")).status_code == 200
    # Required: it cannot be turned off.
    refused = client.submit(reverse("two_factor_disable"), {"code": app_code(world.drafter, steps_ahead=1)})
    assert refused.status_code == 403
    assert TOTPDevice.objects.filter(user=world.drafter).exists()


def test_a_municipality_can_require_it_for_reviewers_and_signatories_only(client, world):
    municipal_admin = member(world.municipality, MembershipRole.ADMIN, email="admin-gem@example.org")
    client.force_login(municipal_admin)
    client.submit(
        reverse("organisation_two_factor_policy", args=[world.municipality.pk]),
        {"policy": TwoFactorPolicy.REVIEWERS_AND_SIGNATORIES},
    )
    world.municipality.refresh_from_db()
    assert world.municipality.two_factor_policy == TwoFactorPolicy.REVIEWERS_AND_SIGNATORIES
    client.logout()

    assert sign_in(client, world.reviewer).url == reverse("two_factor_setup")
    client.logout()
    assert sign_in(client, world.municipal_signer).url == reverse("two_factor_setup")
    client.logout()
    # The admin only manages members: not asked.
    assert sign_in(client, municipal_admin).url == reverse("home")
    client.logout()
    # An initiative cannot choose the municipality's rule.
    client.force_login(world.initiative_admin)
    client.submit(
        reverse("organisation_two_factor_policy", args=[world.initiative.pk]),
        {"policy": TwoFactorPolicy.REVIEWERS_AND_SIGNATORIES},
    )
    assert Organisation.objects.get(pk=world.initiative.pk).two_factor_policy == TwoFactorPolicy.OPTIONAL


def test_staff_must_use_it_when_the_setting_says_so(client, staff, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_STAFF = True
    assert sign_in(client, staff).url == reverse("two_factor_setup")
    assert client.get("/admin/").url == reverse("two_factor_setup")
    client.logout()
    # The admin's own sign-in page is not a way around it: it sends people to the site's.
    admin_login = client.get("/admin/login/?next=/admin/")
    assert admin_login.status_code == 302 and admin_login.url.startswith(reverse("login"))


def test_the_demo_accounts_are_not_made_to_set_it_up_in_development(client, world, settings):
    settings.TWO_FACTOR_EXEMPT_EMAIL_DOMAINS = ["example.org"]
    Organisation.objects.filter(pk=world.initiative.pk).update(two_factor_policy=TwoFactorPolicy.ALL_MEMBERS)
    assert sign_in(client, world.drafter).url == reverse("home")


def test_an_admin_resets_a_members_lost_phone_and_the_log_says_so(client, world):
    client.force_login(world.drafter)
    set_up_through_the_pages(client)
    client.logout()

    client.force_login(world.initiative_admin)
    page = text_of(client.get(reverse("member_edit", args=[world.initiative.pk, world.drafter.pk])))
    assert "Tweestapsverificatie wissen" in page
    response = client.submit(reverse("member_two_factor_reset", args=[world.initiative.pk, world.drafter.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.drafter).exists()
    assert not StaticToken.objects.filter(device__user=world.drafter).exists()
    log = text_of(client.get(reverse("member_log", args=[world.initiative.pk])))
    assert "tweestapsverificatie opnieuw ingesteld" in log.lower()
    event = MembershipEvent.objects.get(action=MembershipAction.TWO_FACTOR_RESET)
    assert event.actor == world.initiative_admin and event.subject == world.drafter

    client.logout()
    assert sign_in(client, world.drafter).url == reverse("home")  # the password alone again


def test_an_admins_phone_is_reset_by_staff_only(client, world, staff):
    other_admin = member(world.initiative, MembershipRole.ADMIN, email="admin2-ini@example.org")
    TOTPDevice.objects.create(user=other_admin, name="app", confirmed=True)
    client.force_login(world.initiative_admin)
    page = text_of(client.get(reverse("member_edit", args=[world.initiative.pk, other_admin.pk])))
    assert "Tweestapsverificatie wissen" not in page and "Samenkader" in page
    refused = client.submit(reverse("member_two_factor_reset", args=[world.initiative.pk, other_admin.pk]))
    assert refused.status_code == 403
    assert TOTPDevice.objects.filter(user=other_admin).exists()
    client.logout()

    client.force_login(staff)
    form = client.get(reverse("home"))
    assert reverse("staff_two_factor_reset") in text_of(form)  # reachable from the menu
    done = client.submit(
        reverse("staff_two_factor_reset"), {"email": other_admin.email.upper(), "confirmed": "on"}, follow=True
    )
    assert "gewist" in text_of(done)
    assert not TOTPDevice.objects.filter(user=other_admin).exists()
    assert MembershipEvent.objects.filter(
        organisation=world.initiative, action=MembershipAction.TWO_FACTOR_RESET, subject=other_admin, actor=staff
    ).exists()


def test_at_signing_the_code_may_stand_in_for_the_password(client, world):
    signer = world.initiative_signer1
    client.force_login(signer)
    set_up_through_the_pages(client)
    agreement = agreement_in(world, S.APPROVED)
    page = text_of(client.get(url("sign", agreement)))
    assert 'name="otp_code"' in page and 'type="password"' in page
    data = {"content_hash": agreement.frozen_version().content_hash, "authorised": "on"}

    wrong = client.submit(url("sign", agreement), {**data, "otp_code": "123456"})
    assert wrong.status_code == 400 and "Deze code klopt niet" in text_of(wrong)
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.SIGNING_STEP_UP_FAILED, user=signer).count() == 1

    empty = client.submit(url("sign", agreement), data)
    assert empty.status_code == 400 and "code uit uw authenticator-app of uw wachtwoord" in text_of(empty)

    time.sleep(1.1)  # django-otp's wait after a wrong code
    signed = client.submit(url("sign", agreement), {**data, "otp_code": app_code(signer, steps_ahead=1)})
    assert signed.status_code == 302
    assert Signature.objects.filter(signer=signer, voided_at__isnull=True).count() == 1


def test_without_two_factor_the_sign_page_asks_only_the_password(client, world):
    agreement = agreement_in(world, S.APPROVED)
    client.force_login(world.initiative_signer1)
    page = text_of(client.get(url("sign", agreement)))
    assert 'name="otp_code"' not in page and 'type="password"' in page


def test_a_newcomer_signed_in_by_an_invitation_meets_the_organisations_rule_too(client, world):
    from tests.web.test_members import _invite, path_of

    Organisation.objects.filter(pk=world.initiative.pk).update(two_factor_policy=TwoFactorPolicy.ALL_MEMBERS)
    result = _invite(world)
    password = "lange-zin-met-woorden"
    data = {"full_name": "Nina Nieuw", "preferred_language": "nl", "password1": password, "password2": password}
    assert client.submit(path_of(result.accept_url), data).status_code == 302
    assert client.get(reverse("home")).url == reverse("two_factor_setup")


def test_new_recovery_codes_replace_the_old_ones(client, world):
    client.force_login(world.drafter)
    old_codes = set_up_through_the_pages(client)
    wrong = client.submit(reverse("recovery_codes_new"), {"code": "000000"}, follow=True)
    assert "Deze code klopt niet" in text_of(wrong)
    time.sleep(1.1)  # django-otp's wait after a wrong code
    page = text_of(client.submit(reverse("recovery_codes_new"), {"code": app_code(world.drafter, steps_ahead=1)}))
    new_codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", page)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert set(StaticToken.objects.filter(device__user=world.drafter).values_list("token", flat=True)) == set(new_codes)


def test_turning_it_off_with_a_code(client, world):
    client.force_login(world.drafter)
    set_up_through_the_pages(client)
    done = client.submit(reverse("two_factor_disable"), {"code": app_code(world.drafter, steps_ahead=1)}, follow=True)
    assert "Tweestapsverificatie staat uit" in text_of(done)
    assert not TOTPDevice.objects.filter(user=world.drafter).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.TWO_FACTOR_DISABLED, user=world.drafter).exists()
