from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Every module that defines tasks. Importing them at start-up registers the
# tasks and lets each concern add its re-queuer to the sweeper (core/sweeper.py),
# in the web process, the worker and the tests alike.
TASK_MODULES = (
    "workflow.core.tasks",
    "workflow.lifecycle.tasks",
    "workflow.notifications.tasks",
    "workflow.documents.tasks",
    "workflow.webhooks.tasks",
)


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Werkstroom")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        for module in TASK_MODULES:
            import_module(module)
