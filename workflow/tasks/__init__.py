"""Celery tasks: thin functions that load by id, call a workflow function and return.

Celery's autodiscovery imports this package; each task module is imported
here so that every task is registered.
"""

from . import (
    documents,  # noqa: F401
    notifications,  # noqa: F401
)
