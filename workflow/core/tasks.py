"""The sweeper's periodic task (beat runs it every few minutes on the default queue)."""

from __future__ import annotations

from celery import shared_task

from workflow.core import sweeper
from workflow.core.security_log import security_log_purge


@shared_task(name="workflow.core.tasks.sweep")
def sweep() -> dict[str, int]:
    return sweeper.sweep()


@shared_task(name="workflow.core.tasks.purge_security_log")
def purge_security_log() -> int:
    return security_log_purge()
