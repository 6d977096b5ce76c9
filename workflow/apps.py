from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
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
        _renew_figures_on_settings_changes()


def _renew_figures_on_settings_changes() -> None:
    """Who is a member in which role, an organisation's signing settings and the reminder policies decide what
    waits on whom (the home page's cached lists, lifecycle/selectors/home.py): any change to them, through a
    service or the admin, renews the token of everyone (core/figures.py). Membership changes also change what
    a person sees, which the figures of the long run (monitoring/overview.py) read the same token for."""
    from agreements.models import AdvisorAccess, Membership, Organisation
    from workflow.core.figures import settings_changed, visibility_changed
    from workflow.models import ReminderPolicy

    for signal in (post_save, post_delete):
        for model in (Membership, Organisation, ReminderPolicy):
            signal.connect(settings_changed, sender=model, dispatch_uid=f"samenkader-figures-{model.__name__}")
        # An advisor grant changes what its organisation sees: its figures of the long run follow at once.
        signal.connect(visibility_changed, sender=AdvisorAccess, dispatch_uid="samenkader-visibility-advisoraccess")


def _load_shipped_models(sender, using="default", **kwargs) -> None:
    """After every ``migrate``: Samenkader's own model agreements match the files the release ships, so a new
    install offers them at once and a new release's texts become their next revision."""
    from django.db import connections

    from agreements.models import ModelAgreement
    from workflow.lifecycle.services.model_agreements import shipped_models_load

    # Migrated back below the table's migration, there is nothing to load into.
    if using == "default" and ModelAgreement._meta.db_table in connections[using].introspection.table_names():
        shipped_models_load()
