"""The demo's clock: replay one step of the story at the moment it happened.

The services and models read the time in two ways: by calling
``django.utils.timezone.now()`` (the services, the transitions'
``_moved``, ``timezone.localdate()``, ``auto_now_add``), and through
``default=timezone.now`` on a field (``AuditEvent.at``, ``Signature.signed_at``,
``AdvisorAccess.granted_at``, ``User.date_joined``, ...), which holds the
function itself. ``clock_at`` sets both to the story's moment for the
duration of one step, so every row is written with the time it would have had
and nothing is rewritten afterwards: the audit log and the signatures refuse
every later change (on PostgreSQL a trigger does).

Only for loading demo data in one thread: the patch is process-wide.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.apps import apps
from django.db.models import Field
from django.utils import timezone

_REAL_NOW = timezone.now


def _fields_defaulting_to_now() -> list[Field]:
    return [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.has_default() and field.default is _REAL_NOW
    ]


def _set_default(field: Field, default) -> None:
    field.default = default
    # Field caches the callable it will call; drop the cache so the new default is read.
    field.__dict__.pop("_get_default", None)


@contextlib.contextmanager
def clock_at(moment: dt.datetime) -> Iterator[None]:
    """Within this block "now" is ``moment`` (aware) for the services, the models and their defaults."""
    if timezone.is_naive(moment):
        raise ValueError("The demo clock needs an aware moment.")
    if moment > _REAL_NOW():
        raise ValueError(f"The demo story cannot happen in the future ({moment.isoformat()}).")

    def now() -> dt.datetime:
        return moment

    fields = _fields_defaulting_to_now()
    timezone.now = now
    for field in fields:
        _set_default(field, now)
    try:
        yield
    finally:
        timezone.now = _REAL_NOW
        for field in fields:
            _set_default(field, _REAL_NOW)
