"""Load every Dutch municipality from CBS's list, or refresh it from a newer one with that year's mergers."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agreements.models import Organisation
from workflow.lifecycle.services.municipalities import (
    agreements_left_with,
    agreements_move_to_successor,
    final_successor,
)
from workflow.members.services.municipalities import (
    SHIPPED_LIST,
    ListError,
    municipalities_load,
    read_mergers,
    read_municipality_list,
)


class Command(BaseCommand):
    help = (
        "Create every municipality of CBS's list that is missing (default: the list the project ships) and follow "
        "its provinces. With --mergers (old_code,successor_code,date per line), mark the merged municipalities "
        "and move their agreements to the successor, each with a line in its log. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--list", type=Path, default=SHIPPED_LIST, help="CSV: cbs_code,name,province")
        parser.add_argument("--mergers", type=Path, help="CSV: old_code,successor_code,date (YYYY-MM-DD)")

    def handle(self, *args, list: Path, mergers: Path | None, **options):  # noqa: A002 - the option's name
        try:
            rows = read_municipality_list(list)
            result = municipalities_load(rows=rows, mergers=read_mergers(mergers) if mergers else [])
        except (ListError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{len(rows)} municipalities in the list: {len(result.created)} created, "
            f"{len(result.province_changed)} moved to another province."
        )
        for merged, successor, on in result.merged:
            self.stdout.write(f"{merged.name} merged into {successor.name} on {on}.")
        # Every merged municipality that still has open agreements, also one of an earlier run that stopped half-way.
        for merged in Organisation.objects.filter(merged_into__isnull=False).order_by("merged_on", "pk"):
            moved = agreements_move_to_successor(merged=merged, on=merged.merged_on)
            if moved:
                successor = final_successor(merged)
                self.stdout.write(f"{moved} agreement(s) of {merged.name} moved to {successor.name}.")
            left = agreements_left_with(merged)
            if left:
                self.stdout.write(
                    f"{len(left)} approved, signed or closed agreement(s) stay with {merged.name}, as signed: "
                    + ", ".join(left)
                )
        if result.missing_without_successor:
            self.stderr.write(
                "Not in the list, and no merger says where they went (left as they are): "
                + ", ".join(result.missing_without_successor)
            )
