"""Model agreements: the ones Samenkader ships, and those a municipality publishes for its initiatives.

A model (``agreements.models.ModelAgreement``) is section texts with
placeholders (``[[naam van de wijk]]``, ``agreements/placeholders.py``),
example role-division rows and decision moments. A published row never
changes: publishing again under the same code makes the next revision and
retires the previous one, so every version that started from a model can be
compared with the exact text it started from (``lifecycle/model_deviation.py``).

Samenkader's own models live as JSON in ``lifecycle/data/model_agreements/``,
one file per form with a Dutch and an English text; ``shipped_models_load``
brings the database in line with them after every ``migrate`` and from
``manage.py load_model_agreements``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from agreements.choices import AgreementForm, DecidingBody, Instrument, Language, OrganisationKind, Phase, RaciRole
from agreements.models import (
    DecisionMoment,
    ModelAgreement,
    Organisation,
    Responsibility,
    User,
    has_control_characters,
)
from agreements.sections import SECTION_ORDER
from workflow.core.access import may_publish_models
from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted
from workflow.core.text import one_line, text_block

logger = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "model_agreements"
SECTION_MAX_LENGTH = 20000
RESPONSIBILITY_FIELDS = Responsibility.CONTENT_FIELDS
DECISION_FIELDS = tuple(f for f in DecisionMoment.CONTENT_FIELDS if f != "planned_date")  # a model has no dates


@dataclass(frozen=True)
class ModelText:
    """One language of a model, as written: what ``model_agreement_publish`` takes and the JSON files hold."""

    name: str
    description: str
    sections: dict[str, str]
    responsibilities: list[dict[str, Any]]
    decision_moments: list[dict[str, Any]]
    escalation_ladder: list[dict[str, Any]] = field(default_factory=list)


# --- checking a model's content ---------------------------------------------------------------------


def _clean_sections(sections: dict[str, str]) -> dict[str, str]:
    unknown = set(sections) - set(SECTION_ORDER)
    if unknown:
        raise InvalidInput(
            errors={"sections": [_("Onbekend onderdeel: %(keys)s") % {"keys": ", ".join(sorted(unknown))}]}
        )
    cleaned = {
        key: text_block(sections.get(key), field_name=key, max_length=SECTION_MAX_LENGTH) for key in SECTION_ORDER
    }
    if not any(cleaned.values()):
        raise InvalidInput(errors={"sections": [_("Een model heeft tekst in minstens één onderdeel.")]})
    return cleaned


def _clean_ladder(steps: list[dict[str, Any]], *, source: str) -> list[dict[str, Any]]:
    """A model's suggested escalation ladder: each step a level, who is involved and a number of days (1-365)."""
    cleaned = []
    for number, step in enumerate(steps, start=1):
        one = {
            "level": str(step["level"]).strip(),
            "involved": str(step.get("involved", "")).strip(),
            "days": step["days"],
        }
        if not one["level"] or not isinstance(one["days"], int) or not 1 <= one["days"] <= 365:
            raise ValueError(f"{source}: escalation step {number} is not a level with 1 to 365 days")
        cleaned.append(one)
    return cleaned


def _clean_rows(rows: list[dict[str, Any]], *, kind: str) -> list[dict[str, Any]]:
    """Rows in the shape the draft's rows take; ValueError names the first wrong one (these come from files
    and from copying another model, never from a person's typing)."""
    cleaned = []
    for number, row in enumerate(rows, start=1):
        if kind == "responsibilities":
            third = [
                {"name": str(p["name"]).strip(), "role": p.get("role") or ""} for p in row.get("third_parties", [])
            ]
            one = {
                "task": str(row["task"]).strip(),
                "phase": row["phase"],
                "initiative_role": row.get("initiative_role") or "",
                "municipality_role": row.get("municipality_role") or "",
                "third_parties": third,
            }
            valid = (
                one["task"]
                and len(one["task"]) <= 300
                and one["phase"] in Phase.values
                and all(r in ["", *RaciRole.values] for r in (one["initiative_role"], one["municipality_role"]))
                and all(p["name"] and p["role"] in ["", *RaciRole.values] for p in third)
            )
        else:
            one = {
                "title": str(row["title"]).strip(),
                "deciding_body": row["deciding_body"],
                "instrument": row.get("instrument") or "",
            }
            valid = (
                one["title"]
                and len(one["title"]) <= 300
                and one["deciding_body"] in DecidingBody.values
                and one["instrument"] in Instrument.values
            )
        single_lines = [v for v in one.values() if isinstance(v, str)]
        if not valid or any(has_control_characters(v) for v in single_lines):
            raise ValueError(f"{kind} row {number} is not valid: {row!r}")
        cleaned.append(one)
    return cleaned


