"""Which e-mails a person may get once a day instead of at once, and what they chose.

Each event here can wait for the daily overview (notifications/digest.py).
Reminders, invitations, password resets and security e-mails (signing
blocked) are not here: they always go at once. No preference row means at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agreements.models import User
from workflow.models import Delivery, NotificationPreference
from workflow.notifications.events import Event


@dataclass(frozen=True)
class EventKind:
    event: str
    label: Promise  # the kind of e-mail, also the line in the daily overview
    hint: Promise  # when it comes


# In the order an agreement meets them. A new event that people hear about gets a line here.
EVENT_KINDS: tuple[EventKind, ...] = (
    EventKind(Event.SUBMITTED, _("Ingediend ter beoordeling"), _("Als een afspraak bij u ter beoordeling komt.")),
    EventKind(Event.CHANGES_REQUESTED, _("Wijzigingen gevraagd"), _("Als de gemeente om wijzigingen vraagt.")),
    EventKind(Event.COMMENTED, _("Nieuwe opmerking"), _("Als iemand een opmerking plaatst of op de uwe reageert.")),
    EventKind(Event.APPROVED, _("Goedgekeurd, klaar om te tekenen"), _("Als een afspraak klaar is om te tekenen.")),
    EventKind(Event.SIGNATURE_ADDED, _("Handtekening gezet"), _("Als iemand tekent en uw handtekening nog nodig is.")),
    EventKind(Event.SIGNED, _("Volledig ondertekend"), _("Als alle handtekeningen er zijn.")),
    EventKind(Event.DOCUMENT_READY, _("Getekend document klaar"), _("Als het getekende document te downloaden is.")),
    EventKind(Event.REOPENED, _("Heropend"), _("Als een goedgekeurde afspraak weer wordt opengesteld.")),
    EventKind(Event.WITHDRAWN, _("Ingetrokken"), _("Als de initiatiefnemers een afspraak intrekken.")),
    EventKind(Event.AMENDED, _("Wijziging gestart"), _("Als een getekende afspraak wordt gewijzigd.")),
    EventKind(Event.EXPIRED, _("Verlopen"), _("Als de looptijd van een afspraak voorbij is.")),
)

DIGEST_EVENTS = frozenset(kind.event for kind in EVENT_KINDS)
LABELS = {kind.event: kind.label for kind in EVENT_KINDS}


def deliveries_for(*, user: User) -> dict[str, str]:
    """Each event that can wait, with how this person wants it (at once when they never chose)."""
    chosen = dict(
        NotificationPreference.objects.filter(user=user, event__in=DIGEST_EVENTS).values_list("event", "delivery")
    )
    return {kind.event: chosen.get(kind.event, Delivery.IMMEDIATE) for kind in EVENT_KINDS}


def with_digest_choice(users: QuerySet[User], *, event: str) -> QuerySet[User]:
    """The people, each with ``wants_digest``: whether they want ``event`` in the daily overview.

    Read in the same query as the people themselves; ``notify`` holds the rows of
    those who do. An event that cannot wait adds nothing (``notify`` then knows nobody wants it held).
    """
    if event not in DIGEST_EVENTS:
        return users
    chosen = NotificationPreference.objects.filter(user=OuterRef("pk"), event=event, delivery=Delivery.DIGEST)
    return users.annotate(wants_digest=Exists(chosen))


def digest_recipient_ids(*, event: str, user_ids: Iterable[int]) -> set[int]:
    """Of these people, who wants e-mails about ``event`` in the daily overview."""
    if event not in DIGEST_EVENTS:
        return set()
    return set(
        NotificationPreference.objects.filter(
            user_id__in=list(user_ids), event=event, delivery=Delivery.DIGEST
        ).values_list("user_id", flat=True)
    )
