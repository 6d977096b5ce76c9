"""Personal API tokens: made and revoked by their person, stored as a hash, shown once.

A token acts as its person (the same visibility, permissions and two-factor
rules; signing still asks for the password and, where required, the code),
within its scope: ``read`` may only read. The API's authentication
(workflow/api/authentication.py) finds a token by the hash of what was sent
(``api_token_for_secret``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import User
from workflow.core.exceptions import InvalidInput, NotFound
from workflow.core.request_meta import SYSTEM, RequestMeta
from workflow.core.security_log import security_event_record
from workflow.models import ApiToken, ApiTokenScope, SecurityEventKind

# Every token starts with this, so a secret scanner (and a person) recognises one in a log or a repository.
TOKEN_PREFIX = "skt_"  # nosec B105 # the public prefix of every token, not a secret
# Tokens in use at once, per person: enough for every system one connects, few enough to keep track of.
MAX_ACTIVE_TOKENS = 10
NAME_MAX = 80
# How long "last used" may lag: one UPDATE a minute per token, not one per request.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def _active(user: User, *, now: dt.datetime):
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).exclude(expires_at__lte=now)


def api_token_create(
    *,
    user: User,
    name: str,
    scope: str,
    valid_days: int | None = None,
    request_meta: RequestMeta = SYSTEM,
) -> IssuedToken:
    """Make a token for ``user``; the secret in the result is the only copy there will ever be."""
    name = " ".join(name.split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Geef het token een naam, bijvoorbeeld het systeem dat het gebruikt.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("Gebruik voor de naam hoogstens %(max)s tekens.") % {"max": NAME_MAX}]
    if scope not in ApiTokenScope.values:
        errors["scope"] = [_("Kies wat het token mag: alleen lezen, of lezen en handelen.")]
    if valid_days is not None and not 1 <= valid_days <= 366 * 2:
        errors["valid_days"] = [_("Een token is hoogstens twee jaar geldig.")]
    if errors:
        raise InvalidInput(_("Het token is niet gemaakt."), errors=errors)
    if not user.is_active:
        raise InvalidInput(_("Dit account is niet actief."), errors={})
    now = timezone.now()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            # Lock the person's row, so two requests at once cannot both make the last allowed token.
            User.objects.select_for_update().filter(pk=user.pk).first()
            # An expired token keeps its name in use (the database's rule looks at revoked_at): free it.
            ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True, expires_at__lte=now).update(
                revoked_at=now
            )
            if _active(user, now=now).count() >= MAX_ACTIVE_TOKENS:
                raise InvalidInput(
                    _("U heeft al %(max)s tokens in gebruik. Trek er eerst een in.") % {"max": MAX_ACTIVE_TOKENS},
                    errors={},
                )
            token = ApiToken.objects.create(
                user=user,
                name=name,
                scope=scope,
                digest=token_digest(secret),
                prefix=secret[: len(TOKEN_PREFIX) + 4],
                created_at=now,
                expires_at=now + dt.timedelta(days=valid_days) if valid_days else None,
            )
            security_event_record(
                kind=SecurityEventKind.API_TOKEN_CREATED, request_meta=request_meta, user=user, note=name
            )
    except IntegrityError:
        # The partial unique constraint: a token in use already has this name.
        raise InvalidInput(
            _("Het token is niet gemaakt."),
            errors={"name": [_("U heeft al een token met deze naam. Kies een andere naam.")]},
        ) from None
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, user: User, token_id: int, request_meta: RequestMeta = SYSTEM) -> ApiToken:
    """Stop a token of one's own at once. Revoking one that is already revoked changes nothing."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
        if token is None:
            raise NotFound(_("Dit token bestaat niet of is niet van u."))
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            security_event_record(
                kind=SecurityEventKind.API_TOKEN_REVOKED, request_meta=request_meta, user=user, note=token.name
            )
    return token


def api_token_for_secret(secret: str, *, now: dt.datetime | None = None) -> ApiToken | None:
    """The usable token (with its person) that ``secret`` is, or None: unknown, revoked or expired.

    Marks it used, at most once a minute.
    """
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    now = now or timezone.now()
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(secret)).first()
    if token is None or not token.is_usable(now=now) or not token.user.is_active:
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_tokens_revoke_all(*, user: User, request_meta: RequestMeta = SYSTEM, why: str) -> int:
    """Stop every token of a person at once: after a password reset, whoever had the account may have made
    tokens. Returns how many were still in use. (A cleared second step, a lost phone, leaves them alone.)"""
    now = timezone.now()
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    if revoked:
        security_event_record(
            kind=SecurityEventKind.API_TOKEN_REVOKED, request_meta=request_meta, user=user, note=f"{revoked}: {why}"
        )
    return revoked
