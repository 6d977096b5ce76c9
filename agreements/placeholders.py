"""Placeholders: the places in a model's text that an initiative fills in, written ``[[naam van de wijk]]``.

A section that still holds one is not finished: ``Agreement.missing_for_submission`` names it, so an agreement
built on a model is submitted only once its facts are filled in.
"""

from __future__ import annotations

import re

# Double square brackets around a short description on one line; nothing else in our texts looks like it.
PLACEHOLDER = re.compile(r"\[\[([^\[\]\n]{1,80})\]\]")


def placeholders_in(text: str) -> list[str]:
    """The placeholders still in ``text``, each once, in the order they appear (with their brackets)."""
    seen: dict[str, None] = {}
    for match in PLACEHOLDER.finditer(text or ""):
        seen.setdefault(match.group(0), None)
    return list(seen)