# --- the shipped models -----------------------------------------------------------------------------


def read_shipped_models(directory: Path = SHIPPED_DIR) -> list[tuple[str, str, str, ModelText]]:
    """Every shipped model as (slug, form, language, text), checked; ValueError names what is wrong."""
    found = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        slug, form = data["slug"], data["form"]
        if form not in AgreementForm.values:
            raise ValueError(f"{path.name}: unknown form {form!r}")
        for language in Language.values:
            text = data[language]
            missing = [key for key in SECTION_ORDER if not (text["sections"].get(key) or "").strip()]
            if missing:
                raise ValueError(f"{path.name} ({language}): empty sections {missing}")
            found.append(
                (
                    slug,
                    form,
                    language,
                    ModelText(
                        name=text["name"],
                        description=text.get("description", ""),
                        sections=_clean_sections(text["sections"]),
                        responsibilities=_clean_rows(text["responsibilities"], kind="responsibilities"),
                        decision_moments=_clean_rows(text["decision_moments"], kind="decision_moments"),
                        escalation_ladder=_clean_ladder(text.get("escalation_ladder", []), source=path.name),
                    ),
                )
            )
    return found


def _same_content(row: ModelAgreement, form: str, text: ModelText) -> bool:
    return (
        row.form == form
        and row.name == text.name
        and row.description == text.description
        and row.sections == text.sections
        and row.responsibilities == text.responsibilities
        and row.decision_moments == text.decision_moments
        and row.escalation_ladder == text.escalation_ladder
    )


@transaction.atomic
def shipped_models_load(directory: Path = SHIPPED_DIR) -> int:
    """Bring Samenkader's own models in line with the files: a changed text becomes the next revision.

    Returns how many revisions it published (0 when the database already matched). Idempotent.
    """
    published = 0
    for slug, form, language, text in read_shipped_models(directory):
        current = (
            ModelAgreement.objects.select_for_update()
            .filter(slug=slug, language=language, retired_at__isnull=True)
            .first()
        )
        if current is not None and current.owner_id is None and _same_content(current, form, text):
            continue
        _publish_revision(slug=slug, owner=None, form=form, language=language, text=text, by=None, current=current)
        published += 1
    if published:
        logger.info("Shipped model agreements: %s revisions published", published)
    return published


def _publish_revision(
    *,
    slug: str,
    owner: Organisation | None,
    form: str,
    language: str,
    text: ModelText,
    by: User | None,
    current: ModelAgreement | None,
) -> ModelAgreement:
    now = timezone.now()
    revision = 1
    if current is not None:
        current.retired_at = now
        current.save(update_fields=["retired_at"])
        revision = current.revision + 1
    last = ModelAgreement.objects.filter(slug=slug, language=language).order_by("-revision").first()
    if last is not None:
        revision = max(revision, last.revision + 1)
    return ModelAgreement.objects.create(
        slug=slug,
        revision=revision,
        owner=owner,
        name=text.name,
        description=text.description,
        form=form,
        language=language,
        sections=text.sections,
        responsibilities=text.responsibilities,
        decision_moments=text.decision_moments,
        escalation_ladder=text.escalation_ladder,
        published_at=now,
        published_by=by,
    )


# --- a municipality's own models ----------------------------------------------------------------------


