"""The id of the request being served (or of the request that queued the task being run).

One id follows an action through the request log, the audit rows it writes
and the tasks it queues (a Celery header, set again in the worker), so an
operator can put the pieces of one action together. A context variable, so
threads and the worker's tasks each have their own.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

_current: ContextVar[str] = ContextVar("samenkader_request_id", default="")

#: What an id from outside (a proxy's X-Request-ID, a task header) must look like to be believed.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str:
    return _current.get()


def set_request_id(value: str):
    """Set the id for what runs now; returns a token for ``reset_request_id``."""
    return _current.set(value if VALID_REQUEST_ID.match(value or "") else "")


def reset_request_id(token) -> None:
    _current.reset(token)
