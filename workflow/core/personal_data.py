"""Finding personal data in free text before it goes public: the names of people Samenkader knows, and e-mail
addresses.

Sections and lessons are free text, so they can name the alderman or the volunteer who wrote them. Before a
text goes to the public examples it is checked here; the page shows each finding highlighted, and the service
refuses the text until none is left. A name is found as a whole, case-insensitively, wherever it stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agreements.models import User

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Shorter "names" (a single initial, "Ab") would match ordinary words; a full name has at least this many letters.
MINIMUM_NAME_LENGTH = 5


@dataclass(frozen=True)
class Piece:
    """A piece of a text: personal (highlighted on the page) or not."""

    text: str
    personal: bool = False


def _names_pattern(names: list[str]) -> re.Pattern | None:
    wanted = sorted({n.strip() for n in names if len(n.strip()) >= MINIMUM_NAME_LENGTH}, key=len, reverse=True)
    if not wanted:
        return None
    # Longest first, so "Jan de Vries" wins over "Jan de". \\b does not fit names that end in a dot or quote.
    alternatives = "|".join(re.escape(name) for name in wanted)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE | re.UNICODE)


class PersonalDataFinder:
    """One reading of the people's names, for every text of a request."""

    def __init__(self, names: list[str] | None = None) -> None:
        if names is None:
            names = list(User.objects.exclude(full_name="").values_list("full_name", flat=True))
        self.names = _names_pattern(names)

    def _spans(self, text: str) -> list[tuple[int, int]]:
        spans = [m.span() for m in EMAIL.finditer(text)]
        if self.names is not None:
            spans += [m.span() for m in self.names.finditer(text)]
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def found_in(self, text: str) -> list[str]:
        """The personal data in ``text``, each once, in order."""
        seen: dict[str, None] = {}
        for start, end in self._spans(text or ""):
            seen.setdefault(text[start:end], None)
        return list(seen)

    def pieces(self, text: str) -> list[Piece]:
        """``text`` cut into pieces, the personal ones marked (the page highlights them)."""
        text = text or ""
        pieces, position = [], 0
        for start, end in self._spans(text):
            if start > position:
                pieces.append(Piece(text[position:start]))
            pieces.append(Piece(text[start:end], personal=True))
            position = end
        if position < len(text):
            pieces.append(Piece(text[position:]))
        return pieces
