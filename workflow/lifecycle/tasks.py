"""Periodic work of the lifecycle: the daily expiry of signed agreements whose validity has passed."""

from __future__ import annotations

from celery import shared_task

from workflow.lifecycle.services.expiry import expire_due_agreements


@shared_task(name="workflow.lifecycle.tasks.expire_agreements")
def expire_agreements() -> int:
    return expire_due_agreements()
