"""Checking what people type into a one-line field, for every service alike."""

from __future__ import annotations

from django.utils.translation import gettext as _

from agreements.models import SINGLE_LINE_MESSAGE, has_control_characters
from workflow.core.exceptions import InvalidInput


def text_block(value: str, *, field_name: str, max_length: int) -> str:
    """A text of paragraphs (a section, a summary, a lesson): line breaks as "\n", surrounding spaces dropped,
    at most ``max_length`` characters (InvalidInput under ``field_name`` otherwise)."""
    value = (value or "").replace("\r\n", "\n").strip()
    if len(value) > max_length:
        raise InvalidInput(errors={field_name: [_("Gebruik ten hoogste %(max)s tekens.") % {"max": max_length}]})
    return value


def one_line(value: str, *, field_name: str, max_length: int, required_message: str | None = None) -> str:
    """``value`` without surrounding spaces: one line of at most ``max_length`` characters, InvalidInput under
    ``field_name`` otherwise (and when it is empty, if ``required_message`` says what to write)."""
    value = (value or "").strip()
    if not value and required_message:
        raise InvalidInput(errors={field_name: [required_message]})
    if has_control_characters(value):
        raise InvalidInput(errors={field_name: [str(SINGLE_LINE_MESSAGE)]})
    if len(value) > max_length:
        raise InvalidInput(errors={field_name: [_("Gebruik ten hoogste %(max)s tekens.") % {"max": max_length}]})
    return value
