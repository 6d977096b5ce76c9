"""Where an action came from (address, browser), for the audit log."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequestMeta:
    """Where an action came from, for the audit log. Empty for the system's own actions."""

    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request) -> RequestMeta:
        # REMOTE_ADDR is already the client's address: the proxy setting is
        # applied by middleware before any view runs.
        return cls(
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=(request.META.get("HTTP_USER_AGENT") or "")[:500],
        )


SYSTEM = RequestMeta()
