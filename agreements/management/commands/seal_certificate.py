"""Create the self-signed development seal certificate once (``make run`` calls this)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agreements.seal import create_development_certificate


class Command(BaseCommand):
    requires_system_checks = []
    help = "Create a self-signed seal certificate at SEAL_PKCS12_PATH if there is none (development only)."

    def handle(self, *args, **options):
        path = Path(settings.SEAL_PKCS12_PATH) if settings.SEAL_PKCS12_PATH else None
        if path is not None and path.is_file():
            self.stdout.write(f"Seal certificate present: {path}")
            return
        if settings.PRODUCTION:
            # A self-signed seal proves nothing to the outside world; production brings its own.
            raise CommandError("Production needs a real seal certificate: set SEAL_PKCS12_PATH.")
        if path is None:
            raise CommandError("SEAL_PKCS12_PATH is empty.")
        create_development_certificate(path, settings.SEAL_PKCS12_PASSPHRASE)
        self.stdout.write(self.style.SUCCESS(f"Created a self-signed development seal certificate: {path}"))
