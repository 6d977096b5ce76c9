"""Every address the site answers to is either public on purpose or closed to who is not signed in.

The test walks the whole URL configuration (``get_resolver``, recursively, the
admin and the API included), fills each pattern's parameters with the ids of
real rows (so that a missing check cannot hide behind "no such agreement"),
and requests it without signing in:

- an address on ``PUBLIC`` must answer (200, 302, 404 or 405), and not by
  sending the visitor to a sign-in page;
- every other address must send the visitor to a sign-in page (ours or the
  admin's), or refuse with 401, 403 or 404. A GET that answers 405 is posted
  instead, so that a POST-only action shows its own protection.

A new view therefore fails here until it is protected (``login_required``,
DRF's ``IsAuthenticated``, the admin) or added to ``PUBLIC`` with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from agreements.choices import AgreementState
from tests.factories import UserFactory
from tests.web.agreement_support import agreement_in

pytestmark = pytest.mark.django_db

# The addresses anyone may open, by route name, each with the reason it is public.
PUBLIC = {
    "login": "the sign-in page",
    "logout": "signing out (POST only); harmless for who is not signed in",
    "set_language": "the language switch, also before signing in",
    "password_reset": "asking for a password reset link",
    "password_reset_done": "'the link is on its way'",
    "password_reset_confirm": "the reset link from the e-mail; the token is the proof",
    "password_reset_complete": "'your password was changed'",
    "invitation_accept": "the invitation link from the e-mail; the token is the proof",
    "home": "the public home page for visitors (what Samenkader is, register, sign in); one's agreements after",
    "registration_start": "an initiative registers itself (rate-limited); nothing exists until the e-mail is confirmed",
    "registration_sent": "'check your e-mail'",
    "registration_confirm": "the confirmation link from the e-mail; the token is the proof",
    "examples:list": "the public examples of agreements both parties chose to share (nothing personal in it)",
    "examples:example": "one example of the public examples",
    "documents:verify": "anyone may check a signed document (rate-limited)",
    "healthz": "liveness for the orchestrator: the process answers",
    "readyz": "readiness for the load balancer: database, broker and storage answer",
    "metrics": "Prometheus: only allow-listed addresses (the test client's 127.0.0.1) or the token; 404 for others",
    "accessibility": "the accessibility statement",
    "privacy": "the privacy statement",
    "admin:login": "the admin's sign-in address; it sends people on to the site's sign-in page",
    "login_code": "the code step after a correct password; without that password step it sends back to sign in",
    "admin:logout": "signing out of the admin; who is not signed in is sent on to the admin's index",
}
SIGN_IN_PAGES = ("login", "admin:login")
# Public addresses whose answer, without a step before them, is to send people to the sign-in page.
SEND_TO_SIGN_IN = {"admin:login", "login_code"}
PROTECTED_STATUSES = {401, 403, 404}
PUBLIC_STATUSES = {200, 302, 404, 405}

_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*)\)")
_CONVERTER_DEFAULTS = {
    "int": "1",
    "str": "dummy",
    "slug": "dummy",
    "path": "dummy",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


@dataclass(frozen=True)
class Route:
    name: str | None  # "namespace:name", or None for an unnamed pattern
    pattern: str  # the pattern as written, joined over the includes
    callback: object
    path: str  # a concrete address for it


def _fill_route(route: str, values: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        converter = match.group("converter") or "str"
        return values.get(match.group("name"), _CONVERTER_DEFAULTS.get(converter, "dummy"))

    return _ROUTE_PARAMETER.sub(replace, route)


def _fill_regex(regex: str, values: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        name, body = match.group("name"), match.group("body")
        if name in values:
            return values[name]
        if re.fullmatch(r"[\w|-]+", body):  # an alternation of words, like the admin's app labels
            return body.split("|")[0]
        return "dummy"

    filled = _REGEX_GROUP.sub(replace, regex.removeprefix("^").removesuffix("$").removesuffix("\\Z"))
    return re.sub(r"\\(.)", r"\1", filled)


def _fill(pattern, values: dict[str, str]) -> str:
    text = str(pattern.pattern)
    if type(pattern.pattern).__name__ == "RegexPattern":
        return _fill_regex(text, values)
    return _fill_route(text, values)


def _walk(resolver: URLResolver, values: dict[str, str], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, values, prefix + _fill(entry, values), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Route(name, prefix + str(entry.pattern), entry.callback, "/" + prefix + _fill(entry, values))


def _redirects_to_sign_in(response) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    target = urlsplit(response["Location"]).path
    return target in {reverse(name) for name in SIGN_IN_PAGES}


def _label(route: Route) -> str:
    return f"{route.name or route.callback!r} ({route.path})"


@pytest.fixture
def routes(world) -> list[Route]:
    """Every URL pattern, with its parameters filled from real rows where the name says what they are."""
    agreement = agreement_in(world, AgreementState.SIGNED)
    version = agreement.versions.get()
    values = {
        "reference": agreement.reference,
        "number": str(version.number),
        "organisation_id": str(world.initiative.pk),
        "user_id": str(world.drafter.pk),
        "object_id": str(agreement.pk),
    }
    found = list(_walk(get_resolver(), values))
    unbuilt = []
    for route in found:
        try:
            match = resolve(route.path)
        except Exception:  # noqa: BLE001 - reported below with the pattern
            match = None
        if match is None or match.func is not route.callback:
            unbuilt.append(f"{route.pattern} -> {route.path}")
    assert not unbuilt, "could not build an address for these patterns (teach _fill):\n" + "\n".join(unbuilt)
    return found


def test_the_walk_sees_the_whole_site(routes):
    names = {route.name for route in routes}
    # Pages, API, admin and the public ones alike: the walk reaches into every include.
    for expected in ("home", "agreement:detail", "monitoring:overview", "api-agreement-list", "admin:index"):
        assert expected in names
    stale = sorted(set(PUBLIC) - names)
    assert not stale, f"PUBLIC names routes that no longer exist: {stale}"


def test_every_address_is_public_on_purpose_or_protected(routes):
    client = Client()  # no CSRF checks: a POST must reach the view's own protection
    problems = []
    for route in routes:
        response = client.get(route.path)
        if route.name in PUBLIC:
            sends_on = route.name in SEND_TO_SIGN_IN and _redirects_to_sign_in(response)
            if (_redirects_to_sign_in(response) and not sends_on) or response.status_code not in PUBLIC_STATUSES:
                problems.append(f"public {_label(route)} answered {response.status_code}")
            continue
        if response.status_code == 405:
            response = client.post(route.path)
        if not (_redirects_to_sign_in(response) or response.status_code in PROTECTED_STATUSES):
            problems.append(
                f"{_label(route)} answered {response.status_code} without signing in: "
                "protect it, or add it to PUBLIC with the reason it is public"
            )
    assert not problems, "\n".join(problems)


def test_a_signed_in_person_is_not_sent_back_to_sign_in(routes):
    """The protection is about signing in: the same walk for a staff member never lands on a sign-in page."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    sent_back = [
        _label(route)
        for route in routes
        if route.name not in ("login", "admin:login", "logout", "admin:logout")
        and _redirects_to_sign_in(client.get(route.path))
    ]
    assert not sent_back, f"these send a signed-in staff member to a sign-in page: {sent_back}"