def _require_publisher(actor: User, municipality: Organisation) -> None:
    if municipality.kind != OrganisationKind.MUNICIPALITY or not may_publish_models(actor, municipality):
        raise NotPermitted(
            _("Alleen de beheerder van %(organisation)s publiceert modellen van de gemeente.")
            % {"organisation": municipality.name}
        )


def _clean_name(name: str) -> str:
    return one_line(
        name,
        field_name="name",
        max_length=200,
        required_message=_("Geef het model een naam, bijvoorbeeld 'Het Zwolse model'."),
    )


def _new_slug(municipality: Organisation, name: str) -> str:
    base = slugify(f"{municipality.cbs_code}-{name}")[:70] or f"{municipality.cbs_code}-model".lower()
    slug, number = base, 1
    while ModelAgreement.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def model_agreement_publish(
    *,
    actor: User,
    municipality: Organisation,
    name: str,
    form: str,
    language: str,
    description: str = "",
    sections: dict[str, str],
    base: ModelAgreement,
    replaces: ModelAgreement | None = None,
) -> ModelAgreement:
    """The municipality's admin publishes a model for the initiatives in its area.

    The section texts are theirs; the example rows and decision moments come from ``base`` (Samenkader's model of
    that form or one of their own). ``replaces``: their model of which this is the next revision (the old one is
    no longer offered, but the versions that started from it still compare against it). InvalidInput for the
    name, form, language or a section; NotPermitted unless the actor is the municipality's admin.
    """
    _require_publisher(actor, municipality)
    name = _clean_name(name)
    if form not in AgreementForm.values:
        raise InvalidInput(errors={"form": [_("Kies de vorm van de afspraak.")]})
    if language not in Language.values:
        raise InvalidInput(errors={"language": [_("Kies de taal.")]})
    description = (description or "").strip()
    if len(description) > 1000:
        raise InvalidInput(errors={"description": [_("Gebruik ten hoogste %(max)s tekens.") % {"max": 1000}]})
    if base.owner_id not in (None, municipality.pk):
        raise NotPermitted(_("U kunt alleen een model van Samenkader of van uw eigen gemeente als basis nemen."))
    text = ModelText(
        name=name,
        description=description,
        sections=_clean_sections(sections),
        responsibilities=list(base.responsibilities),
        decision_moments=list(base.decision_moments),
        escalation_ladder=list(base.escalation_ladder),
    )
    current = None
    if replaces is not None:
        current = ModelAgreement.objects.select_for_update().filter(pk=replaces.pk).first()
        if current is None or current.owner_id != municipality.pk:
            raise NotFound(_("Dit model bestaat niet."))
        if current.retired_at is not None:
            raise Conflict(_("Er is al een nieuwere versie van dit model. Open het model opnieuw."))
        slug = current.slug
        # A new language is a model of its own under the same code: only the same language is replaced.
        if current.language != language:
            current = (
                ModelAgreement.objects.select_for_update()
                .filter(slug=slug, language=language, retired_at__isnull=True)
                .first()
            )
    else:
        slug = _new_slug(municipality, name)
    try:
        with transaction.atomic():
            model = _publish_revision(
                slug=slug, owner=municipality, form=form, language=language, text=text, by=actor, current=current
            )
    except IntegrityError:
        raise Conflict(_("Iemand anders publiceerde dit model net. Open het model opnieuw.")) from None
    logger.info("Model %s revision %s published by user %s", model.slug, model.revision, actor.pk)
    return model


@transaction.atomic
def model_agreement_retire(*, actor: User, model: ModelAgreement) -> ModelAgreement:
    """The municipality's admin stops offering one of its models (agreements that started from it keep it)."""
    locked = ModelAgreement.objects.select_for_update(of=("self",)).select_related("owner").filter(pk=model.pk).first()
    if locked is None or locked.owner is None:
        raise NotFound(_("Dit model bestaat niet."))
    _require_publisher(actor, locked.owner)
    if locked.retired_at is not None:
        raise Conflict(_("Dit model wordt al niet meer aangeboden."))
    locked.retired_at = timezone.now()
    locked.save(update_fields=["retired_at"])
    return locked
