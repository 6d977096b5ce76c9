"""A municipality merged into another: its agreements move to the successor, each with a line in its log.

The agreement's municipality changes; its frozen and signed versions do not: their canonical content
holds the parties as they were when the version was frozen, so the signatures and the sealed PDF keep
naming the municipality that signed.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from agreements.choices import AuditAction
from agreements.models import Agreement, Organisation
from workflow.core.request_meta import SYSTEM
from workflow.lifecycle.services.common import lock_agreement, record


def agreements_move_to_successor(*, merged: Organisation, successor: Organisation, on: dt.date) -> int:
    """Move every agreement of ``merged`` to ``successor``; returns how many. Each in its own transaction."""
    moved = 0
    for pk in Agreement.objects.filter(municipality=merged).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            agreement = lock_agreement(pk)
            if agreement.municipality_id != merged.pk:
                continue
            agreement.municipality = successor
            agreement.save(update_fields=["municipality"])
            record(
                agreement=agreement,
                actor=None,
                action=AuditAction.MUNICIPALITY_MERGED,
                request_meta=SYSTEM,
                note=f"{merged.name} → {successor.name} ({on:%d-%m-%Y})",
                also_seen_by=(merged.pk,),
            )
            moved += 1
    return moved
