"""Bring Samenkader's own model agreements in line with the files in workflow/lifecycle/data/model_agreements/.

``migrate`` does this too; the command is for checking a changed text without a migration.
"""

from django.core.management.base import BaseCommand

from workflow.lifecycle.services.model_agreements import read_shipped_models, shipped_models_load


class Command(BaseCommand):
    help = "Publish Samenkader's model agreements from the shipped files (a changed text becomes a new revision)."

    def handle(self, *args, **options) -> None:
        count = len(read_shipped_models())
        published = shipped_models_load()
        self.stdout.write(f"{count} model texts read, {published} revisions published.")
