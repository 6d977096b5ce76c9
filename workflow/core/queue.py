"""Handing work to the worker by task name, after commit. A broker that does not answer only delays it.

Domain code never imports a task module (tasks sit above the code they
call): it publishes by the task's registered name. Publishing never raises
into a request: the broker's timeouts are short, a failure is logged, and the
work stays visible in the database, where the sweeper finds it again.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
from collections.abc import Iterator

from celery import current_app
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


#: While set, publish() records instead of sending (see publishing_held).
_held: contextvars.ContextVar[list[tuple[str, dict]] | None] = contextvars.ContextVar("publishing_held", default=None)


@contextlib.contextmanager
def publishing_held() -> Iterator[list[tuple[str, dict]]]:
    """Send nothing to the broker inside this block; yield the list of what would have been sent.

    For replaying history (the demo data): its work stays visible in the
    database, and the sweeper (which the worker also runs when it starts)
    queues it, once, when a worker is there to do it. Transactions that
    commit inside the block are held too, because their on-commit publishes
    run inside it.
    """
    held: list[tuple[str, dict]] = []
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)


def publish(task_name: str, *, kwargs: dict) -> bool:
    """Publish one task now. False (logged) when the broker does not answer."""
    held = _held.get()
    if held is not None:
        held.append((task_name, kwargs))
        return True
    try:
        # By name from the app's registry: the caller imports no task module. A registered task
        # is published through its own apply_async, which honours its options (and eager mode).
        task = current_app.tasks.get(task_name)
        if task is not None:
            task.apply_async(kwargs=kwargs, retry=False)
        else:
            current_app.send_task(task_name, kwargs=kwargs, retry=False)
        return True
    except Exception:  # noqa: BLE001 - the broker may be down; the sweeper queues the work again
        logger.warning("Could not queue %s(%s); the sweeper will", task_name, kwargs, exc_info=True)
        return False


def publish_on_commit(task_name: str, *, kwargs: dict) -> None:
    """Publish once the surrounding transaction commits; a rolled-back change queues nothing."""
    held = _held.get()
    if held is not None:  # held when asked, whenever the transaction commits
        held.append((task_name, kwargs))
        return
    transaction.on_commit(lambda: publish(task_name, kwargs=kwargs), robust=True)


def sweeper_grace() -> dt.timedelta:
    """Pending work younger than this may still be on its way: the sweeper leaves it alone."""
    return dt.timedelta(seconds=settings.SWEEPER_GRACE_SECONDS)
