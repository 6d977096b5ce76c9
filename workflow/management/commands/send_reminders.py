"""Send the reminders that are due now, or with --dry-run only show them."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from workflow.notifications.reminders import due_reminders, send_due_reminders


class Command(BaseCommand):
    help = "Send the reminders that are due now (beat does this hourly). --dry-run shows what would be sent."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only print what would be sent, to whom and why.")

    def handle(self, *args, dry_run: bool = False, **options):
        if not dry_run:
            created = send_due_reminders()
            self.stdout.write(f"{created} reminder(s) queued for delivery.")
            return
        due = due_reminders()
        for item in due:
            self.stdout.write(
                f"{item.kind:<10} {item.agreement.reference:<14} {item.recipient.email:<40} "
                f"period {item.period:<14} {item.reason}"
            )
        self.stdout.write(f"{len(due)} reminder(s) would be sent. Nothing was sent (dry run).")
