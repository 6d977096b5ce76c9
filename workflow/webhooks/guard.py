"""No webhook to an address inside the network: checked after DNS resolution, and again on every redirect.

A webhook URL is typed by an organisation's admin, and the worker that calls
it sits inside our network: without this, it could be made to call the
metadata service of the cloud (169.254.169.254), the database or anything
else only reachable from inside (server-side request forgery). So the host
is resolved here, every address it resolves to must be public, and the
request then goes to that checked address (with the name for TLS and the
Host header), so a second DNS answer cannot swap it for another.

``WEBHOOK_ALLOWED_PRIVATE_NETWORKS`` (development and tests only) lists
networks that are allowed anyway, e.g. ``127.0.0.0/8`` for a receiver on one's own machine.
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


def _allowed_anyway(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in ipaddress.ip_network(net) for net in settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS)


def _check_address(text: str) -> str:
    address = ipaddress.ip_address(text.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if not address.is_global and not _allowed_anyway(address):
        raise AddressRefused(
            _("Het adres %(address)s ligt in een intern of privé netwerk; daar sturen wij niets heen.")
            % {"address": address}
        )
    return str(address)


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses (DNS sits outside this machine: tests may replace this function)."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def checked_target(url: str) -> Target:
    """Where to send a request to ``url``: refused unless https (http only where a private network is allowed
    anyway, for development) and every address the name resolves to is public."""
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    plain_http_allowed = bool(settings.WEBHOOK_ALLOWED_PRIVATE_NETWORKS)
    if scheme != "https" and not (scheme == "http" and plain_http_allowed):
        raise AddressRefused(_("Gebruik een adres dat met https:// begint."))
    if not parts.hostname:
        raise AddressRefused(_("Dit adres heeft geen servernaam."))
    if parts.username or parts.password:
        raise AddressRefused(_("Zet geen gebruikersnaam of wachtwoord in het adres."))
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise AddressRefused(_("Het poortnummer in dit adres klopt niet.")) from None
    try:
        addresses = resolve(parts.hostname, port)
    except OSError:
        raise AddressRefused(_("De servernaam %(host)s is niet te vinden.") % {"host": parts.hostname}) from None
    if not addresses:
        raise AddressRefused(_("De servernaam %(host)s is niet te vinden.") % {"host": parts.hostname})
    checked = [_check_address(address) for address in addresses]
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=parts.hostname, port=port, address=checked[0], path=path)
