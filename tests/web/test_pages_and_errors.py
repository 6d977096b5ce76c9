"""The statements, the layout every page shares, the error pages and the mapping of service errors."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted, StaleRevision
from workflow.web.errors import handles_service_errors, server_error, service_error_response
from workflow.web.middleware import client_ip_from_forwarded

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/toegankelijkheid/", "/privacy/", "/inloggen/", "/wachtwoord-vergeten/"])
def test_public_pages_share_the_layout(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#inhoud"' in html and 'id="inhoud"' in html
    assert 'href="/toegankelijkheid/"' in html and 'href="/privacy/"' in html
    assert 'href="/controleren/"' in html
    assert 'action="/taal/"' in html
    assert "/static/css/samenkader.css" in html
    assert "Uitloggen" not in html


def test_signed_in_layout_shows_name_organisation_and_sign_out(client, world):
    client.force_login(world.reviewer)
    html = client.get("/privacy/").content.decode()
    assert "Rik Ambtenaar" in html
    assert "Gemeente Test" in html
    assert 'action="/uitloggen/"' in html
    assert 'href="/voortgang/"' in html


def test_accessibility_statement_and_privacy_say_what_they_must(client):
    html = client.get("/toegankelijkheid/").content.decode()
    assert "(WCAG) 2.1" in html and "EN 301 549" in html
    html = client.get("/privacy/").content.decode()
    assert "IP-adres" in html and "Hoe lang" in html


def test_unknown_page_is_the_styled_404(client):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Deze pagina bestaat niet" in html
    assert "Naar mijn afspraken" in html


def _request(user=None):
    request = RequestFactory().get("/afspraken/SK-2026-0001/")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize(
    "error,status,text",
    [
        (NotFound("Deze afspraak bestaat niet of u heeft er geen toegang toe."), 404, "geen toegang toe"),
        (NotPermitted("U mag dit niet doen bij afspraak SK-2026-0001."), 403, "U mag dit niet doen bij afspraak"),
        (Conflict("Goedkeuren kan nu niet.", state="approved"), 409, "goedgekeurd, wacht op ondertekening"),
        (
            StaleRevision("Iemand anders heeft dit concept opgeslagen.", state="draft", current_revision=4),
            409,
            "Iemand anders",
        ),
        (InvalidInput(errors={"body": ["Schrijf eerst uw opmerking."]}), 400, "Schrijf eerst uw opmerking."),
    ],
)
def test_service_errors_become_styled_pages(error, status, text):
    response = service_error_response(_request(), error, back_url="/afspraken/SK-2026-0001/")
    assert response.status_code == status
    html = response.content.decode()
    assert text in html
    assert "Naar mijn afspraken" in html


def test_conflict_page_offers_the_current_state():
    response = service_error_response(
        _request(), Conflict("Iemand anders keurde de afspraak al goed.", state="approved"), back_url="/afspraken/X/"
    )
    html = response.content.decode()
    assert "Iemand anders keurde de afspraak al goed." in html
    assert 'href="/afspraken/X/"' in html


def test_decorator_maps_what_escapes_a_view():
    @handles_service_errors
    def view(request):
        raise NotPermitted("Alleen opstellers.")

    assert view(_request()).status_code == 403


def test_server_error_page_renders_without_a_request_context():
    response = server_error(_request())
    assert response.status_code == 500
    assert "Er ging bij ons iets mis" in response.content.decode()


@pytest.mark.parametrize(
    "remote,forwarded,count,expected",
    [
        ("10.0.0.1", None, 0, "10.0.0.1"),
        ("10.0.0.1", "203.0.113.5", 0, "10.0.0.1"),
        ("10.0.0.1", "203.0.113.5", 1, "203.0.113.5"),
        ("10.0.0.1", "6.6.6.6, 203.0.113.5", 1, "203.0.113.5"),
        ("10.0.0.2", "6.6.6.6, 203.0.113.5, 10.0.0.1", 2, "203.0.113.5"),
        ("10.0.0.1", "203.0.113.5", 2, "203.0.113.5"),
        ("10.0.0.1", "unknown", 1, "10.0.0.1"),
        ("10.0.0.1", "2001:db8::1", 1, "2001:db8::1"),
        ("10.0.0.1", " , ", 1, "10.0.0.1"),
    ],
)
def test_client_address_behind_trusted_proxies(remote, forwarded, count, expected):
    assert client_ip_from_forwarded(remote, forwarded, count) == expected


def test_the_menu_leads_platform_staff_to_the_admin_and_nobody_else(client, world):
    client.force_login(world.drafter)
    assert 'href="/admin/"' not in client.get("/").content.decode()
    world.drafter.is_staff = True
    world.drafter.save(update_fields=["is_staff"])
    client.force_login(world.drafter)
    html = client.get("/").content.decode()
    assert 'href="/admin/"' in html and "Beheer Samenkader" in html
