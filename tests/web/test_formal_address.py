"""The interface says "u" to everyone: no informal "je", "jij", "jou", "jouw" or "jullie" in a Dutch source text."""

from __future__ import annotations

import re
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
INFORMAL = re.compile(r"\b(je|jij|jou|jouw|jullie|jezelf|jouzelf)\b", re.IGNORECASE)


def test_no_dutch_source_string_is_informal():
    """Every translatable text (templates, code, e-mails, the section guidance) as makemessages collected it."""
    catalogue = polib.pofile(str(ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    informal = [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete and INFORMAL.search(f"{entry.msgid} {entry.msgid_plural or ''}")
    ]
    assert informal == []


def test_no_template_or_demo_text_is_informal():
    """Also what is not (yet) in the catalogue: template text, and the demo's texts and comments."""
    files = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("templates/**/*.txt"), *ROOT.glob("workflow/demo/*.py")]
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if INFORMAL.search(line)
    ]
    assert hits == []


def test_the_check_finds_an_informal_word():
    assert INFORMAL.search("Wacht op jou") and INFORMAL.search("Wat willen Jullie bereiken?")
    assert not INFORMAL.search("Wacht op u: bijvoorbeeld een jaarlijkse evaluatie")
