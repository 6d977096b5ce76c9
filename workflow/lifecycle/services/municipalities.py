"""A municipality merged into another: its open agreements move to the successor, each with a line in its log.

Only agreements still being drafted or reviewed move: from then on the successor reviews, approves and signs
them. An approved agreement whose signatures are being collected, and a signed, expired, superseded or
withdrawn one, stays with the municipality that signed (or is signing) it: the signing record (who signed for
which party, the signature page of the sealed PDF, the signing status on the page) follows the agreement's
parties, and moving it would show the successor as a party that did not sign. ``agreements_left_with``
names them, for the command to report. Frozen versions never change either way: their canonical content
holds the parties as they were.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from agreements.choices import AgreementState, AuditAction
from agreements.models import Agreement, Organisation
from workflow.core.audit import record
from workflow.core.figures import renew_visibility_tokens
from workflow.core.locking import lock_agreement
from workflow.core.request_meta import SYSTEM

MOVING_STATES = (AgreementState.DRAFT, AgreementState.IN_REVIEW)


def final_successor(municipality: Organisation) -> Organisation:
    """Where a municipality ended up after one merger or several (A into B, later B into C: C)."""
    seen = {municipality.pk}
    while municipality.merged_into_id is not None and municipality.merged_into_id not in seen:
        municipality = Organisation.objects.get(pk=municipality.merged_into_id)
        seen.add(municipality.pk)
    return municipality


def agreements_move_to_successor(*, merged: Organisation, on: dt.date) -> int:
    """Move the drafts and agreements in review of ``merged`` to its final successor; returns how many.

    Each in its own transaction, under the agreement's row lock, so a move never meets a transition half-way.
    """
    successor = final_successor(merged)
    moved = 0
    open_ones = Agreement.objects.filter(municipality=merged, state__in=MOVING_STATES)
    for pk in open_ones.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            agreement = lock_agreement(pk)
            if agreement.municipality_id != merged.pk or agreement.state not in MOVING_STATES:
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
            renew_visibility_tokens([merged.pk, successor.pk, agreement.initiative_id])
            moved += 1
    return moved


def agreements_left_with(merged: Organisation) -> list[str]:
    """The references of the agreements that stay with a merged municipality (approved, signed and closed ones)."""
    return list(
        Agreement.objects.filter(municipality=merged)
        .exclude(state__in=MOVING_STATES)
        .order_by("reference")
        .values_list("reference", flat=True)
    )
