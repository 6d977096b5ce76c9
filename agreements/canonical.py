"""Canonical JSON of a version's content, and its SHA-256 (docs/architecture.md, "Canonical JSON and the content hash").

UTF-8, keys sorted, no insignificant whitespace, a top-level ``schema``
number. Lists keep their meaningful order (sections in the fixed order,
responsibilities and decision moments by position). Nothing that can change
after freezing is included: no comments, no signatures, no timestamps.

A new field means a new ``SCHEMA_VERSION``; the bytes of versions frozen
under an older schema are stored on the version and never recomputed. Each
schema keeps its own writer here, so a version frozen under an older one can
still be rendered again, byte for byte, to check its stored hash.

Schemas:

1. a responsibility names at most one other party: ``"third_party": {"name", "role"}`` or ``null``;
2. a responsibility names any number of other parties, each with its own role, in the order written:
   ``"third_parties": [{"name", "role"}, ...]`` (an empty list when there are none).
3. as 2, and what the commitments after signing follow: a responsibility says which signing party keeps up the
   relationship with its other parties (``"third_party_owner"``: ``"initiative"``, ``"municipality"`` or ``null``
   for the initiative), a decision moment which party records its outcome (``"deciding_party"``, ``null``: the
   party whose body decides), and the agreed escalation ladder, in order
   (``"escalation_ladder": [{"level", "involved", "days"}, ...]``).
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from agreements.sections import SECTION_ORDER

if TYPE_CHECKING:
    from agreements.models import AgreementVersion, DecisionMoment, Organisation, Responsibility

SCHEMA_VERSION = 3
SCHEMA_VERSIONS = (1, 2, 3)


def _party(role: str, organisation: Organisation) -> dict[str, Any]:
    return {
        "role": role,
        "name": organisation.name,
        "kind": organisation.kind,
        "cbs_code": organisation.cbs_code or None,
        "kvk_number": organisation.kvk_number or None,
    }


def _responsibility_v1(r: Responsibility) -> dict[str, Any]:
    return {
        "task": r.task,
        "phase": r.phase,
        "initiative": r.initiative_role or None,
        "municipality": r.municipality_role or None,
        "third_party": (
            {"name": r.third_party_name, "role": r.third_party_role or None} if r.third_party_name else None
        ),
    }


def _responsibility_v2(r: Responsibility) -> dict[str, Any]:
    return {
        "task": r.task,
        "phase": r.phase,
        "initiative": r.initiative_role or None,
        "municipality": r.municipality_role or None,
        "third_parties": [{"name": p.name, "role": p.role or None} for p in r.third_party_roles],
    }


def _responsibility_v3(r: Responsibility) -> dict[str, Any]:
    return {**_responsibility_v2(r), "third_party_owner": r.third_party_owner or None}


_RESPONSIBILITY_WRITERS = {1: _responsibility_v1, 2: _responsibility_v2, 3: _responsibility_v3}


def _decision_moment(d: DecisionMoment, schema: int) -> dict[str, Any]:
    written = {
        "title": d.title,
        "planned_date": d.planned_date.isoformat() if d.planned_date else None,
        "deciding_body": d.deciding_body,
        "instrument": d.instrument or None,
    }
    if schema >= 3:
        written["deciding_party"] = d.deciding_party or None
    return written


def canonical_content(version: AgreementVersion, *, schema: int | None = None) -> dict[str, Any]:
    """The content of ``version`` under ``schema``: by default the one it was frozen under, or today's for a draft."""
    schema = version.schema_version if schema is None else schema
    if schema not in _RESPONSIBILITY_WRITERS:
        raise ValueError(f"Unknown canonical schema {schema}")
    responsibility = _RESPONSIBILITY_WRITERS[schema]
    agreement = version.agreement
    bodies = {section.key: section.body for section in version.sections.all()}
    content = {
        "schema": schema,
        "agreement": {
            "reference": agreement.reference,
            "title": agreement.title,
            "form": agreement.form,
            "language": agreement.language,
            "neighbourhoods": [
                {"name": n.name, "cbs_code": n.cbs_code or None}
                for n in sorted(agreement.neighbourhoods.all(), key=lambda n: (n.position, n.pk))
            ],
        },
        "version": version.number,
        "parties": [
            _party("initiative", agreement.initiative),
            _party("municipality", agreement.municipality),
        ],
        "sections": [{"key": key, "body": bodies.get(key, "")} for key in SECTION_ORDER],
        "responsibilities": [
            responsibility(r) for r in sorted(version.responsibilities.all(), key=lambda r: (r.position, r.pk))
        ],
        "decision_moments": [
            _decision_moment(d, schema)
            for d in sorted(version.decision_moments.all(), key=lambda d: (d.position, d.pk))
        ],
    }
    if schema >= 3:
        content["escalation_ladder"] = [
            {"level": step.level, "involved": step.involved, "days": step.days}
            for step in sorted(version.escalation_steps.all(), key=lambda step: (step.position, step.pk))
        ]
    return content


def canonical_bytes(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
