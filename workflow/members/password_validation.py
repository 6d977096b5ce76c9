"""Password rules that speak Dutch.

Django 5.2's Dutch catalogue holds the "too short" message under an older
msgid (``%(min_length)d`` where the code asks ``%d``), so a Dutch page showed
it in English. This validator is Django's own with the message in our catalogue.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "Dit wachtwoord is te kort: gebruik minstens %(min_length)d teken.",
            "Dit wachtwoord is te kort: gebruik minstens %(min_length)d tekens.",
            self.min_length,
        ) % {"min_length": self.min_length}
