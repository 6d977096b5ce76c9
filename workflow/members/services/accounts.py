"""A person's own settings."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from agreements.choices import Language
from agreements.models import User
from workflow.core.exceptions import InvalidInput


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """Remember the language this person wants Samenkader (and its e-mails) in."""
    if language not in Language.values:
        raise InvalidInput(errors={"language": [_("Kies Nederlands of Engels.")]})
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user
