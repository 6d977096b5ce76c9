"""What waits on platform staff: the queues their start page links to.

Staff belong to no organisation; their work is the first contacts an
initiative asked for (confirm or reject, ``members/views/staff.py``), the
initiatives that registered themselves (look at them, suspend one) and the
e-mail outbox in the admin (failed deliveries to look at and send again).
"""

from __future__ import annotations

from dataclasses import dataclass

from agreements.choices import OrganisationKind
from agreements.models import Invitation, Organisation
from workflow.models import Notification, NotificationStatus


@dataclass(frozen=True)
class StaffQueues:
    first_contacts_awaiting: int
    notifications_failed: int
    initiatives_to_check: int


def staff_queues() -> StaffQueues:
    """How many first contacts wait for confirmation, e-mails failed and new initiatives wait to be looked at."""
    return StaffQueues(
        first_contacts_awaiting=Invitation.objects.open()
        .filter(is_first_contact=True, status=Invitation.Status.AWAITING_CONFIRMATION)
        .count(),
        notifications_failed=Notification.objects.filter(status=NotificationStatus.FAILED).count(),
        initiatives_to_check=Organisation.objects.filter(
            kind=OrganisationKind.INITIATIVE, registered_at__isnull=False, checked_at__isnull=True
        ).count(),
    )
