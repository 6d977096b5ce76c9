"""The Celery runtime. Tasks live in each concern's tasks.py inside workflow/; this only configures and runs them.

Without CELERY_BROKER_URL the embedded default uses Celery's filesystem
transport under var/broker, so `make run` needs no Redis.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from celery import Celery
from celery.schedules import crontab
from celery.signals import before_task_publish, task_postrun, task_prerun, worker_ready
from kombu import Exchange, Queue

from workflow.core.request_context import current_request_id, new_request_id, reset_request_id, set_request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("samenkader")
app.config_from_object("django.conf:settings", namespace="CELERY")

DOCUMENT_TASKS = "workflow.documents.tasks."
SWEEP_TASK = "workflow.core.tasks.sweep"


class DocumentTaskLimits:
    """Task annotation: PDF rendering and sealing get longer time limits than the rest."""

    def annotate(self, task):
        from django.conf import settings

        if task.name.startswith(DOCUMENT_TASKS):
            return {
                "soft_time_limit": settings.WORKER_DOCUMENTS_SOFT_TIME_LIMIT,
                "time_limit": settings.WORKER_DOCUMENTS_TIME_LIMIT,
            }
        return None


def filesystem_transport_options(broker_dir: Path) -> dict:
    """One folder for messages (producer and consumer alike), one for exchange tables, one for processed files."""
    folders = {name: broker_dir / name for name in ("messages", "control", "processed")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folders["messages"]),
        "data_folder_out": str(folders["messages"]),
        "control_folder": str(folders["control"]),
        "processed_folder": str(folders["processed"]),
        "store_processed": False,
    }


def broker_settings(settings) -> dict:
    timeout = settings.WORKER_BROKER_TIMEOUT
    if settings.CELERY_BROKER_URL:
        return {
            "broker_url": settings.CELERY_BROKER_URL,
            "broker_transport_options": {
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
                # A publish fails fast instead of retrying while the request waits.
                "max_retries": 1,
                "interval_start": 0,
                "interval_step": 0.2,
                "interval_max": 0.5,
                # Messages a dead worker took but never acknowledged come back after this.
                "visibility_timeout": 3600,
            },
        }
    return {
        "broker_url": "filesystem://",
        "broker_transport_options": filesystem_transport_options(Path(settings.CELERY_BROKER_FILESYSTEM_DIR)),
    }


app.conf.update(
    broker_connection_retry_on_startup=True,
    broker_pool_limit=10,
    # JSON only: a message is data, never code.
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    event_serializer="json",
    # Results are never read: tasks record their outcome in the database.
    task_ignore_result=True,
    result_backend=None,
    # Acknowledge after the task ran, one message at a time, and hand the
    # message back when the worker process dies: work is never lost, and
    # every task is idempotent because it can run twice.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_annotations=[DocumentTaskLimits()],
    # The web request never waits on the broker: one quick try, then the
    # outbox row waits for the sweeper.
    task_publish_retry=False,
    task_publish_retry_policy={"max_retries": 0},
    task_default_queue="default",
    task_queues=(
        Queue("default", Exchange("default"), routing_key="default"),
        Queue("documents", Exchange("documents"), routing_key="documents"),
    ),
    task_default_exchange="default",
    task_default_routing_key="default",
    task_routes={f"{DOCUMENT_TASKS}*": {"queue": "documents", "routing_key": "documents"}},
    worker_hijack_root_logger=False,
    # A task still running when the broker goes away finishes; its message may come again, which is harmless.
    worker_cancel_long_running_tasks_on_connection_loss=False,
)


@app.on_after_configure.connect
def configure_from_settings(sender: Celery, **kwargs) -> None:
    """The values that come from Django settings, read once settings are loaded (not at import)."""
    from django.conf import settings

    sender.conf.update(
        **broker_settings(settings),
        broker_connection_timeout=settings.WORKER_BROKER_TIMEOUT,
        task_soft_time_limit=settings.WORKER_SOFT_TIME_LIMIT,
        task_time_limit=settings.WORKER_TIME_LIMIT,
        timezone=settings.TIME_ZONE,
        beat_schedule_filename=settings.CELERY_BEAT_SCHEDULE_FILENAME,
        beat_schedule={
            "sweep-pending-work": {
                "task": SWEEP_TASK,
                "schedule": timedelta(seconds=settings.SWEEPER_INTERVAL_SECONDS),
                "options": {"expires": settings.SWEEPER_INTERVAL_SECONDS},
            },
            "send-reminders": {
                "task": "workflow.notifications.tasks.send_reminders",
                "schedule": timedelta(seconds=settings.REMINDER_INTERVAL_SECONDS),
                "options": {"expires": settings.REMINDER_INTERVAL_SECONDS},
            },
            "send-digests": {
                "task": "workflow.notifications.tasks.send_digests",
                "schedule": crontab(hour=settings.DIGEST_HOUR, minute=0),
            },
            "expire-agreements": {
                "task": "workflow.lifecycle.tasks.expire_agreements",
                "schedule": crontab(hour=settings.EXPIRY_HOUR, minute=15),
            },
            "start-due-evaluations": {
                "task": "workflow.after_signing.tasks.start_due_evaluations",
                "schedule": crontab(hour=settings.EXPIRY_HOUR, minute=30),
            },
            "purge-security-log": {
                "task": "workflow.core.tasks.purge_security_log",
                "schedule": crontab(hour=settings.EXPIRY_HOUR, minute=45),
            },
        },
    )


# Each concern keeps its tasks in its own tasks.py (workflow.apps.TASK_MODULES lists them).
app.autodiscover_tasks(["workflow.core", "workflow.lifecycle", "workflow.notifications", "workflow.documents"])


# --- The request id travels with the work it queued -------------------------
# A task published while serving a request carries that request's id in a header; the worker sets it
# again while the task runs, so its log lines and the audit rows it writes name the same request.
REQUEST_ID_HEADER = "samenkader_request_id"


@before_task_publish.connect
def add_request_id_header(headers: dict | None = None, **kwargs) -> None:
    request_id = current_request_id()
    if headers is not None and request_id:
        headers[REQUEST_ID_HEADER] = request_id


@task_prerun.connect
def take_request_id_from_header(task=None, **kwargs) -> None:
    offered = getattr(task.request, REQUEST_ID_HEADER, None) if task is not None else None
    # Run in the same process (eager, in tests), the publishing request's id is still the current one.
    task.request.samenkader_request_token = set_request_id(offered or current_request_id() or new_request_id())


@task_postrun.connect
def forget_request_id(task=None, **kwargs) -> None:
    token = getattr(task.request, "samenkader_request_token", None) if task is not None else None
    if token is not None:
        reset_request_id(token)


@worker_ready.connect
def sweep_when_ready(sender=None, **kwargs) -> None:
    """A worker that starts queues the work waiting in the database at once, not at beat's first interval:
    what was held while loading the demo, or left by a broker outage while no worker ran."""
    from workflow.core.queue import publish

    publish(SWEEP_TASK, kwargs={})
