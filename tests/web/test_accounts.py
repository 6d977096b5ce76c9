"""Signing in and out, the lockout, the proxy setting, the password reset and the language switch."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from agreements.models import User
from tests.factories import PASSWORD
from workflow.models import SecurityEvent

pytestmark = pytest.mark.django_db


def sign_in(client, email: str, password: str, **extra):
    return client.submit("/inloggen/", {"username": email, "password": password}, **extra)


def test_start_page_shows_visitors_the_way_in(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/inloggen/"' in html and 'href="/aanmelden/"' in html


def test_sign_in_page_is_dutch_even_when_the_browser_prefers_english(client):
    response = client.get("/inloggen/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert "Inloggen bij Samenkader" in html


def test_sign_in_page_says_how_to_join_and_whom_to_ask(client, settings):
    settings.SUPPORT_EMAIL = "aansluiten@coalitie.example"
    html = client.get("/inloggen/").content.decode()
    assert 'href="/aanmelden/"' in html
    assert '<a href="mailto:aansluiten@coalitie.example">aansluiten@coalitie.example</a>' in html


def test_sign_in_without_csrf_token_is_refused(client, world):
    response = client.post("/inloggen/", {"username": world.drafter.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "Dit formulier is verlopen" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_with_email_in_any_case_and_land_on_home(client, world):
    response = sign_in(client, "  Drafter@Example.org ", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    html = home.content.decode()
    assert "Mijn afspraken" in html
    assert "Dirk Opsteller" in html
    assert "Buurtwarmte Test-Oost" in html


def test_wrong_password_says_so_and_warns_about_the_limit(client, world):
    response = sign_in(client, world.drafter.email, "wrong-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Het e-mailadres of het wachtwoord klopt niet" in html
    assert 'class="error-summary"' in html


def test_sixth_failure_locks_the_account_from_that_address(client, world):
    for attempt in range(5):
        response = sign_in(client, world.drafter.email, f"wrong-{attempt}")
        assert response.status_code == 200, f"attempt {attempt + 1} should only show the form again"
    response = sign_in(client, world.drafter.email, "wrong-6")
    assert response.status_code == 429
    assert "U kunt even niet inloggen" in response.content.decode()
    assert "15 minuten" in response.content.decode()
    # Locked means locked: the right password does not get in either.
    response = sign_in(client, world.drafter.email, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account(client, world):
    for attempt in range(6):
        sign_in(client, world.drafter.email, f"wrong-{attempt}")
    assert sign_in(client, world.reviewer.email, PASSWORD).status_code == 302


def test_successful_sign_in_resets_the_failures(client, world):
    for attempt in range(5):
        sign_in(client, world.drafter.email, f"wrong-{attempt}")
    assert sign_in(client, world.drafter.email, PASSWORD).status_code == 302
    client.submit("/uitloggen/")
    for attempt in range(5):
        assert sign_in(client, world.drafter.email, f"again-{attempt}").status_code == 200


def test_behind_one_trusted_proxy_the_forwarded_address_counts(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt in range(6):
        sign_in(client, world.drafter.email, f"wrong-{attempt}", HTTP_X_FORWARDED_FOR="203.0.113.5")
    locked = sign_in(client, world.drafter.email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert locked.status_code == 429
    # The same account from another client behind the same proxy is not locked.
    other = sign_in(client, world.drafter.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.status_code == 302


def test_without_trusted_proxies_a_forged_forwarded_header_does_not_dodge_the_lockout(client, world, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for attempt in range(6):
        sign_in(client, world.drafter.email, f"wrong-{attempt}", HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")
    response = sign_in(client, world.drafter.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


def test_sign_out_needs_a_post_with_csrf(client, world):
    client.force_login(world.drafter)
    assert client.get("/uitloggen/").status_code == 405
    assert client.post("/uitloggen/").status_code == 403
    response = client.submit("/uitloggen/")
    assert response.status_code == 302
    assert response["Location"] == "/inloggen/"
    assert "_auth_user_id" not in client.session
    page = client.get("/inloggen/")
    assert "U bent uitgelogd." in page.content.decode()


@pytest.fixture
def fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _reset_rows():
    from workflow.models import Notification, NotificationKind

    return Notification.objects.filter(kind=NotificationKind.PASSWORD_RESET)


def test_password_reset_sends_a_link_that_sets_a_new_password(client, world, fresh_rate_limits):
    from workflow.notifications.delivery import deliver_many

    assert client.post("/wachtwoord-vergeten/", {"email": world.drafter.email}).status_code == 403
    response = client.submit("/wachtwoord-vergeten/", {"email": world.drafter.email.upper()})
    assert response.status_code == 302
    # The request only queues the e-mail: no mail server is spoken to while the person waits.
    assert mail.outbox == []
    (row,) = _reset_rows()
    assert row.recipient == world.drafter and row.recipient_email == world.drafter.email
    assert row.context == {}  # the link is made when the e-mail is written, never stored
    deliver_many([row.pk])
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "Nieuw wachtwoord voor Samenkader"
    assert mail.outbox[0].to == [world.drafter.email]
    link = re.search(r"(https?://[^/]+)(/wachtwoord-instellen/\S+/)", body)
    assert link.group(1) == "http://127.0.0.1:8000"  # SITE_URL, never the Host header of the request
    link = link.group(2)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    refused = client.post(
        set_url, {"new_password1": "een-nieuw-wachtwoord-42", "new_password2": "een-nieuw-wachtwoord-42"}
    )
    assert refused.status_code == 403
    response = client.submit(
        set_url, {"new_password1": "een-nieuw-wachtwoord-42", "new_password2": "een-nieuw-wachtwoord-42"}
    )
    assert response.status_code == 302
    world.drafter.refresh_from_db()
    assert world.drafter.check_password("een-nieuw-wachtwoord-42")


def test_password_reset_email_is_in_the_persons_language(client, world, fresh_rate_limits):
    from workflow.notifications.delivery import deliver_many

    User.objects.filter(pk=world.drafter.pk).update(preferred_language="en")
    client.submit("/wachtwoord-vergeten/", {"email": world.drafter.email})
    deliver_many(_reset_rows().values_list("pk", flat=True))
    assert mail.outbox[0].subject == "New password for Samenkader"


def test_password_reset_for_an_unknown_address_looks_the_same(client, world, fresh_rate_limits):
    known = client.submit("/wachtwoord-vergeten/", {"email": world.drafter.email})
    unknown = client.submit("/wachtwoord-vergeten/", {"email": "niemand@example.org"})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert _reset_rows().count() == 1  # only the known address
    assert not _reset_rows().filter(recipient_email="niemand@example.org").exists()
    assert mail.outbox == []


def test_password_reset_is_limited_per_address_typed(client, world, settings, fresh_rate_limits):
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 2
    for email in (world.drafter.email, "niemand@example.org"):
        for _ in range(2):
            response = client.submit("/wachtwoord-vergeten/", {"email": email}, REMOTE_ADDR="203.0.113.5")
            assert response.status_code == 302
        # From another address too: the limit is the account's, not the attacker's.
        limited = client.submit("/wachtwoord-vergeten/", {"email": email}, REMOTE_ADDR="203.0.113.6")
        assert limited.status_code == 429
        assert "Probeer het over een tijdje opnieuw" in limited.content.decode()
    assert _reset_rows().count() == 2
    # Another account is not held up.
    assert client.submit("/wachtwoord-vergeten/", {"email": world.reviewer.email}).status_code == 302


def test_password_reset_is_limited_per_client_address(client, world, settings, fresh_rate_limits):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    for n in range(3):
        response = client.submit(
            "/wachtwoord-vergeten/", {"email": f"iemand{n}@example.org"}, REMOTE_ADDR="203.0.113.5"
        )
        assert response.status_code == 302
    limited = client.submit("/wachtwoord-vergeten/", {"email": world.drafter.email}, REMOTE_ADDR="203.0.113.5")
    assert limited.status_code == 429
    assert "Probeer het over een tijdje opnieuw" in limited.content.decode()
    assert not _reset_rows().exists()
    assert (
        client.submit("/wachtwoord-vergeten/", {"email": world.drafter.email}, REMOTE_ADDR="203.0.113.6").status_code
        == 302
    )
    assert client.get("/wachtwoord-vergeten/", REMOTE_ADDR="203.0.113.5").status_code == 200  # reading is never limited


def test_language_switch_needs_csrf(client):
    assert client.post("/taal/", {"language": "en", "next": "/privacy/"}).status_code == 403


def test_language_switch_for_a_visitor_uses_a_cookie(client):
    response = client.submit("/taal/", {"language": "en", "next": "/privacy/"})
    assert response.status_code == 302
    assert response["Location"] == "/privacy/"
    page = client.get("/privacy/")
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert "Privacy: what we keep about you" in html


def test_language_switch_is_remembered_on_the_user(client, world):
    client.force_login(world.reviewer)
    client.submit("/taal/", {"language": "en", "next": "/"})
    world.reviewer.refresh_from_db()
    assert world.reviewer.preferred_language == "en"
    # A new session on another device, without the cookie: still English after signing in.
    other = type(client)()
    sign_in(other, world.reviewer.email, PASSWORD)
    html = other.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "My agreements" in html


def test_language_switch_refuses_to_redirect_elsewhere(client):
    response = client.submit("/taal/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_language_switch_ignores_an_unknown_language(client, world):
    client.force_login(world.reviewer)
    client.submit("/taal/", {"language": "xx", "next": "/"})
    assert User.objects.get(pk=world.reviewer.pk).preferred_language == "nl"


def test_sign_in_returns_to_the_page_asked_for(client, world):
    page = client.get("/organisaties/1/leden/")
    assert page["Location"] == "/inloggen/?next=/organisaties/1/leden/"
    form = client.get(page["Location"])
    assert 'name="next" value="/organisaties/1/leden/"' in form.content.decode()
    response = client.submit("/inloggen/", {"username": world.drafter.email, "password": PASSWORD, "next": "/privacy/"})
    assert response["Location"] == "/privacy/"


def test_sign_in_never_sends_people_to_another_site(client, world):
    response = client.submit(
        "/inloggen/", {"username": world.drafter.email, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_many_accounts_from_one_address_hit_a_limit_of_their_own(client, world, settings):
    # Before: five wrong passwords on each of many accounts from one address went unnoticed.
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 8
    people = [world.drafter, world.reviewer, world.initiative_signer1, world.municipal_signer]
    for person in people:
        for attempt in range(2):  # each account far below its own lockout of six
            assert sign_in(client, person.email, f"wrong-{attempt}").status_code == 200
    response = sign_in(client, world.initiative_admin.email, PASSWORD)
    assert response.status_code == 429
    assert "verschillende accounts" in response.content.decode()
    # Another address is not affected.
    assert sign_in(client, world.initiative_admin.email, PASSWORD, REMOTE_ADDR="198.51.100.20").status_code == 302
    assert SecurityEvent.objects.filter(kind="signin_address_limited").count() == 1
