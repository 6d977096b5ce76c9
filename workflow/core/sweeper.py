"""The sweeper: work whose pending state is visible in the database is queued again.

A lost message, a broker outage or a killed worker only delays work: every
few minutes beat runs ``sweep``, which calls each registered re-queuer.

PENDING WORK RE-QUEUERS: to make another kind of pending work safe, write a
function that finds it with an indexed query, publishes its task (catching
publish errors) and returns how many it queued, then register it:

    # workflow/documents/tasks.py
    register_requeuer(signed_documents_requeue_missing)

Each concern registers its own in its tasks.py, which workflow/apps.py imports
at start-up; this module imports none of them.

Tasks must be idempotent: the sweeper may queue work that is already on its
way, and the task then finds nothing to do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

Requeuer = Callable[[], int]

#: Every function that finds pending work and queues it again. Append with register_requeuer.
PENDING_WORK_REQUEUERS: list[Requeuer] = []


def register_requeuer(function: Requeuer) -> Requeuer:
    if function not in PENDING_WORK_REQUEUERS:
        PENDING_WORK_REQUEUERS.append(function)
    return function


def sweep() -> dict[str, int]:
    """Run every re-queuer; one failing never stops the others."""
    result: dict[str, int] = {}
    for requeuer in list(PENDING_WORK_REQUEUERS):
        name = getattr(requeuer, "__name__", repr(requeuer))
        try:
            result[name] = requeuer()
        except Exception:  # noqa: BLE001 - a broken re-queuer must not stop the rest
            logger.exception("Sweeper: %s failed", name)
            result[name] = -1
    return result
