"""The note of an audit row, in the reader's language.

A row the system writes stores what happened (``action``) and its one
parameter in ``note``: the party a signature was for, the reference of the
original or of the amendment, the date validity ended (ISO). The sentence
around it ("Getekend voor …") is made when the row is shown, in the language of
whoever reads it. A note a person typed (a reason for changes, a reopening,
a reason for declining to sign) is shown as typed; reopening and declining to
sign add how many signatures became void, counted from the signatures themselves.

Rows written before this stored the whole sentence in the writer's language.
They are recognised by their Dutch or English wording, and their parameter is
taken from it, so they read the same as new rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from agreements.choices import AuditAction

# The sentence per action, with its one parameter; the English form is how older rows said it in English.
_SENTENCES: dict[str, tuple[str, str]] = {
    AuditAction.SIGNED_BY: ("Getekend voor %(value)s", "Signed for %(value)s"),
    AuditAction.AMENDED: ("Wijziging van %(value)s", "Amendment of %(value)s"),
    AuditAction.SUPERSEDED: ("Vervangen door %(value)s", "Superseded by %(value)s"),
    AuditAction.EXPIRED: ("Geldig tot en met %(value)s", "Valid until %(value)s inclusive"),
    AuditAction.COMMITMENTS_CARRIED_OVER: ("Overgenomen door %(value)s", "Taken over by %(value)s"),
}
# The actions that declare the signatures collected so far void, stamping them with the row's own moment.
VOIDING_ACTIONS = frozenset({AuditAction.REOPENED, AuditAction.DECLINED_TO_SIGN})

# How older reopen rows ended: the number of signatures declared void, in Dutch or English.
_OLD_VOID_COUNT = re.compile(
    r"\n?(?P<count>\d+) (?:verzamelde handtekening\(en\) vervallen|collected signature\(s\) lapse)\.\s*$"
)


def _pattern(sentence: str) -> re.Pattern:
    before, _, after = sentence.partition("%(value)s")
    return re.compile(rf"^{re.escape(before)}(?P<value>.+?){re.escape(after)}$", re.DOTALL)


_OLD_SENTENCES = {action: [_pattern(s) for s in sentences] for action, sentences in _SENTENCES.items()}


def parameter_of(action: str, note: str) -> str:
    """The parameter a system row stores; for an older row, taken out of its sentence."""
    for pattern in _OLD_SENTENCES.get(action, ()):
        match = pattern.match(note)
        if match:
            return match.group("value")
    return note


def _sentence(action: str, value: str) -> str:
    if action == AuditAction.SIGNED_BY:
        return gettext("Getekend voor %(party)s") % {"party": value}
    if action == AuditAction.AMENDED:
        return gettext("Wijziging van %(reference)s") % {"reference": value}
    if action == AuditAction.SUPERSEDED:
        return gettext("Vervangen door %(reference)s") % {"reference": value}
    if action == AuditAction.COMMITMENTS_CARRIED_OVER:
        return gettext("Overgenomen door %(reference)s") % {"reference": value}
    try:
        day = date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
    except ValueError:  # an older row that said the date some other way
        day = value
    return gettext("Geldig tot en met %(date)s") % {"date": day}


def voided_count_key(*, version_number: int | None, at: dt.datetime) -> tuple[int | None, dt.datetime]:
    """Reopening (or declining to sign) stamps its audit row and the signatures it voids with the same moment:
    this pairs them."""
    return (version_number, at)


def audit_note(event, *, voided: Mapping[tuple[int | None, dt.datetime], int] | None = None) -> str:
    """The row's note as the reader reads it (their language is the active one).

    ``voided`` maps ``voided_count_key`` to the number of signatures reopening declared void; without it,
    the count is read for this row alone.
    """
    note = event.note or ""
    if event.action in _SENTENCES:
        return _sentence(event.action, parameter_of(event.action, note)) if note else ""
    if event.action not in VOIDING_ACTIONS:
        return note
    old = _OLD_VOID_COUNT.search(note)
    if old:
        note, count = note[: old.start()], int(old.group("count"))
    elif voided is not None:
        count = voided.get(voided_count_key(version_number=event.version_number, at=event.at), 0)
    else:
        count = voided_counts(event.agreement).get(
            voided_count_key(version_number=event.version_number, at=event.at), 0
        )
    lines = [note.strip()] if note.strip() else []
    if count:
        lines.append(
            ngettext(
                "%(count)s verzamelde handtekening is vervallen.",
                "%(count)s verzamelde handtekeningen zijn vervallen.",
                count,
            )
            % {"count": count}
        )
    return "\n".join(lines)


def voided_counts_of(signatures) -> dict[tuple[int | None, dt.datetime], int]:
    """``voided_counts`` from signatures already read (each with its version): no query."""
    counts: dict[tuple[int | None, dt.datetime], int] = {}
    for signature in signatures:
        if signature.voided_at is not None:
            key = voided_count_key(version_number=signature.version.number, at=signature.voided_at)
            counts[key] = counts.get(key, 0) + 1
    return counts


def voided_counts(agreement) -> dict[tuple[int | None, dt.datetime], int]:
    """Per reopening or refusal to sign (version and moment), how many signatures it declared void: one query."""
    from django.db.models import Count

    from agreements.models import Signature

    rows = (
        Signature.objects.filter(version__agreement=agreement, voided_at__isnull=False)
        .values("version__number", "voided_at")
        .annotate(n=Count("pk"))
    )
    return {voided_count_key(version_number=r["version__number"], at=r["voided_at"]): r["n"] for r in rows}
