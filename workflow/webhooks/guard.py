"""No webhook to an address inside the network: checked after DNS resolution, and again on every redirect.

A webhook URL is typed by an organisation's admin, and the worker that calls
it sits inside our network: without this, it could be made to call the
metadata service of the cloud (169.254.169.254), the database or anything
else only reachable from inside (server-side request forgery). So the host
is resolved here, every address it resolves to must be public, and the
request then goes to that checked address (with the name for TLS and the
Host header), so a second DNS answer cannot swap it for another.

IPv6 forms that carry an IPv4 address inside (NAT64, 6to4, Teredo,
IPv4-compatible and -mapped) are refused outright or checked as that IPv4
address, and so are multicast and the old site-local range. Only 443 (80 with
plain http) and the unprivileged ports from 1024 up are allowed: no 22 or 25
on some host.

``WEBHOOK_ALLOWED_PRIVATE_NETWORKS`` (development and tests only) lists
networks that are allowed anyway, e.g. ``127.0.0.0/8`` for a receiver on one's
own machine; ``WEBHOOK_ALLOW_PLAIN_HTTP`` allows http:// besides https://.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class AddressRefused(Exception):
    """The URL may not be called; the message says why, for the admin."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # the name, for TLS (SNI, certificate) and the Host header
    port: int
    address: str  # the checked IP address the connection goes to
    path: str  # path and query


# IPv6 ranges that tunnel or translate to IPv4: where they lead cannot be told from the address alone.
_TRANSLATED = tuple(
    ipaddress.ip_network(net)
    for net in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32", "::/96", "::ffff:0:0:0/96")
)


def _allowed_anyway(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in ipaddress.ip_network(net) for net in settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS)


def _refused() -> AddressRefused:
    # The address itself is not named: the form must not become a way to look up internal names.
    return AddressRefused(_("Dit adres leidt naar een intern of privé netwerk; daar sturen wij niets heen."))


def _check_address(text: str) -> str:
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        raise _refused() from None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            address = address.ipv4_mapped
        elif any(address in network for network in _TRANSLATED) and not _allowed_anyway(address):
            raise _refused()
    refused = not address.is_global or address.is_multicast or getattr(address, "is_site_local", False)
    if refused and not _allowed_anyway(address):
        raise _refused()
    return str(address)


def _port_allowed(scheme: str, port: int) -> bool:
    return port == 443 or (scheme == "http" and port == 80) or 1024 <= port <= 65535


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses (DNS sits outside this machine: tests may replace this function)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def checked_target(url: str) -> Target:
    """Where to send a request to ``url``: refused unless https (http only where development allows it), a web
    port, and every address the name resolves to public."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        raise AddressRefused(_("Dit is geen geldig adres.")) from None
    scheme = (parts.scheme or "").lower()
    if scheme != "https" and not (scheme == "http" and settings.WEBHOOK_ALLOW_PLAIN_HTTP):
        raise AddressRefused(_("Gebruik een adres dat met https:// begint."))
    if not hostname:
        raise AddressRefused(_("Dit adres heeft geen servernaam."))
    if parts.username or parts.password:
        raise AddressRefused(_("Zet geen gebruikersnaam of wachtwoord in het adres."))
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise AddressRefused(_("Het poortnummer in dit adres klopt niet.")) from None
    if not _port_allowed(scheme, port):
        raise AddressRefused(_("Gebruik poort 443 of een poort vanaf 1024."))
    try:
        addresses = resolve(hostname, port)
    except (OSError, UnicodeError, ValueError):
        raise AddressRefused(_("De servernaam %(host)s is niet te vinden.") % {"host": hostname}) from None
    if not addresses:
        raise AddressRefused(_("De servernaam %(host)s is niet te vinden.") % {"host": hostname})
    checked = [_check_address(address) for address in addresses]
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=hostname, port=port, address=checked[0], path=path)
