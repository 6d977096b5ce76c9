"""What changed between two versions (review rounds): section texts word by word, and table rows.

The result is plain data (segments marked equal / insert / delete); the
template renders it with autoescaping, so no user text ever becomes markup.
Every changed part counts in the summary: a section, a row of the role
division, a decision moment.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from agreements.models import AgreementVersion, DecisionMoment, EscalationStep, Responsibility
from agreements.sections import SECTION_DEFINITIONS

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass
class Segment:
    op: str  # "equal", "insert" or "delete"
    text: str
    # An insert that takes the place of the delete just before it: the page puts a space between the two,
    # so "wijkaanpak" replaced by "wijkaanpak," never reads as "wijkaanpakwijkaanpak,".
    replaces: bool = False


@dataclass
class SectionDiff:
    key: str
    title: str
    changed: bool
    segments: list[Segment]


@dataclass
class Cell:
    changed: bool
    old: object
    new: object


@dataclass
class RowChange:
    op: str  # "equal", "insert", "delete" or "change"
    old: dict | None
    new: dict | None
    changed_fields: list[str] = field(default_factory=list)

    @property
    def cells(self) -> dict[str, Cell]:
        """Per value of the row: whether it changed, the old and the new (the row as it is now if it was removed)."""
        row = self.new if self.new is not None else self.old or {}
        old = self.old or {}
        return {
            name: Cell(self.op == "change" and old.get(name) != value, old.get(name), value)
            for name, value in row.items()
        }


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
            segments.append(
                Segment(op, text, replaces=op == "insert" and bool(segments) and segments[-1].op == "delete")
            )

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
ESCALATION_FIELDS = EscalationStep.CONTENT_FIELDS


def _responsibility_rows(version: AgreementVersion) -> list[dict]:
    # Every content field takes part in the comparison; the ones shown get their display text.
    return [
        {
            **r.content_values(),
            "phase": r.get_phase_display(),
            # Every other party with its role, as one text: comparable, and shown as it reads.
            "third_parties": "; ".join(str(party) for party in r.third_party_roles),
            "third_party_owner": r.get_third_party_owner_display() if r.third_party_owner else "",
        }
        for r in version.responsibilities.all()
    ]


def _decision_rows(version: AgreementVersion) -> list[dict]:
    return [
        {
            **d.content_values(),
            "deciding_body": d.get_deciding_body_display(),
            "instrument": d.get_instrument_display() if d.instrument else "",
            "deciding_party": d.get_deciding_party_display() if d.deciding_party else "",
        }
        for d in version.decision_moments.all()
    ]


def _escalation_rows(version: AgreementVersion) -> list[dict]:
    return [step.content_values() for step in version.escalation_steps.all()]


def _bodies(version: AgreementVersion) -> dict[str, str]:
    return {s.key: s.body for s in version.sections.all()}


def changed_parts(old: AgreementVersion, new: AgreementVersion) -> dict:
    """Which parts differ, without the word-level detail: for marking sections on the agreement page.

    Returns ``{"sections": set of section keys, "responsibilities": bool, "decision_moments": bool,
    "escalation_ladder": bool}``.
    """
    old_bodies, new_bodies = _bodies(old), _bodies(new)
    return {
        "sections": {d.key for d in SECTION_DEFINITIONS if old_bodies.get(d.key, "") != new_bodies.get(d.key, "")},
        "responsibilities": [tuple(r.values()) for r in _responsibility_rows(old)]
        != [tuple(r.values()) for r in _responsibility_rows(new)],
        "decision_moments": [tuple(r.values()) for r in _decision_rows(old)]
        != [tuple(r.values()) for r in _decision_rows(new)],
        "escalation_ladder": _escalation_rows(old) != _escalation_rows(new),
    }


def versions_to_compare(
    versions: list[AgreementVersion], *, old: int | None = None, new: int | None = None
) -> tuple[AgreementVersion, AgreementVersion] | None:
    """The two versions to compare, by number: by default the newest and the one before it (a version with
    no earlier one is compared with itself). None when a number names no version (or there is none)."""
    by_number = {version.number: version for version in versions}
    if not by_number:
        return None
    new = new if new is not None else max(by_number)
    if old is None:
        old = max((n for n in by_number if n < new), default=new)
    if old not in by_number or new not in by_number:
        return None
    return by_number[old], by_number[new]


def version_diff(old: AgreementVersion, new: AgreementVersion) -> dict:
    """Everything that differs between two versions, and how many parts changed (each counts once)."""
    old_bodies, new_bodies = _bodies(old), _bodies(new)
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
    steps = _row_diff(_escalation_rows(old), _escalation_rows(new), ESCALATION_FIELDS)
    changed_sections = sum(1 for s in sections if s.changed)
    changed_responsibilities = sum(1 for c in responsibilities if c.op != "equal")
    changed_decision_moments = sum(1 for c in decisions if c.op != "equal")
    changed_escalation_steps = sum(1 for c in steps if c.op != "equal")
    return {
        "old": old,
        "new": new,
        "sections": sections,
        "changed_sections": changed_sections,
        "changed_section_list": [s for s in sections if s.changed],
        "responsibilities": responsibilities,
        "changed_responsibilities": changed_responsibilities,
        "responsibilities_changed": changed_responsibilities > 0,
        "decision_moments": decisions,
        "changed_decision_moments": changed_decision_moments,
        "decision_moments_changed": changed_decision_moments > 0,
        "escalation_steps": steps,
        "changed_escalation_steps": changed_escalation_steps,
        "changed_total": changed_sections
        + changed_responsibilities
        + changed_decision_moments
        + changed_escalation_steps,
    }
