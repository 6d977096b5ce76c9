"""Shared helpers for the agreement page tests: agreements in a given state, and form posts."""

from __future__ import annotations

import itertools
import re

from django.urls import reverse

from agreements.choices import AgreementState
from agreements.models import Agreement
from tests.factories import AgreementFactory

# The factories' references would collide with the ones the services hand out this year.
_numbers = itertools.count(1)


def agreement_in(world, state: str = AgreementState.DRAFT, **kwargs) -> Agreement:
    kwargs.setdefault("content", True)
    return AgreementFactory(
        reference=f"SK-1999-{next(_numbers):04d}",
        initiative=world.initiative,
        municipality=world.municipality,
        created_by=world.drafter,
        state=state,
        **kwargs,
    )


def url(name: str, agreement: Agreement, **kwargs) -> str:
    return reverse(f"agreement:{name}", kwargs={"reference": agreement.reference, **kwargs})


def editor_data(agreement: Agreement, part: str = "aim", **overrides) -> dict[str, str]:
    """The form of one part of the editor (``part``) as the page would post it, filled from the stored draft.

    Every part's fields are in it, as on the page; the editor reads only those of ``part``.
    """
    from agreements.sections import SECTION_ORDER

    version = agreement.current_version()
    data = {
        "part": part,
        "revision": str(version.part_revision(part)),
        "title": agreement.title,
        "form": agreement.form,
        "phase": agreement.phase,
        "language": agreement.language,
        "review_due_date": "",
        "evaluation_date": "",
        "valid_until": "",
        "save": "1",
    }
    bodies = {s.key: s.body for s in version.sections.all()}
    for key in SECTION_ORDER:
        data[key] = bodies.get(key, "")
    neighbourhoods = list(agreement.neighbourhoods.all())
    data.update(_management("neighbourhoods", len(neighbourhoods)))
    for i, n in enumerate(neighbourhoods):
        data[f"neighbourhoods-{i}-name"] = n.name
        data[f"neighbourhoods-{i}-cbs_code"] = n.cbs_code
    rows = list(version.responsibilities.all())
    data.update(_management("responsibilities", len(rows)))
    for i, r in enumerate(rows):
        for field in ("task", "phase", "initiative_role", "municipality_role", "third_party_owner"):
            data[f"responsibilities-{i}-{field}"] = getattr(r, field)
        parties = r.third_party_roles
        data[f"responsibilities-{i}-party_lines"] = str(len(parties) + 1)
        for n, party in enumerate(parties):
            data[f"responsibilities-{i}-party_{n}_name"] = party.name
            data[f"responsibilities-{i}-party_{n}_role"] = party.role
    moments = list(version.decision_moments.all())
    data.update(_management("decisions", len(moments)))
    for i, d in enumerate(moments):
        data[f"decisions-{i}-title"] = d.title
        data[f"decisions-{i}-planned_date"] = d.planned_date.isoformat() if d.planned_date else ""
        data[f"decisions-{i}-deciding_body"] = d.deciding_body
        data[f"decisions-{i}-instrument"] = d.instrument
        data[f"decisions-{i}-deciding_party"] = d.deciding_party
    steps = list(version.escalation_steps.all())
    data.update(_management("escalation", len(steps)))
    for i, step in enumerate(steps):
        data[f"escalation-{i}-level"] = step.level
        data[f"escalation-{i}-involved"] = step.involved
        data[f"escalation-{i}-days"] = str(step.days)
    data.update(overrides)
    return data


def _management(prefix: str, count: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(count),
        f"{prefix}-INITIAL_FORMS": str(count),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "100",
    }


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


def text_of(response) -> str:
    return response.content.decode()
