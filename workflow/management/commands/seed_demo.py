from django.core.management.base import BaseCommand, CommandError

from workflow.demo.seed import seed_demo


class Command(BaseCommand):
    help = "Load the demo organisations, users and agreements (idempotent; refused in production)."

    def handle(self, *args, **options):
        try:
            held = seed_demo(stdout=self.stdout)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        if held:
            # Nothing was sent to the broker while loading: the worker's sweep finds the work in the database.
            self.stdout.write(f"{held} task(s) wait in the database; a worker queues them when it starts.")
