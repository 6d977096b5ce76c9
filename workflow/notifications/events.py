"""The events that e-mail people, named once for the services, the outbox and the templates."""

from __future__ import annotations

from django.conf import settings

from agreements.choices import Language
from workflow.core.events import Event

# The agreement events: named in core (webhooks, which sit below notifications, follow them too).
__all__ = ["Event", "INVITATION", "PASSWORD_RESET", "DIGEST", "REGISTRATION", "email_language"]


INVITATION = "invitation"
PASSWORD_RESET = "password_reset"  # nosec B105 # an event name, not a password
REGISTRATION = "registration"  # confirm the address of a volunteer who registered an initiative
DIGEST = "digest"  # the daily overview of held e-mails (notifications/digest.py)


LANGUAGES = {code for code, _label in Language.choices}


def email_language(code: str | None) -> str:
    """The language an e-mail is written in: the recipient's, or the site's default for an unknown one."""
    return code if code in LANGUAGES else settings.LANGUAGE_CODE
