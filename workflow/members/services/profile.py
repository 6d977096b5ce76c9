"""One's own profile page: the language and how e-mails come, saved together."""

from __future__ import annotations

from django.db import transaction

from agreements.models import User
from workflow.members.services.accounts import user_set_language
from workflow.notifications.digest import notification_preferences_set


@transaction.atomic
def profile_update(*, user: User, language: str, deliveries: dict[str, str]) -> User:
    """Save this person's language and, per kind of event, immediate e-mail or the daily overview."""
    user_set_language(user=user, language=language)
    notification_preferences_set(user=user, deliveries=deliveries)
    return user
