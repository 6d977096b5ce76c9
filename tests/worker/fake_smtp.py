"""Test-only e-mail backends that behave like an SMTP server refusing or dropping messages.

The mail server is outside the machine, so faking it is allowed; our own
delivery code runs for real against these.
"""

from __future__ import annotations

import smtplib

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class RefusingBackend(LocmemBackend):
    """Refuses every address that contains "bounce" (550), drops the line for "flaky"."""

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                if "bounce" in address:
                    raise smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 No such user")})
                if "flaky" in address:
                    raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def outbox() -> list:
    return getattr(mail, "outbox", [])
