from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_migrate
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
    "workflow.after_signing.tasks",
)


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = _("Werkstroom")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        for module in TASK_MODULES:
            import_module(module)
        post_migrate.connect(_load_shipped_models, sender=self, dispatch_uid="samenkader-shipped-models")


def _load_shipped_models(sender, using="default", **kwargs) -> None:
    """After every ``migrate``: Samenkader's own model agreements match the files the release ships, so a new
    install offers them at once and a new release's texts become their next revision."""
    from django.db import connections

    from agreements.models import ModelAgreement
    from workflow.lifecycle.services.model_agreements import shipped_models_load

    # Migrated back below the table's migration, there is nothing to load into.
    if using == "default" and ModelAgreement._meta.db_table in connections[using].introspection.table_names():
        shipped_models_load()
