from django.core.management.base import BaseCommand, CommandError

from workflow.demo.seed import seed_demo


class Command(BaseCommand):
    help = "Load the demo organisations, users and agreements (idempotent; refused in production)."

    def handle(self, *args, **options):
        try:
            seed_demo(stdout=self.stdout)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
