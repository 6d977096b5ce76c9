"""How a version differs from the model it started from, section by section (the agreement page, in review).

A section follows its model when the word-level difference from the model's
text marks nothing: each placeholder (``[[naam van de wijk]]``) filled in with
a few words, or still open; spaces and line breaks do not count. Anything else
is a deviation (an emptied placeholder, or one "filled in" with sentences of
one's own, too), shown as that difference, so a reviewer sees at once
what the initiative changed in the municipality's own model. The example rows
of the role division and the decision moments follow their model when they
are the same rows (a decision moment's date does not count: a model has none).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from agreements.models import AgreementVersion, ModelAgreement
from agreements.placeholders import PLACEHOLDER
from agreements.sections import SECTION_DEFINITIONS
from workflow.lifecycle.diff import Segment


@dataclass(frozen=True)
class SectionDeviation:
    key: str
    title: str
    follows: bool
    # The model's text against the version's, word by word; empty when the section follows the model.
    segments: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class ModelDeviation:
    model_name: str
    model_owner: str  # the municipality's name, or "" for Samenkader's own
    model_revision: int
    sections: dict[str, SectionDeviation]
    responsibilities_changed: int  # rows added, removed or changed against the model's example rows
    decision_moments_changed: int

    @property
    def changed_sections(self) -> list[SectionDeviation]:
        return [s for s in self.sections.values() if not s.follows]


def follows_model_text(model_text: str, text: str) -> bool:
    """Is ``text`` the model's text with its placeholders filled in (or left open)? Nothing is marked."""
    return all(segment.op == "equal" for segment in difference_from_model(model_text, text))


# A word with the spaces after it; a placeholder (with punctuation stuck to it) is one word, however many it holds.
_WORDS = re.compile(r"[^\s\[]*\[\[[^\[\]\n]+\]\][^\s\w]*\s*|\S+\s*|\s+")


_OWN_TEXT_AFTER_FILL = re.compile(r"[.!?;:]\s+(?=\S)|\n")


def difference_from_model(model_text: str, text: str) -> list[Segment]:
    """The model's text against ``text``, word by word, where a filled-in placeholder is no difference.

    A placeholder the initiative replaced shows as the text it wrote, plainly; what it added, removed or
    changed besides is marked (``agreements/_diff_text.html``).
    """
    old, new = _WORDS.findall(model_text or ""), _WORDS.findall(text or "")
    segments: list[Segment] = []
    # Words are compared without the spaces after them (a line break typed in a browser is "\r\n").
    matcher = difflib.SequenceMatcher(
        None, [w.strip() or " " for w in old], [w.strip() or " " for w in new], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if tag == "equal":
            _append(segments, Segment("equal", added))
        elif tag == "replace" and i2 - i1 == j2 - j1 > 1:
            # As many words out as in: word for word, so a filled placeholder beside a changed word stays plain.
            for one_removed, one_added in zip(old[i1:i2], new[j1:j2], strict=True):
                _replace(segments, one_removed, one_added)
        else:
            _replace(segments, removed, added)
    return segments


def _replace(segments: list[Segment], removed: str, added: str) -> None:
    """Words of the model replaced by others: a filled-in placeholder stays plain, the rest is marked."""
    if removed and added and not re.sub(r"\W", "", PLACEHOLDER.sub("", removed)):
        # Only placeholders were replaced: filled in. When the model has punctuation after the last one
        # (".", ")."), the filled-in text ends there and whatever follows it was added.
        closing = removed.rstrip()[removed.rstrip().rfind("]]") + 2 :]
        found = re.search(re.escape(closing) + r"(?:\s+|$)", added) if closing else None  # "25.000." ends at the last
        end = found.end() if found else len(added)
        if not closing:
            # Mid-sentence a fill is a few words: a sentence that ends and another that begins, or a new
            # line, is text of one's own.
            own = _OWN_TEXT_AFTER_FILL.search(added.rstrip())
            end = own.start() if own else end
        filled = added[: found.start()] if found else added[:end]
        if not filled.strip():
            # Emptied, not filled in: the placeholder is gone.
            _append(segments, Segment("delete", removed))
            _append(segments, Segment("insert", added, replaces=True))
            return
        _append(segments, Segment("equal", added[:end]))
        if closing and found is None:
            _append(segments, Segment("delete", closing))  # the model's closing punctuation is gone
        if added[end:]:
            _append(segments, Segment("insert", added[end:]))
    else:
        if removed:
            _append(segments, Segment("delete", removed))
        if added:
            _append(segments, Segment("insert", added, replaces=bool(removed)))


def _append(segments: list[Segment], segment: Segment) -> None:
    if segments and segments[-1].op == segment.op and not segment.replaces:
        segments[-1] = Segment(segment.op, segments[-1].text + segment.text, replaces=segments[-1].replaces)
    else:
        segments.append(segment)


def _row_changes(model_rows: list[dict], version_rows: list[dict]) -> int:
    """How many rows differ, counted both ways (a changed row is one removed and one added: counted once)."""
    want, have = Counter(map(_frozen, model_rows)), Counter(map(_frozen, version_rows))
    return max(sum((want - have).values()), sum((have - want).values()))


def _frozen(row: dict) -> tuple:
    return tuple(sorted((key, repr(value)) for key, value in row.items()))


def model_deviation(version: AgreementVersion, model: ModelAgreement) -> ModelDeviation:
    """Compare ``version``'s content (sections and rows, loaded or read now) with ``model``."""
    bodies = {s.key: s.body for s in version.sections.all()}
    sections = {}
    for definition in SECTION_DEFINITIONS:
        model_text = model.sections.get(definition.key, "")
        body = bodies.get(definition.key, "")
        segments = difference_from_model(model_text, body)
        follows = all(segment.op == "equal" for segment in segments)
        sections[definition.key] = SectionDeviation(
            key=definition.key,
            title=str(definition.title),
            follows=follows,
            segments=[] if follows else segments,
        )
    responsibilities = [
        {f: r.content_values()[f] for f in ("task", "phase", "initiative_role", "municipality_role", "third_parties")}
        for r in version.responsibilities.all()
    ]
    decisions = [
        {"title": d.title, "deciding_body": d.deciding_body, "instrument": d.instrument}
        for d in version.decision_moments.all()
    ]
    return ModelDeviation(
        model_name=model.name,
        model_owner=model.owner.name if model.owner_id else "",
        model_revision=model.revision,
        sections=sections,
        responsibilities_changed=_row_changes(model.responsibilities, responsibilities),
        decision_moments_changed=_row_changes(model.decision_moments, decisions),
    )
