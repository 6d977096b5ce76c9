"""Request middleware of the web pages: the client's address behind proxies, and the person's language."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.utils import translation


def client_ip_from_forwarded(remote_addr: str | None, forwarded_for: str | None, trusted_proxies: int) -> str | None:
    """The client's address when ``trusted_proxies`` proxies we run sit in front of us.

    Each trusted proxy appends the address it received the request from, so the
    client is the N-th address from the right. Anything further left was sent
    by the client itself and cannot be trusted. With too few entries the
    request did not pass through all our proxies; the nearest peer is then
    the best we know.
    """
    if trusted_proxies <= 0 or not forwarded_for:
        return remote_addr
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    if not hops:
        return remote_addr
    candidate = hops[0] if len(hops) < trusted_proxies else hops[-trusted_proxies]
    # Whatever is not an address (a forged "unknown", a typo) must not reach the
    # lockout table or the audit log; the nearest peer is then what we know.
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr


def client_ip(request) -> str | None:
    """The address axes and the audit log use: REMOTE_ADDR, already corrected by the middleware below."""
    return request.META.get("REMOTE_ADDR") or None


class TrustedProxyMiddleware:
    """Sets REMOTE_ADDR from X-Forwarded-For, honouring settings.TRUSTED_PROXY_COUNT."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
        if count > 0:
            request.META["REMOTE_ADDR"] = client_ip_from_forwarded(
                request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"), count
            )
        return self.get_response(request)


def supported_language(code: str | None) -> str | None:
    if code and code in {c for c, _name in settings.LANGUAGES}:
        return code
    return None


class UserLanguageMiddleware:
    """Dutch unless the person chose otherwise.

    Signed in: the language stored on the user. Not signed in: the language
    cookie the switch sets. The browser's Accept-Language is deliberately
    ignored: the service is Dutch first, and English only for who asks for it.
    Runs after AuthenticationMiddleware, and so overrides LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = supported_language(user.preferred_language)
        if language is None:
            language = supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        language = language or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        return self.get_response(request)
