"""Where an action came from (address, browser), for the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field

from workflow.core.request_context import current_request_id
from workflow.models import ApiToken


@dataclass(frozen=True)
class RequestMeta:
    """Where an action came from, for the audit log. Empty for the system's own actions."""

    ip_address: str | None = None
    user_agent: str = ""
    # The request's id, or for the system's own actions in a task the id of the request that queued it.
    request_id: str = field(default_factory=current_request_id)
    # Through the API with a personal token: the token's name, for the log ("via API-token <name>").
    api_token: str = ""

    @classmethod
    def from_request(cls, request) -> RequestMeta:
        # REMOTE_ADDR is already the client's address: the proxy setting is
        # applied by middleware before any view runs.
        return cls(
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=(request.META.get("HTTP_USER_AGENT") or "")[:500],
            request_id=current_request_id(),
            api_token=_token_name(getattr(request, "auth", None)),
        )


def _token_name(auth) -> str:
    """The name of the personal API token a DRF request was authenticated with (none for a session)."""
    return auth.name if isinstance(auth, ApiToken) else ""


SYSTEM = RequestMeta(request_id="")


def request_id_of(request_meta: RequestMeta) -> str:
    """The id to write on an audit row: the request's own, or the one of the task running now."""
    return request_meta.request_id or current_request_id()
