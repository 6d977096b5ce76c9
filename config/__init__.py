# Load the Celery app whenever Django starts, so that publishing a task from a
# web process uses the configured broker (worker -> workflow, config -> worker).
from worker import celery_app

__all__ = ["celery_app"]
