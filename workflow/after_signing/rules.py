"""When a commitment may be updated: by whom is ``core/access.py may_update_commitment``; here the state.

Only a signed agreement's commitments move. Once it is superseded (the amendment took its open ones over)
or has expired, they are its history and read-only.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from agreements.choices import AgreementState, ResponsibleParty
from agreements.models import Agreement, Commitment, User
from workflow.core.access import may_update_commitment
from workflow.core.exceptions import Conflict, NotPermitted


def responsible_names(agreement: Agreement, responsible: str) -> str:
    """The party (or parties) that keep a commitment up to date, by name."""
    if responsible == ResponsibleParty.INITIATIVE:
        return agreement.initiative.name
    if responsible == ResponsibleParty.MUNICIPALITY:
        return agreement.municipality.name
    return _("%(initiative)s en %(municipality)s") % {
        "initiative": agreement.initiative.name,
        "municipality": agreement.municipality.name,
    }


def commitments_move(agreement: Agreement) -> bool:
    return agreement.state == AgreementState.SIGNED


def check_update(user: User, agreement: Agreement, commitment: Commitment) -> None:
    """NotPermitted for whoever does not keep this commitment; Conflict once the agreement no longer holds."""
    if not may_update_commitment(user, agreement, commitment.responsible):
        raise NotPermitted(
            _("Alleen leden van %(party)s werken dit bij.")
            % {"party": responsible_names(agreement, commitment.responsible)}
        )
    if not commitments_move(agreement):
        raise Conflict(
            _("Deze afspraak is %(state)s: de voortgang ligt vast.") % {"state": agreement.get_state_display()},
            state=agreement.state,
        )


def may_update(user: User, agreement: Agreement, commitment: Commitment) -> bool:
    """What the page asks before it shows the update form: the same rule the services check."""
    return commitments_move(agreement) and may_update_commitment(user, agreement, commitment.responsible)
