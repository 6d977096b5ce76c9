"""May this person do this to this agreement now? One check per action, for the buttons and the services alike.

Each ``check_<action>`` raises what the service would raise: NotPermitted when
the person may not act at all (``workflow.core.access``), a Conflict that
names the current state when the state machine does not allow it now, or a
more specific Conflict (content incomplete, comments open, already signed).
The services call these checks on the locked row; ``available_actions``
calls the same checks to decide which buttons a page shows. So a button and
its service cannot disagree (docs/architecture.md, "Where each rule lives").
Visibility comes first and is not asked here: callers have the agreement
from the visibility selector, or lock it and ask ``can_see``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from agreements.choices import OPEN_STATES, AgreementState
from agreements.models import Agreement, AgreementVersion, Organisation, User
from workflow.core.access import Action, acts_for_both_parties, may, signing_party_for, submitted_it
from workflow.core.exceptions import Conflict, ContentIncomplete, NotPermitted, ServiceError

# What a refusal says when the person may not act at all, per action.
NOT_YOURS = {
    Action.EDIT: gettext_lazy("Alleen opstellers van het bewonersinitiatief kunnen dit concept bewerken."),
    Action.SUBMIT: gettext_lazy("Alleen opstellers van het bewonersinitiatief kunnen deze afspraak indienen."),
    Action.SIGN: gettext_lazy("Alleen ondertekenaars van een van de partijen kunnen deze afspraak tekenen."),
    Action.DECLINE: gettext_lazy(
        "Alleen ondertekenaars van een van de partijen kunnen weigeren deze afspraak te tekenen."
    ),
}


# The actions a member of both parties may not take on that agreement.
BOTH_SIDES_ACTIONS = (Action.REQUEST_CHANGES, Action.APPROVE, Action.SIGN, Action.DECLINE)


def state_label(state: str) -> str:
    return str(AgreementState(state).label)


def conflict_for_state(agreement: Agreement, what: str) -> Conflict:
    return Conflict(
        _("%(what)s kan nu niet: afspraak %(reference)s is op dit moment '%(state)s'.")
        % {"what": what, "reference": agreement.reference, "state": state_label(agreement.state)},
        state=agreement.state,
    )


def require_permission(user: User, action: str, agreement: Agreement) -> None:
    """NotPermitted unless the person may take this action here (whatever the state)."""
    if not may(user, action, agreement):
        if action in BOTH_SIDES_ACTIONS and acts_for_both_parties(user, agreement):
            raise NotPermitted(
                _(
                    "U hoort bij beide partijen van afspraak %(reference)s. Wie ook voor het initiatief werkt, "
                    "kan niet namens de gemeente beoordelen en voor geen van beide partijen tekenen."
                )
                % {"reference": agreement.reference}
            )
        if action == Action.APPROVE and submitted_it(user, agreement):
            raise NotPermitted(
                _("U heeft deze afspraak zelf ingediend. Iemand anders van de gemeente keurt haar goed.")
            )
        if action in NOT_YOURS:
            raise NotPermitted(str(NOT_YOURS[action]))
        raise NotPermitted(_("U mag dit niet doen bij afspraak %(reference)s.") % {"reference": agreement.reference})


def _transition_allowed(agreement: Agreement, transition, what: str) -> None:
    if not can_proceed(transition, check_conditions=False):
        raise conflict_for_state(agreement, what)


# --- drafting and review ------------------------------------------------------------------


def check_edit(user: User, agreement: Agreement) -> None:
    require_permission(user, Action.EDIT, agreement)
    if agreement.state != AgreementState.DRAFT:
        raise conflict_for_state(agreement, _("Bewerken"))


def check_submit(user: User, agreement: Agreement) -> None:
    """ContentIncomplete (a Conflict) lists what is missing: an empty required section, a party without a task."""
    require_permission(user, Action.SUBMIT, agreement)
    _transition_allowed(agreement, agreement.submit, _("Indienen"))
    missing = agreement.missing_for_submission()
    if missing:
        raise ContentIncomplete(
            _("De afspraak is nog niet klaar om in te dienen."), state=agreement.state, missing=missing
        )


def check_request_changes(user: User, agreement: Agreement) -> None:
    require_permission(user, Action.REQUEST_CHANGES, agreement)
    _transition_allowed(agreement, agreement.request_changes, _("Wijzigingen vragen"))


def check_approve(user: User, agreement: Agreement) -> None:
    """A Conflict with ``open_comments`` while a comment on the version under review is still open."""
    require_permission(user, Action.APPROVE, agreement)
    _transition_allowed(agreement, agreement.approve, _("Goedkeuren"))
    count = agreement.open_comment_count()
    if count:
        raise Conflict(
            _("Goedkeuren kan pas als alle opmerkingen zijn afgehandeld. Er staan er nog %(count)s open.")
            % {"count": count},
            state=agreement.state,
            open_comments=count,
        )


def check_reopen(user: User, agreement: Agreement) -> None:
    require_permission(user, Action.REOPEN, agreement)
    _transition_allowed(agreement, agreement.reopen, _("Heropenen"))


def check_withdraw(user: User, agreement: Agreement) -> None:
    require_permission(user, Action.WITHDRAW, agreement)
    _transition_allowed(agreement, agreement.withdraw, _("Intrekken"))


def open_amendment(agreement: Agreement) -> Agreement | None:
    """The one open amendment, if any (a constraint allows one); read from the amendments a page loaded already."""
    return next((a for a in agreement.amendments.all() if a.state in OPEN_STATES), None)


def check_amend(user: User, agreement: Agreement) -> None:
    """Only a signed agreement, and at most one open amendment at a time."""
    require_permission(user, Action.AMEND, agreement)
    if agreement.state != AgreementState.SIGNED:
        raise conflict_for_state(agreement, _("Een wijziging starten"))
    running = open_amendment(agreement)
    if running is not None:
        raise Conflict(
            _("Er loopt al een wijziging van deze afspraak: %(reference)s.") % {"reference": running.reference},
            state=agreement.state,
        )


# --- signing --------------------------------------------------------------------------------


def check_sign(user: User, agreement: Agreement, version: AgreementVersion | None = None) -> Organisation:
    """The party this person signs for; Conflict when it is not the time, they signed, or their party is done."""
    require_permission(user, Action.SIGN, agreement)
    if agreement.state != AgreementState.APPROVED:
        raise conflict_for_state(agreement, _("Ondertekenen"))
    return _may_sign_now(user, agreement, version)


def check_decline(user: User, agreement: Agreement, version: AgreementVersion | None = None) -> Organisation:
    """Declining to sign is open to exactly those who may sign now; returns the party they would have signed for.

    It sends the approved version back to the drafters (the reopen transition), so the state machine is asked too.
    """
    require_permission(user, Action.DECLINE, agreement)
    _transition_allowed(agreement, agreement.reopen, _("Weigeren te tekenen"))
    return _may_sign_now(user, agreement, version)


def _may_sign_now(user: User, agreement: Agreement, version: AgreementVersion | None) -> Organisation:
    party = signing_party_for(user, agreement)
    snapshot = agreement.signing_snapshot
    if snapshot is not None and (version is None or version.pk == snapshot.version_id):
        # Read once by the service (Agreement.take_signing_snapshot): no more queries here.
        signed, version = snapshot.has_signed(user.pk), None
    else:
        version = version or agreement.frozen_version()
        # Read as rows (a void signature never counts), so a page that loaded the version's signatures asks nothing.
        signed = any(s.signer_id == user.pk and not s.is_void for s in version.signatures.all())
    if signed:
        raise Conflict(_("U heeft deze versie al ondertekend."), state=agreement.state)
    if agreement.party_signing_status(party, version)["complete"]:
        raise Conflict(
            _("%(party)s heeft al genoeg handtekeningen voor deze versie.") % {"party": party.name},
            state=agreement.state,
        )
    return party


# --- comments and advisors ------------------------------------------------------------------


def check_comment(user: User, agreement: Agreement) -> None:
    """Comments while the text can still change hands: draft, in review, approved."""
    require_permission(user, Action.COMMENT, agreement)
    if agreement.state not in OPEN_STATES:
        raise conflict_for_state(agreement, _("Een opmerking plaatsen"))


def check_grant_advisor(user: User, agreement: Agreement) -> None:
    """Advisors may be let in (or out) in every state: they follow agreements after signing too."""
    require_permission(user, Action.GRANT_ADVISOR, agreement)


# --- what a page offers ---------------------------------------------------------------------

CHECKS = {
    Action.EDIT: check_edit,
    Action.SUBMIT: check_submit,
    Action.REQUEST_CHANGES: check_request_changes,
    Action.APPROVE: check_approve,
    Action.REOPEN: check_reopen,
    Action.WITHDRAW: check_withdraw,
    Action.AMEND: check_amend,
    Action.SIGN: check_sign,
    Action.DECLINE: check_decline,
    Action.COMMENT: check_comment,
    Action.GRANT_ADVISOR: check_grant_advisor,
}


_SIGNING_ACTIONS = frozenset({Action.SIGN, Action.DECLINE})


def available_actions(user: User, agreement: Agreement) -> dict:
    """The actions this person may take now, and why a tempting one is not possible yet.

    Returns ``{"actions": set of action names, "missing": [...], "open_comments": n}``:
    ``missing`` is what a drafter still has to fill in before submitting, and
    ``open_comments`` how many comments a reviewer must see resolved first.
    """
    actions: set[str] = set()
    missing: list[str] = []
    open_comments = 0
    for action, check in CHECKS.items():
        if action in _SIGNING_ACTIONS and agreement.state != AgreementState.APPROVED:
            continue  # only an approved agreement is signed or declined; asking would read the parties' mandates
        if not may(user, action, agreement):  # cheap (cached roles): skip the state checks' queries
            continue
        try:
            check(user, agreement)
        except ContentIncomplete as refusal:
            missing = refusal.missing
        except ServiceError as refusal:
            open_comments = refusal.context.get("open_comments") or open_comments
        else:
            actions.add(action)
    return {"actions": actions, "missing": missing, "open_comments": open_comments}
