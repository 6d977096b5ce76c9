"""Fixtures for the worker's unit tests: an eager Celery app and a fake SMTP refusal.

Unit tests only: the integration tests (tests/integration/test_worker_*.py)
run real worker processes instead.
"""

from __future__ import annotations

import pytest

from worker import celery_app


@pytest.fixture
def eager_celery():
    """Tasks run in this process when published, so a unit test can follow them to the outbox."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield celery_app
    celery_app.conf.task_always_eager = previous
