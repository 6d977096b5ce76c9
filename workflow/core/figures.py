"""Aggregates kept in the shared cache, invalidated by the changes that alter them.

Every organisation has a token in the cache. When a service changes an
agreement (each one writes its audit row through
``core/audit.py record``, which calls ``agreement_changed``), the
tokens of every organisation that sees that agreement are replaced after
commit: both parties and each advisor granted access at that moment. A figure
is cached under the tokens of the viewer's organisations, so the first read
after a change computes it again, and a change elsewhere leaves it alone.

A token is random, not a counter: if the cache drops one, the next is new and
can never match an entry computed before. It is replaced only after commit, and
a reader takes the tokens before it queries, so an entry is never stored under
a token newer than the data it was computed from. The entries also expire
(``FIGURE_TIMEOUT``) in case a renewal was lost to a cache that did not answer.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

from agreements.models import AdvisorAccess, Agreement, User
from workflow.core.visibility import VisibilityScope, memberships_of

log = logging.getLogger(__name__)

T = TypeVar("T")

FIGURE_TIMEOUT = 3600


def _token_key(organisation_id: int) -> str:
    return f"figures:token:{organisation_id}"


def _visibility_token_key(organisation_id: int) -> str:
    return f"figures:visibility:{organisation_id}"


def _new_token() -> str:
    return uuid.uuid4().hex


def scope_tokens(organisation_ids: Iterable[int]) -> tuple[str, ...]:
    """The current token of each organisation, in the order given (one round trip when all are there)."""
    return _current_tokens([_token_key(pk) for pk in organisation_ids])


def _current_tokens(keys: list[str]) -> tuple[str, ...]:
    """The token under each key, a new one where there is none yet."""
    found = cache.get_many(keys)
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            token = _new_token()
            if not cache.add(key, token, timeout=None):  # someone else set it a moment ago
                token = cache.get(key) or token
        tokens.append(token)
    return tuple(tokens)


def renew_tokens(organisation_ids: Iterable[int]) -> None:
    cache.set_many({_token_key(pk): _new_token() for pk in set(organisation_ids)}, timeout=None)


def agreement_changed(agreement: Agreement, *, also: Iterable[int] = ()) -> None:
    """After commit, renew the tokens of every organisation that sees ``agreement``, and of ``also``.

    The advisors granted access are read after commit too, so a transition costs no query for this
    (its query count is held by tests). A grant that ends in this transaction is gone by then: its
    service names that advisor in ``also``.
    """
    organisation_ids = {agreement.initiative_id, agreement.municipality_id, *also}
    agreement_id = agreement.pk

    def renew() -> None:
        try:
            granted = AdvisorAccess.objects.filter(agreement_id=agreement_id).values_list("organisation_id", flat=True)
            renew_tokens(organisation_ids | set(granted))
        except Exception:  # the change is committed; cached figures then live until FIGURE_TIMEOUT
            log.exception("Could not renew the figure tokens of organisations %s", sorted(organisation_ids))

    transaction.on_commit(renew)


# The token of everyone: renewed when what many people's figures depend on changes outside an agreement
# (a membership, an organisation's signing settings, a reminder policy), see ``settings_changed``.
EVERYONE = 0


def settings_changed(**_signal) -> None:
    """After commit, renew the token of everyone (``EVERYONE``); connected to the models' save and delete
    signals in apps.py, so a change made in the admin counts too. Such changes are rare: renewing every
    figure that reads the token costs less than finding out whose figures they touch."""

    def renew() -> None:
        try:
            # Both kinds: a membership changes what its person sees too (``visibility_tokens``).
            cache.set_many({_token_key(EVERYONE): _new_token(), _visibility_token_key(EVERYONE): _new_token()}, None)
        except Exception:
            log.exception("Could not renew the token of everyone")

    transaction.on_commit(renew)


def visibility_tokens(organisation_ids: Iterable[int]) -> tuple[str, ...]:
    """The tokens of what each organisation sees, renewed only when that changes (``visibility_changed``), not
    on every change to an agreement: for figures of the long run (monitoring/overview.py)."""
    return _current_tokens([_visibility_token_key(pk) for pk in organisation_ids])


def long_run_key(organisation_ids: tuple[int, ...]) -> tuple:
    """What figures that follow what a viewer sees, not each change, are cached under: the viewer's
    organisations and the visibility tokens of those and of everyone. Take it once per request."""
    return (organisation_ids, visibility_tokens((*organisation_ids, EVERYONE)))


def renew_visibility_tokens(organisation_ids: Iterable[int]) -> None:
    """After commit, renew the visibility tokens of these organisations: they see other agreements than before
    (an advisor grant given or taken, a new agreement, a municipality's agreements moved to its successor)."""
    ids = set(organisation_ids)

    def renew() -> None:
        try:
            cache.set_many({_visibility_token_key(pk): _new_token() for pk in ids}, timeout=None)
        except Exception:
            log.exception("Could not renew the visibility tokens of organisations %s", sorted(ids))

    transaction.on_commit(renew)


def visibility_changed(*, sender, instance, **_signal) -> None:
    """An advisor grant (``AdvisorAccess``) saved or deleted: connected to its signals in apps.py."""
    renew_visibility_tokens([instance.organisation_id])


def person_figure_key(user: User) -> tuple:
    """What one person's figures are cached under (the home page's lists, the API's counts): the person, their
    organisations and the tokens of those and of everyone. Taken once per request (kept on the user object,
    like the memberships), before any query of the figures it keys."""
    key = user.__dict__.get("_samenkader_figure_key")
    if key is None:
        organisation_ids = tuple(sorted({m.organisation_id for m in memberships_of(user)}))
        key = (user.pk, organisation_ids, scope_tokens((*organisation_ids, EVERYONE)))
        user.__dict__["_samenkader_figure_key"] = key
    return key


def figure_key(scope: VisibilityScope) -> tuple:
    """What a viewer's figures are cached under: their organisations and those organisations' tokens now.

    Take it once per request, before the first query of the figures it keys.
    """
    return (scope.organisation_ids, scope_tokens(scope.organisation_ids))


def cached_figure(
    name: str,
    *,
    key: tuple,
    parts: tuple,
    compute: Callable[[], T],
    valid: Callable[[T], bool] | None = None,
) -> T:
    """``compute()``, from the cache while no organisation in ``key`` (``figure_key``) saw a change.

    ``parts`` holds everything else the figure depends on (the filters, the
    month): values whose ``repr`` is stable. ``valid`` says whether a cached
    value still holds (a figure that the passing of time changes at a moment
    it knows); when it does not, the figure is computed again.
    """
    digest = hashlib.sha256(repr((key, parts)).encode()).hexdigest()
    cache_key = f"figures:{name}:{digest}"
    found = cache.get(cache_key)
    if found is not None and (valid is None or valid(found[0])):
        return found[0]
    value = compute()
    cache.set(cache_key, (value,), timeout=FIGURE_TIMEOUT)
    return value
