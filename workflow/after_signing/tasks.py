"""Periodic work after signing: on the agreed evaluation date, the joint evaluation starts."""

from __future__ import annotations

from celery import shared_task

from workflow.after_signing.services.evaluations import evaluations_start_due


@shared_task(name="workflow.after_signing.tasks.start_due_evaluations")
def start_due_evaluations() -> int:
    return evaluations_start_due()
