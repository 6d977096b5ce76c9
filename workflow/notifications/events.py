"""The events that e-mail people, named once for the services, the outbox and the templates."""

from __future__ import annotations

from django.conf import settings

from agreements.choices import Language


class Event:
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    COMMENTED = "commented"
    APPROVED = "approved"
    SIGNATURE_ADDED = "signature_added"
    SIGNED = "signed"
    REOPENED = "reopened"
    DECLINED_TO_SIGN = "declined_to_sign"
    WITHDRAWN = "withdrawn"
    AMENDED = "amended"
    EXPIRED = "expired"
    DOCUMENT_READY = "document_ready"
    SIGNING_LOCKED = "signing_locked"


INVITATION = "invitation"
PASSWORD_RESET = "password_reset"  # nosec B105 # an event name, not a password
DIGEST = "digest"  # the daily overview of held e-mails (notifications/digest.py)


LANGUAGES = {code for code, _label in Language.choices}


def email_language(code: str | None) -> str:
    """The language an e-mail is written in: the recipient's, or the site's default for an unknown one."""
    return code if code in LANGUAGES else settings.LANGUAGE_CODE
