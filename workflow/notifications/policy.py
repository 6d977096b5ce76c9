"""The reminder policy: the defaults in settings.REMINDERS, overridden per municipality (ReminderPolicy).

Read here and only here, by the reminders and by the home page's due dates alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from workflow.models import ReminderPolicy

POLICY_FIELDS = (
    "enabled",
    "review_after_days",
    "signature_after_days",
    "evaluation_within_days",
    "expiry_within_days",
    "period_days",
    "decision_within_days",
    "decision_slip_days",
)


@dataclass(frozen=True)
class Policy:
    enabled: bool = True
    review_after_days: int = 7
    signature_after_days: int = 7
    evaluation_within_days: int = 14
    expiry_within_days: int = 30
    period_days: int = 7
    decision_within_days: int = 14
    decision_slip_days: int = 60


def default_policy() -> Policy:
    values = {name: settings.REMINDERS[name] for name in POLICY_FIELDS if name in settings.REMINDERS}
    return Policy(**values)


class Policies:
    """The default policy and every municipality's override, read in one query."""

    def __init__(self) -> None:
        self.default = default_policy()
        self.overrides: dict[int, Policy] = {}
        for row in ReminderPolicy.objects.all():
            values = {name: getattr(row, name) for name in POLICY_FIELDS}
            merged = {name: getattr(self.default, name) if value is None else value for name, value in values.items()}
            self.overrides[row.municipality_id] = Policy(**merged)

    def for_municipality(self, municipality_id: int) -> Policy:
        return self.overrides.get(municipality_id, self.default)

    def condition(self, build) -> Q:
        """OR of ``build(policy)`` per override plus the default for everyone else; disabled ones drop out.

        ``build`` returns the Q for one policy, so the database selects what is
        due with each municipality's own numbers in a single query.
        """
        condition = Q(pk__in=[])
        for municipality_id, policy in self.overrides.items():
            if policy.enabled:
                condition |= Q(municipality_id=municipality_id) & build(policy)
        if self.default.enabled:
            condition |= ~Q(municipality_id__in=list(self.overrides)) & build(self.default)
        return condition
