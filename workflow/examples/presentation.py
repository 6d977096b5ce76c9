"""The public content of an example as the pages and the Woo PDF show it: labels instead of codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from agreements.choices import DecidingBody, Instrument, Phase, RaciRole
from agreements.models import PublicExample
from agreements.sections import SECTION_DEFINITIONS


@dataclass(frozen=True)
class PublicSection:
    key: str
    title: str
    text: str


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values and value else ""


def public_content(example: PublicExample) -> dict:
    content = example.content
    sections = [
        PublicSection(d.key, str(d.title), content["sections"].get(d.key, ""))
        for d in SECTION_DEFINITIONS
        if content["sections"].get(d.key)
    ]
    tasks = [
        {
            "task": row["task"],
            "phase": _label(Phase, row["phase"]),
            "initiative_role": _label(RaciRole, row["initiative_role"]),
            "municipality_role": _label(RaciRole, row["municipality_role"]),
            "third_parties": ", ".join(
                f"{p['name']} ({_label(RaciRole, p['role'])})" if p.get("role") else p["name"]
                for p in row.get("third_parties", [])
            ),
        }
        for row in content.get("responsibilities", [])
    ]
    decisions = [
        {
            "title": row["title"],
            "deciding_body": _label(DecidingBody, row["deciding_body"]),
            "instrument": _label(Instrument, row.get("instrument", "")),
            "planned_date": dt.date.fromisoformat(row["planned_date"]) if row.get("planned_date") else None,
        }
        for row in content.get("decision_moments", [])
    ]
    return {
        "summary": content.get("summary", ""),
        "sections": sections,
        "neighbourhoods": content.get("neighbourhoods", []),
        "tasks": tasks,
        "decisions": decisions,
        "escalation_ladder": content.get("escalation_ladder", []),
    }
