"""Every Dutch municipality, from the list CBS publishes, and the mergers of each new year.

The project ships the list (``data/gemeenten-2023-01-01.csv``: CBS's "gemeentelijke indeling" on 1 January
2023, 342 municipalities; README, "Municipalities"). ``municipalities_load`` creates the municipalities
that are missing and follows the list's provinces; it never renames one an admin named. A refresh with a
newer list also takes a file of mergers (``old_code,successor_code,date``), because the list itself does
not say who merged into whom: the merged municipality is marked as gone into its successor, and the
command moves its agreements (lifecycle/services/municipalities.py), each with a line in its log.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from agreements.choices import OrganisationKind, Province
from agreements.models import Organisation

SHIPPED_LIST = Path(__file__).resolve().parent.parent / "data" / "gemeenten-2023-01-01.csv"
CODE = re.compile(r"^GM\d{4}$")
# The province as CBS writes it; Friesland is Fryslân in newer lists.
_PROVINCES = {label: code for code, label in Province.choices} | {"Friesland": Province.FRYSLAN}


class ListError(ValueError):
    """A list or merger file that cannot be used; the message names the line."""


@dataclass(frozen=True)
class MunicipalityRow:
    cbs_code: str
    name: str
    province: str  # Province code


@dataclass(frozen=True)
class Merger:
    old_code: str
    successor_code: str
    on: dt.date


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    province_changed: list[str] = field(default_factory=list)
    merged: list[tuple[Organisation, Organisation, dt.date]] = field(default_factory=list)
    # In the database, not in the list, and no merger said where it went: left as it is, for a person to look at.
    missing_without_successor: list[str] = field(default_factory=list)


def read_municipality_list(path: Path) -> list[MunicipalityRow]:
    rows: list[MunicipalityRow] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8-sig", newline="") as file:
        for number, row in enumerate(csv.DictReader(file), start=2):
            code, name, province = (row.get(k, "").strip() for k in ("cbs_code", "name", "province"))
            if not CODE.match(code):
                raise ListError(f"{path.name}, line {number}: {code!r} is not a CBS code (GM and four digits)")
            if code in seen:
                raise ListError(f"{path.name}, line {number}: {code} is listed twice")
            if not name:
                raise ListError(f"{path.name}, line {number}: {code} has no name")
            if province not in _PROVINCES:
                raise ListError(f"{path.name}, line {number}: unknown province {province!r}")
            seen.add(code)
            rows.append(MunicipalityRow(cbs_code=code, name=name, province=_PROVINCES[province]))
    if not rows:
        raise ListError(f"{path.name}: no municipalities")
    return rows


def read_mergers(path: Path) -> list[Merger]:
    mergers = []
    with path.open(encoding="utf-8-sig", newline="") as file:
        for number, row in enumerate(csv.DictReader(file), start=2):
            old, successor = row.get("old_code", "").strip(), row.get("successor_code", "").strip()
            try:
                on = dt.date.fromisoformat(row.get("date", "").strip())
            except ValueError:
                raise ListError(f"{path.name}, line {number}: the date must be YYYY-MM-DD") from None
            if not (CODE.match(old) and CODE.match(successor)) or old == successor:
                raise ListError(f"{path.name}, line {number}: {old!r} -> {successor!r} is not a merger of two codes")
            mergers.append(Merger(old_code=old, successor_code=successor, on=on))
    return mergers


def municipality_name(cbs_name: str) -> str:
    """How Samenkader names a municipality: "Gemeente Zwolle"."""
    return f"Gemeente {cbs_name}"


@transaction.atomic
def municipalities_load(*, rows: list[MunicipalityRow], mergers: list[Merger] = ()) -> LoadResult:
    """Create the listed municipalities that are missing, follow the provinces, and mark the mergers.

    All or nothing: a merger whose successor is neither listed nor known refuses the whole load.
    """
    result = LoadResult()
    existing = {
        organisation.cbs_code: organisation
        for organisation in Organisation.objects.select_for_update().filter(kind=OrganisationKind.MUNICIPALITY)
    }
    listed = {row.cbs_code for row in rows}
    for row in rows:
        organisation = existing.get(row.cbs_code)
        if organisation is None:
            existing[row.cbs_code] = Organisation.objects.create(
                kind=OrganisationKind.MUNICIPALITY,
                name=municipality_name(row.name),
                cbs_code=row.cbs_code,
                province=row.province,
            )
            result.created.append(row.cbs_code)
        elif organisation.province != row.province:
            organisation.province = row.province
            organisation.save(update_fields=["province"])
            result.province_changed.append(row.cbs_code)
    for merger in mergers:
        old, successor = existing.get(merger.old_code), existing.get(merger.successor_code)
        if successor is None or merger.successor_code not in listed:
            raise ListError(f"{merger.old_code} -> {merger.successor_code}: the successor is not in the list")
        if old is None or old.merged_into_id is not None:
            continue  # never here, or merged by an earlier load
        old.merged_into, old.merged_on = successor, merger.on
        old.save(update_fields=["merged_into", "merged_on"])
        result.merged.append((old, successor, merger.on))
    merged_codes = {merger.old_code for merger in mergers}
    result.missing_without_successor = sorted(
        code
        for code, organisation in existing.items()
        if code not in listed and code not in merged_codes and organisation.merged_into_id is None
    )
    return result
