"""The row lock every service takes before it changes an agreement (or what hangs off it).

One query: the visibility rule is part of the locking read, so a row the person cannot see is neither
locked nor returned, and that is NotFound.
"""

from __future__ import annotations

import functools

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from agreements.models import Agreement, User, with_transition_facts
from workflow.core.exceptions import NotFound
from workflow.core.visibility import visible_to


@functools.cache
def _locking_read(*, facts: bool, canonical: bool = False) -> QuerySet[Agreement]:
    """The locking read without its WHERE, built once per process: resolving the facts' subqueries is the
    costly part of building it, and each use clones it (``filter``, ``get``) and never changes it."""
    queryset = Agreement.objects.select_for_update().select_related("initiative", "municipality")
    return with_transition_facts(queryset, canonical=canonical) if facts else queryset


def _locked(visible: Q | None, pk: int, *, facts: bool, canonical: bool = False) -> Agreement:
    queryset = _locking_read(facts=facts, canonical=canonical)
    if visible is not None:
        queryset = queryset.filter(visible)
    try:
        return queryset.get(pk=pk)
    except Agreement.DoesNotExist:
        raise NotFound(_("Deze afspraak bestaat niet of u heeft er geen toegang toe.")) from None


def lock_agreement(agreement: Agreement | int, *, facts: bool = False) -> Agreement:
    """Re-read the agreement under a row lock; the caller's copy may be stale.

    ``facts``: read in the same query what the transitions ask (``with_transition_facts``: the frozen
    version's id, number and hash, and the open comments on it).
    """
    pk = agreement if isinstance(agreement, int) else agreement.pk
    return _locked(None, pk, facts=facts)


def lock_visible(agreement: Agreement | int, *, actor: User, facts: bool = False, canonical: bool = False) -> Agreement:
    """Lock the row; NotFound for someone who cannot see it.

    One query: the visibility rule (``visible_agreements``) is part of the locking read, so a row the
    person cannot see is neither locked nor returned. ``facts`` and ``canonical``: as ``with_transition_facts``.
    """
    pk = agreement if isinstance(agreement, int) else agreement.pk
    if not actor.is_authenticated or not actor.is_active:
        raise NotFound(_("Deze afspraak bestaat niet of u heeft er geen toegang toe."))
    return _locked(visible_to(actor), pk, facts=facts, canonical=canonical)


def lock_visible_row(model, pk: int, *, actor: User, missing: str) -> tuple[Agreement, models.Model]:
    """A row that hangs off an agreement (a commitment, an evaluation, an escalation), locked after its agreement:
    the agreement as ``lock_visible`` locks it, then the row. NotFound (``missing``) when either is not there for
    the actor. Three queries: the row's agreement id, the locking read, the row."""
    agreement_id = model.objects.filter(pk=pk).values_list("agreement_id", flat=True).first()
    if agreement_id is None:
        raise NotFound(missing)
    agreement = lock_visible(agreement_id, actor=actor)
    return agreement, model.objects.select_for_update().get(pk=pk)
