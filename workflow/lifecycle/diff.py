"""What changed between two versions (review rounds): section texts word by word, and table rows.

The result is plain data (segments marked equal / insert / delete); the
template renders it with autoescaping, so no user text ever becomes markup.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from agreements.models import AgreementVersion, DecisionMoment, Responsibility
from agreements.sections import SECTION_DEFINITIONS

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass
class Segment:
    op: str  # "equal", "insert" or "delete"
    text: str


@dataclass
class SectionDiff:
    key: str
    title: str
    changed: bool
    segments: list[Segment]


@dataclass
class RowChange:
    op: str  # "equal", "insert", "delete" or "change"
    old: dict | None
    new: dict | None
    changed_fields: list[str] = field(default_factory=list)


def text_diff(old: str, new: str) -> list[Segment]:
    """Word-level differences; whitespace is kept, so paragraphs stay readable."""
    a = _TOKENS.findall(old or "")
    b = _TOKENS.findall(new or "")
    segments: list[Segment] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1].text += text
        else:
            segments.append(Segment(op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", "".join(a[i1:i2]))
        else:
            add("delete", "".join(a[i1:i2]))
            add("insert", "".join(b[j1:j2]))
    return segments


def _row_diff(old_rows: list[dict], new_rows: list[dict], fields: tuple[str, ...]) -> list[RowChange]:
    def key(row: dict) -> tuple:
        return tuple(row.get(f) for f in fields)

    changes: list[RowChange] = []
    matcher = difflib.SequenceMatcher(None, [key(r) for r in old_rows], [key(r) for r in new_rows], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            changes.extend(RowChange("equal", o, n) for o, n in zip(old_rows[i1:i2], new_rows[j1:j2], strict=True))
            continue
        olds, news = old_rows[i1:i2], new_rows[j1:j2]
        # Replaced blocks pair up row by row: that reads as "this task changed", not "removed and added".
        for offset in range(max(len(olds), len(news))):
            o = olds[offset] if offset < len(olds) else None
            n = news[offset] if offset < len(news) else None
            if o is not None and n is not None:
                changed = [f for f in fields if o.get(f) != n.get(f)]
                changes.append(RowChange("change", o, n, changed))
            elif o is not None:
                changes.append(RowChange("delete", o, None))
            else:
                changes.append(RowChange("insert", None, n))
    return changes


RESPONSIBILITY_FIELDS = Responsibility.CONTENT_FIELDS
DECISION_FIELDS = DecisionMoment.CONTENT_FIELDS


def _responsibility_rows(version: AgreementVersion) -> list[dict]:
    return [
        {
            "task": r.task,
            "phase": r.get_phase_display(),
            "initiative_role": r.initiative_role,
            "municipality_role": r.municipality_role,
            # A tuple of ThirdPartyRole: hashable and comparable, whichever field of the row holds them.
            "third_parties": r.third_party_roles,
        }
        for r in version.responsibilities.all()
    ]


def _decision_rows(version: AgreementVersion) -> list[dict]:
    return [
        {
            "title": d.title,
            "planned_date": d.planned_date,
            "deciding_body": d.get_deciding_body_display(),
            "instrument": d.get_instrument_display() if d.instrument else "",
        }
        for d in version.decision_moments.all()
    ]


def version_diff(old: AgreementVersion, new: AgreementVersion) -> dict:
    old_bodies = {s.key: s.body for s in old.sections.all()}
    new_bodies = {s.key: s.body for s in new.sections.all()}
    sections = []
    for definition in SECTION_DEFINITIONS:
        before, after = old_bodies.get(definition.key, ""), new_bodies.get(definition.key, "")
        sections.append(
            SectionDiff(
                key=definition.key,
                title=str(definition.title),
                changed=before != after,
                segments=text_diff(before, after),
            )
        )
    responsibilities = _row_diff(_responsibility_rows(old), _responsibility_rows(new), RESPONSIBILITY_FIELDS)
    decisions = _row_diff(_decision_rows(old), _decision_rows(new), DECISION_FIELDS)
    return {
        "old": old,
        "new": new,
        "sections": sections,
        "changed_sections": sum(1 for s in sections if s.changed),
        "responsibilities": responsibilities,
        "responsibilities_changed": any(c.op != "equal" for c in responsibilities),
        "decision_moments": decisions,
        "decision_moments_changed": any(c.op != "equal" for c in decisions),
    }
