"""Reads for the escalations of an agreement that came from the visibility selector."""

from __future__ import annotations

from django.utils.translation import gettext as _

from agreements.models import Agreement, Escalation
from workflow.core.exceptions import NotFound


def escalations_of(agreement: Agreement) -> list[Escalation]:
    """Every escalation of the agreement, newest first (one query)."""
    return list(Escalation.objects.filter(agreement=agreement).select_related("raised_by_party"))


def escalation_get(agreement: Agreement, pk: int) -> Escalation:
    """One escalation with its steps and who raised it (two queries)."""
    escalation = (
        Escalation.objects.filter(agreement=agreement, pk=pk)
        .select_related("raised_by", "raised_by_party")
        .prefetch_related("steps__ended_by")
        .first()
    )
    if escalation is None:
        raise NotFound(_("Deze escalatie bestaat niet."))
    return escalation


def ladder_view(escalation: Escalation) -> list[dict]:
    """The ladder as the page shows it: each step with its record (when it was reached) and where it stands."""
    records = {record.position: record for record in escalation.steps.all()}
    rows = []
    for position, step in enumerate(escalation.ladder):
        record = records.get(position)
        if record is None:
            state = "ahead"
        elif record.ended_at is None:
            state = "current"
        else:
            state = "done"
        rows.append({"position": position + 1, **step, "record": record, "state": state})
    return rows
