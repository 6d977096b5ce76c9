"""Reads for the member pages."""

from __future__ import annotations

from django.db.models import QuerySet

from agreements.models import MembershipEvent, Organisation


def member_log_for(organisation: Organisation) -> QuerySet[MembershipEvent]:
    """The organisation's member log, newest first."""
    return (
        MembershipEvent.objects.filter(organisation=organisation)
        .select_related("actor", "subject")
        .order_by("-at", "-pk")
    )
