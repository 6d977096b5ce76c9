"""Which party keeps a commitment up to date: the one home of that rule.

A task belongs to the party marked R (uitvoerend); when neither signing party is R, to the one marked A
(eindverantwoordelijk). When the R (or, lacking one, the A) is a third party, the commitment belongs to
the party that keeps up the relationship with it: the initiative, unless the drafters chose otherwise
(``third_party_owner``). A row that marks nobody R or A belongs to both parties.

A decision moment belongs to the party whose body decides: the college and the council are the
municipality's, the members' meeting and the board the initiative's. A steering group, a project team or
another body is the parties' joint one, unless the drafters named the party (``deciding_party``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from agreements.choices import CommitmentKind, DecidingBody, RaciRole, ResponsibleParty

# Whose body it is, when the drafters did not say.
BODY_PARTY = {
    DecidingBody.COLLEGE: ResponsibleParty.MUNICIPALITY,
    DecidingBody.COUNCIL: ResponsibleParty.MUNICIPALITY,
    DecidingBody.MEMBERS_MEETING: ResponsibleParty.INITIATIVE,
    DecidingBody.INITIATIVE_BOARD: ResponsibleParty.INITIATIVE,
}


def task_responsible(
    *,
    initiative_role: str | None,
    municipality_role: str | None,
    third_party_roles: Iterable[str | None] = (),
    third_party_owner: str | None = None,
) -> str:
    """The party that updates a task of the role division (a ``ResponsibleParty`` value)."""
    owner = third_party_owner or ResponsibleParty.INITIATIVE
    third = {role for role in third_party_roles if role}
    for role in (RaciRole.RESPONSIBLE, RaciRole.ACCOUNTABLE):
        initiative, municipality = initiative_role == role, municipality_role == role
        if initiative and municipality:
            return ResponsibleParty.BOTH
        if initiative:
            return ResponsibleParty.INITIATIVE
        if municipality:
            return ResponsibleParty.MUNICIPALITY
        if role in third:
            return owner
    return ResponsibleParty.BOTH


def decision_responsible(*, deciding_body: str, deciding_party: str | None = None) -> str:
    """The party that records a decision moment's outcome (a ``ResponsibleParty`` value)."""
    if deciding_party:
        return deciding_party
    return BODY_PARTY.get(deciding_body, ResponsibleParty.BOTH)


def responsible_for_row(kind: str, row: Mapping) -> str:
    """The same rules on a row of a version's canonical content (any schema)."""
    if kind == CommitmentKind.DECISION:
        return decision_responsible(deciding_body=row["deciding_body"], deciding_party=row.get("deciding_party"))
    parties = row.get("third_parties")
    if parties is None:  # schema 1: at most one other party
        parties = [row["third_party"]] if row.get("third_party") else []
    return task_responsible(
        initiative_role=row.get("initiative"),
        municipality_role=row.get("municipality"),
        third_party_roles=[party.get("role") for party in parties],
        third_party_owner=row.get("third_party_owner"),
    )


def commitment_rows(content: Mapping) -> list[dict]:
    """The commitments a signed version's canonical content (any schema) makes, as field values: one per task of the
    role division and one per decision moment, in order, with who keeps each. ``services/commitments.py`` makes
    them at the last signature; the data migration made them from these too for agreements signed before."""
    rows = [
        {
            "kind": CommitmentKind.TASK,
            "position": position,
            "title": row["task"],
            "phase": row["phase"],
            "responsible": responsible_for_row(CommitmentKind.TASK, row),
        }
        for position, row in enumerate(content.get("responsibilities", []))
    ]
    for position, row in enumerate(content.get("decision_moments", [])):
        date = dt.date.fromisoformat(row["planned_date"]) if row.get("planned_date") else None
        rows.append(
            {
                "kind": CommitmentKind.DECISION,
                "position": position,
                "title": row["title"],
                "deciding_body": row["deciding_body"],
                "instrument": row.get("instrument") or "",
                "responsible": responsible_for_row(CommitmentKind.DECISION, row),
                "signed_date": date,
                "planned_date": date,
            }
        )
    return rows
