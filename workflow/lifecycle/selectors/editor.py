"""Reads for the draft editor: its parts in page order, and per part whether it is filled and its open comments."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    PART_ABOUT,
    PART_DECISION_MOMENTS,
    PART_ESCALATION_LADDER,
    PART_NEIGHBOURHOODS,
    PART_RESPONSIBILITIES,
    Agreement,
    AgreementVersion,
    Comment,
    party_comments,
)
from agreements.placeholders import placeholders_in
from agreements.sections import SECTION_DEFINITIONS


@dataclass(frozen=True)
class PartOutline:
    """One part of the draft as the table of contents shows it."""

    key: str
    title: str | Promise
    anchor: str
    filled: bool
    open_comments: int
    is_section: bool = False
    placeholders_open: int = 0  # a model's [[placeholders]] still in the text


def anchor_of(part: str) -> str:
    """The id of a part on the editor page (the sections keep the ids they had: ``onderdeel-<key>``)."""
    return {
        PART_ABOUT: "over-de-afspraak",
        PART_NEIGHBOURHOODS: "wijken",
        PART_RESPONSIBILITIES: "rolverdeling",
        PART_DECISION_MOMENTS: "besluitmomenten",
        PART_ESCALATION_LADDER: "escalatieladder",
    }.get(part, f"onderdeel-{part}")


def open_comments_by_section(agreement: Agreement) -> dict[str, int]:
    """The parties' open comment threads of every version, per section key ("" for the agreement as a whole).

    Advisory notes never wait (``party_comments``). One query.
    """
    rows = (
        Comment.objects.filter(party_comments(), version__agreement=agreement, resolved_at__isnull=True)
        .order_by()
        .values("section_key")
        .annotate(n=Count("pk"))
        .values_list("section_key", "n")
    )
    return dict(rows)


def draft_outline(agreement: Agreement, version: AgreementVersion) -> list[PartOutline]:
    """Every part of the draft in page order: filled or empty, and how many comments on it are open.

    ``version`` comes with its sections, responsibilities and decision moments loaded
    (``selectors.page.version_with_content``). Comments on the agreement as a whole count for its first part.
    """
    comments = open_comments_by_section(agreement)
    bodies = {s.key: s.body.strip() for s in version.sections.all()}
    neighbourhoods = list(agreement.neighbourhoods.all())
    parts = [
        PartOutline(
            PART_ABOUT, _("Over de afspraak"), anchor_of(PART_ABOUT), bool(agreement.title), comments.get("", 0)
        ),
        PartOutline(
            PART_NEIGHBOURHOODS, _("Wijken en buurten"), anchor_of(PART_NEIGHBOURHOODS), bool(neighbourhoods), 0
        ),
    ]
    parts += [
        PartOutline(
            d.key,
            d.title,
            anchor_of(d.key),
            bool(bodies.get(d.key)),
            comments.get(d.key, 0),
            is_section=True,
            placeholders_open=len(placeholders_in(bodies.get(d.key, ""))),
        )
        for d in SECTION_DEFINITIONS
    ]
    parts += [
        PartOutline(
            PART_RESPONSIBILITIES,
            _("Rolverdeling"),
            anchor_of(PART_RESPONSIBILITIES),
            bool(version.responsibilities.all()),
            0,
        ),
        PartOutline(
            PART_DECISION_MOMENTS,
            _("Besluitmomenten"),
            anchor_of(PART_DECISION_MOMENTS),
            bool(version.decision_moments.all()),
            0,
        ),
        PartOutline(
            PART_ESCALATION_LADDER,
            _("Escalatieladder"),
            anchor_of(PART_ESCALATION_LADDER),
            bool(version.escalation_steps.all()),
            0,
        ),
    ]
    return parts
