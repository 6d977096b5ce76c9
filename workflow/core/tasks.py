"""The sweeper's periodic task (beat runs it every few minutes on the default queue)."""

from __future__ import annotations

from celery import shared_task

from workflow.core import sweeper


@shared_task(name="workflow.core.tasks.sweep")
def sweep() -> dict[str, int]:
    return sweeper.sweep()
