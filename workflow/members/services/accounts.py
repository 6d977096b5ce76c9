"""A person's own settings, and asking for a new password."""

from __future__ import annotations

import unicodedata

from django.db import transaction
from django.utils.translation import gettext as _

from agreements.choices import Language
from agreements.models import User
from workflow.core.exceptions import InvalidInput
from workflow.notifications.outbox import notify_password_reset


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """Remember the language this person wants Samenkader (and its e-mails) in."""
    if language not in Language.values:
        raise InvalidInput(errors={"language": [_("Kies Nederlands of Engels.")]})
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


def _same_address(a: str, b: str) -> bool:
    return unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()


@transaction.atomic
def password_reset_request(*, email: str) -> int:
    """Queue the password-reset e-mail for the account with this address, if there is one; returns how many.

    Only an active account that signs in with a password gets one. Nothing is
    sent here: the worker writes and sends the e-mail from the outbox, so an
    address with an account costs the request one row more, not a conversation
    with a mail server. The caller answers the same either way.
    """
    accounts = [
        user
        for user in User.objects.filter(email__iexact=email, is_active=True)
        if user.has_usable_password() and _same_address(email, user.email)
    ]
    for user in accounts:
        notify_password_reset(user=user)
    return len(accounts)
