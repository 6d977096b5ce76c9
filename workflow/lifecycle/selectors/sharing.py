"""Where the sharing of a signed agreement in the public examples stands, for the agreement page's panel and the
examples' consent page (``workflow/examples/``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from agreements.models import Agreement, Organisation, PublicationConsent, PublicExample, User
from workflow.core.access import sharing_party_for


@dataclass(frozen=True)
class SharingState:
    """Where the sharing of a signed agreement stands, for the agreement page's panel."""

    party: Organisation | None  # the party this person may consent for (None: they may not)
    own_consent: PublicationConsent | None
    other_consent: PublicationConsent | None
    example: PublicExample | None  # on show now

    @property
    def waiting_for_other(self) -> bool:
        return self.own_consent is not None and self.example is None


def sharing_state(user: User, agreement: Agreement) -> SharingState:
    """One query: the standing consents, each with the slug of the public example if there is one (an example is
    on show only while both parties' consents stand, so without consents there is none to look for)."""
    party = sharing_party_for(user, agreement)
    on_show = PublicExample.objects.filter(agreement=OuterRef("agreement_id"), withdrawn_at__isnull=True)
    standing = list(
        PublicationConsent.objects.filter(agreement=agreement, withdrawn_at__isnull=True).annotate(
            example_slug=Subquery(on_show.values("slug")[:1])
        )
    )
    own = next((c for c in standing if party is not None and c.party_id == party.pk), None)
    other = next((c for c in standing if party is None or c.party_id != party.pk), None)
    slug = next((c.example_slug for c in standing if c.example_slug), None)
    example = PublicExample(slug=slug, agreement=agreement) if slug else None
    return SharingState(party=party, own_consent=own, other_consent=other, example=example)
