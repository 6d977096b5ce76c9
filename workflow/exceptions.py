"""The errors a service can raise. Views map them to 404 / 403 / 409 / 400.

Every message is a complete sentence for the person in front of the screen,
translated into their language, and says what the state is now.
"""

from __future__ import annotations


class ServiceError(Exception):
    http_status = 400

    def __init__(self, message: str = "", **context) -> None:
        super().__init__(message)
        self.message = str(message)
        self.context = context


class NotFound(ServiceError):
    """The actor cannot see this: for them it does not exist."""

    http_status = 404


class NotPermitted(ServiceError):
    """The actor sees it, but may not do this."""

    http_status = 403


class Conflict(ServiceError):
    """Not possible in this state, someone else acted first, or the form was stale."""

    http_status = 409

    def __init__(self, message: str = "", *, state: str | None = None, **context) -> None:
        super().__init__(message, state=state, **context)
        self.state = state


class StaleRevision(Conflict):
    """The draft was saved by someone else after this form was loaded."""

    def __init__(self, message: str = "", *, current_revision: int, **context) -> None:
        super().__init__(message, current_revision=current_revision, **context)
        self.current_revision = current_revision


class ContentIncomplete(Conflict):
    """The draft cannot be submitted yet; ``missing`` says what is missing."""

    def __init__(self, message: str = "", *, missing: list[str], **context) -> None:
        super().__init__(message, missing=missing, **context)
        self.missing = missing


class InvalidInput(ServiceError):
    """Input that cannot be accepted; ``errors`` maps a field name to messages."""

    http_status = 400

    def __init__(self, message: str = "", *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message, errors=errors or {})
        self.errors = errors or {}
