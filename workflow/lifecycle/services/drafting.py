"""Starting an agreement and editing its draft."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import AuditAction, OrganisationKind, RaciRole, ResponsibleParty
from agreements.models import (
    DRAFT_PARTS,
    PART_ABOUT,
    PART_DECISION_MOMENTS,
    PART_ESCALATION_LADDER,
    PART_NEIGHBOURHOODS,
    PART_RESPONSIBILITIES,
    SINGLE_LINE_MESSAGE,
    Agreement,
    AgreementVersion,
    DecisionMoment,
    EscalationStep,
    ImmutableRecordError,
    ModelAgreement,
    Neighbourhood,
    Organisation,
    PublicExample,
    ReferenceSequence,
    Responsibility,
    Section,
    User,
    has_control_characters,
    single_line_fields,
)
from agreements.sections import SECTION_ORDER
from workflow.core.access import may_create_agreement
from workflow.core.audit import record
from workflow.core.exceptions import InvalidInput, NotPermitted, StaleRevision
from workflow.core.figures import renew_visibility_tokens
from workflow.core.request_meta import SYSTEM, RequestMeta
from workflow.lifecycle import rules
from workflow.lifecycle.services.common import lock_and_check


def _require_single_line(field: str, model: type, rows: Iterable[dict[str, Any]]) -> None:
    """Titles and names are one line (the model's ``single_line`` fields): InvalidInput under ``field`` otherwise.

    A line break in a title would end up in the subject of every e-mail about the agreement.
    """
    names = single_line_fields(model)
    for row in rows:
        if any(isinstance(row.get(name), str) and has_control_characters(row[name]) for name in names):
            raise InvalidInput(errors={field: [str(SINGLE_LINE_MESSAGE)]})


def replace_neighbourhoods(agreement: Agreement, neighbourhoods: list[dict[str, str]]) -> None:
    agreement.neighbourhoods.all().delete()
    Neighbourhood.objects.bulk_create(
        [
            Neighbourhood(
                agreement=agreement, position=i, name=n["name"].strip(), cbs_code=(n.get("cbs_code") or "").strip()
            )
            for i, n in enumerate(neighbourhoods)
            if n.get("name", "").strip()
        ]
    )


@transaction.atomic
def agreement_create(
    *,
    actor: User,
    initiative: Organisation,
    municipality: Organisation,
    title: str,
    form: str,
    phase: str,
    language: str = "nl",
    neighbourhoods: list[dict[str, str]] | None = None,
    review_due_date: dt.date | None = None,
    evaluation_date: dt.date | None = None,
    valid_until: dt.date | None = None,
    model: ModelAgreement | None = None,
    example: PublicExample | None = None,
    request_meta: RequestMeta = SYSTEM,
) -> Agreement:
    """A drafter of ``initiative`` starts a new draft with ``municipality``, from ``model`` or empty.

    Version 1 holds the model's section texts, example rows and decision moments (and remembers the model:
    ``AgreementVersion.started_from``), or every section empty. Raises NotPermitted unless the actor drafts
    for the initiative, InvalidInput for a municipality that is not one, or for another municipality's model.
    ``example``: a public example to start from instead (its public text and rows, without
    dates); the agreement remembers it (``Agreement.started_from_example``).
    """
    if not may_create_agreement(actor, initiative):
        raise NotPermitted(_("Alleen opstellers van het bewonersinitiatief kunnen een afspraak beginnen."))
    if municipality.kind != OrganisationKind.MUNICIPALITY:
        raise InvalidInput(errors={"municipality": [_("Kies een gemeente.")]})
    # Read again under its row lock: a merger being loaded right now is either seen here or moves this draft.
    merged_into = (
        Organisation.objects.select_for_update()
        .filter(pk=municipality.pk)
        .values_list("merged_into", flat=True)
        .first()
    )
    if merged_into is not None:
        raise InvalidInput(
            errors={"municipality": [_("Deze gemeente is heringedeeld. Kies de gemeente waarin zij opging.")]}
        )
    if model is not None and model.owner_id not in (None, municipality.pk):
        raise InvalidInput(
            errors={
                "model": [
                    _("%(model)s is een model van %(owner)s. Kies een model van Samenkader of van %(municipality)s.")
                    % {"model": model.name, "owner": model.owner.name, "municipality": municipality.name}
                ]
            }
        )
    if model is not None and model.retired_at is not None:
        raise InvalidInput(errors={"model": [_("Dit model wordt niet meer aangeboden. Kies een ander model.")]})
    if example is not None and (model is not None or example.withdrawn_at is not None):
        raise InvalidInput(errors={"model": [_("Dit voorbeeld staat niet meer in de bibliotheek. Kies een model.")]})
    if not title.strip():
        raise InvalidInput(errors={"title": [_("Geef de afspraak een titel.")]})
    _require_single_line("title", Agreement, [{"title": title.strip()}])
    _require_single_line("neighbourhoods", Neighbourhood, [_stripped(n) for n in neighbourhoods or []])
    now = timezone.now()
    agreement = Agreement.objects.create(
        reference=ReferenceSequence.allocate(timezone.localdate().year),
        title=title.strip(),
        form=form,
        phase=phase,
        language=language,
        initiative=initiative,
        municipality=municipality,
        created_by=actor,
        created_at=now,
        state_changed_at=now,
        review_due_date=review_due_date,
        evaluation_date=evaluation_date,
        valid_until=valid_until,
        started_from_example=example,
    )
    replace_neighbourhoods(agreement, neighbourhoods or [])
    version = AgreementVersion.objects.create(agreement=agreement, number=1, created_by=actor, started_from=model)
    if example is not None:
        _fill_from_example(version, example)
    else:
        _fill_from_model(version, model)
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.CREATED,
        request_meta=request_meta,
        to_state=agreement.state,
        version_number=1,
        note=_("Begonnen met %(model)s") % {"model": model.name}
        if model is not None
        else _("Begonnen met het voorbeeld %(title)s") % {"title": example.title}
        if example is not None
        else "",
    )
    # Both parties see one agreement more (the overview's filter may gain a municipality).
    renew_visibility_tokens([agreement.initiative_id, agreement.municipality_id])
    return agreement


def _fill_from_example(version: AgreementVersion, example: PublicExample) -> None:
    """Version 1's content from a public example: its public sections, tasks and decisions (no dates)."""
    content = example.content
    _fill(
        version,
        content.get("sections", {}),
        content.get("responsibilities", []),
        content.get("decision_moments", []),
        content.get("escalation_ladder", []),
    )


def _fill_from_model(version: AgreementVersion, model: ModelAgreement | None) -> None:
    """Version 1's content: the model's texts and example rows, or every section empty."""
    if model is None:
        _fill(version, {}, [], [])
    else:
        _fill(version, model.sections, model.responsibilities, model.decision_moments, model.escalation_ladder)


def _fill(
    version: AgreementVersion,
    sections: dict,
    responsibilities: list[dict],
    decision_moments: list[dict],
    escalation_ladder: list[dict] = (),
) -> None:
    """Version 1's sections, role division, decision moments (without dates) and escalation ladder: four bulk
    inserts at most."""
    Section.objects.bulk_create(
        [Section(version=version, key=key, body=sections.get(key, "")) for key in SECTION_ORDER]
    )
    Responsibility.objects.bulk_create(
        [
            Responsibility(
                version=version,
                position=position,
                **{
                    f: row.get(f, Responsibility._meta.get_field(f).get_default())
                    for f in Responsibility.CONTENT_FIELDS
                },
            )
            for position, row in enumerate(responsibilities)
        ]
    )
    DecisionMoment.objects.bulk_create(
        [
            DecisionMoment(
                version=version,
                position=position,
                title=row["title"],
                deciding_body=row["deciding_body"],
                instrument=row.get("instrument", ""),
                deciding_party=row.get("deciding_party") or "",
            )
            for position, row in enumerate(decision_moments)
        ]
    )
    if escalation_ladder:
        EscalationStep.objects.bulk_create(
            [
                EscalationStep(
                    version=version,
                    position=position,
                    level=step["level"],
                    involved=step.get("involved", ""),
                    days=step["days"],
                )
                for position, step in enumerate(escalation_ladder)
            ]
        )


def parts_written(
    *,
    fields: dict[str, Any] | None = None,
    neighbourhoods: list | None = None,
    sections: dict[str, str] | None = None,
    responsibilities: list | None = None,
    decision_moments: list | None = None,
    escalation_steps: list | None = None,
) -> list[str]:
    """The parts an update writes, in DRAFT_PARTS order (the arguments are those of ``agreement_update_draft``)."""
    written = set(sections or ())
    if fields:
        written.add(PART_ABOUT)
    if neighbourhoods is not None:
        written.add(PART_NEIGHBOURHOODS)
    if responsibilities is not None:
        written.add(PART_RESPONSIBILITIES)
    if decision_moments is not None:
        written.add(PART_DECISION_MOMENTS)
    if escalation_steps is not None:
        written.add(PART_ESCALATION_LADDER)
    return [part for part in DRAFT_PARTS if part in written]


AGREEMENT_FIELDS_EDITABLE_IN_DRAFT = (
    "title",
    "form",
    "phase",
    "language",
    "review_due_date",
    "evaluation_date",
    "valid_until",
)


@transaction.atomic
def agreement_update_draft(
    *,
    agreement: Agreement,
    actor: User,
    based_on_revision: int | None = None,
    based_on_parts: Mapping[str, int] | None = None,
    fields: dict[str, Any] | None = None,
    neighbourhoods: list[dict[str, str]] | None = None,
    sections: dict[str, str] | None = None,
    responsibilities: list[dict[str, Any]] | None = None,
    decision_moments: list[dict[str, Any]] | None = None,
    escalation_steps: list[dict[str, Any]] | None = None,
    request_meta: RequestMeta = SYSTEM,
) -> AgreementVersion:
    """Save a drafter's edits to the draft; returns the editable version with its new revision.

    The stale-form check (optimistic concurrency) takes one of two bases:

    - ``based_on_parts``: per part written (see ``parts_written`` and
      DRAFT_PARTS), the part's revision when its form was loaded. Only those
      parts are compared, so two people saving different parts both succeed;
    - ``based_on_revision``: the draft's overall revision when the whole of it
      was loaded; any save in between is a conflict.

    If someone saved in between, StaleRevision (a conflict; ``context["parts"]``
    maps each stale part to its revision now) is raised and nothing is
    written. Every save raises the overall revision by one and gives each part
    it wrote that revision. The first edit after request_changes or reopen
    starts version n+1 as a copy of the frozen one (copy-on-write). A list
    that is passed replaces the stored rows; None leaves them as they are.
    A responsibility row names its other parties as ``third_parties``: a list
    of ``{"name", "role"}``; the older ``third_party_name``/``third_party_role``
    pair is read as a list of one. ``escalation_steps`` is the escalation ladder, in order:
    ``{"level", "involved", "days"}`` (days 1 to 365).
    """
    written = parts_written(
        fields=fields,
        neighbourhoods=neighbourhoods,
        sections=sections,
        responsibilities=responsibilities,
        decision_moments=decision_moments,
        escalation_steps=escalation_steps,
    )
    if (based_on_revision is None) == (based_on_parts is None):
        raise ValueError("Pass exactly one of based_on_revision and based_on_parts.")
    if based_on_parts is not None and set(written) - set(based_on_parts):
        raise ValueError(f"No revision given for {sorted(set(written) - set(based_on_parts))}")
    agreement = lock_and_check(agreement, actor=actor, check=rules.check_edit)
    version = _editable_version(
        agreement,
        actor=actor,
        based_on_revision=based_on_revision,
        based_on_parts={part: based_on_parts[part] for part in written} if based_on_parts is not None else None,
    )
    if responsibilities is not None:
        responsibilities = [_responsibility_row(row) for row in responsibilities]
        _require_third_parties(responsibilities)
    if fields and "title" in fields:
        _require_single_line("title", Agreement, [{"title": str(fields["title"]).strip()}])
    _require_single_line("neighbourhoods", Neighbourhood, [_stripped(n) for n in neighbourhoods or []])
    _require_single_line("responsibilities", Responsibility, responsibilities or [])
    _require_single_line("decision_moments", DecisionMoment, decision_moments or [])
    if escalation_steps is not None:
        escalation_steps = _escalation_steps(escalation_steps)
    if responsibilities is not None:
        _require_choice("responsibilities", "third_party_owner", THIRD_PARTY_OWNERS, responsibilities)
    if decision_moments is not None:
        _require_choice("decision_moments", "deciding_party", ResponsibleParty.values, decision_moments)
    if fields:
        _update_fields(agreement, fields)
    if neighbourhoods is not None:
        replace_neighbourhoods(agreement, neighbourhoods)
    if sections:
        _update_sections(version, sections)
    if responsibilities is not None:
        _replace_rows(Responsibility, version, responsibilities)
    if decision_moments is not None:
        _replace_rows(DecisionMoment, version, decision_moments)
    if escalation_steps is not None:
        _replace_rows(EscalationStep, version, escalation_steps)
    version.revision += 1
    version.part_revisions = {**version.part_revisions, **dict.fromkeys(written, version.revision)}
    version.updated_at = timezone.now()
    # One UPDATE that refuses a frozen version by itself (what ``AgreementVersion.save`` checks with a query first).
    saved = AgreementVersion.objects.filter(pk=version.pk, frozen_at__isnull=True).update(
        revision=version.revision, part_revisions=version.part_revisions, updated_at=version.updated_at
    )
    if not saved:
        raise ImmutableRecordError(f"Version {version} is frozen and cannot change.")
    record(
        agreement=agreement,
        actor=actor,
        action=AuditAction.DRAFT_UPDATED,
        request_meta=request_meta,
        version_number=version.number,
    )
    return version


def _stripped(neighbourhood: dict[str, str]) -> dict[str, str]:
    return {"name": (neighbourhood.get("name") or "").strip()}


def _editable_version(
    agreement: Agreement,
    *,
    actor: User,
    based_on_revision: int | None,
    based_on_parts: dict[str, int] | None,
) -> AgreementVersion:
    """The version to write to: StaleRevision if someone saved since the form was loaded; copy-on-write after review.

    Runs on the locked agreement row, so two saves of the same part cannot both pass the check.
    """
    version = agreement.current_version()
    if based_on_parts is not None:
        stale = {
            part: version.part_revision(part)
            for part, loaded in based_on_parts.items()
            if version.part_revision(part) != loaded
        }
        if stale:
            current = max(stale.values())
            yours = max(based_on_parts[part] for part in stale)
            raise StaleRevision(
                _(
                    "Iemand anders heeft dit onderdeel opgeslagen nadat u het opende (nu revisie %(current)s, "
                    "u begon bij revisie %(yours)s). Uw wijzigingen zijn niet opgeslagen."
                )
                % {"current": current, "yours": yours},
                state=agreement.state,
                current_revision=current,
                parts=stale,
            )
    elif version.revision != based_on_revision:
        raise StaleRevision(
            _(
                "Iemand anders heeft dit concept opgeslagen nadat u het opende (nu revisie %(current)s, "
                "u begon bij revisie %(yours)s). Uw wijzigingen zijn niet opgeslagen."
            )
            % {"current": version.revision, "yours": based_on_revision},
            state=agreement.state,
            current_revision=version.revision,
            parts={},
        )
    if version.is_frozen:
        version = version.copy_as_next(by=actor)
    return version


def _responsibility_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row with its other parties as ``third_parties`` (names stripped, nameless ones left out)."""
    row = dict(row)
    parties = list(row.pop("third_parties", None) or [])
    legacy_name = (row.pop("third_party_name", "") or "").strip()
    legacy_role = row.pop("third_party_role", "") or ""
    if legacy_name:
        parties.insert(0, {"name": legacy_name, "role": legacy_role})
    row["third_parties"] = [
        {"name": str(p.get("name") or "").strip(), "role": p.get("role") or ""}
        for p in parties
        if str(p.get("name") or "").strip()
    ]
    return row


THIRD_PARTY_NAME_MAX = Responsibility._meta.get_field("third_party_name").max_length


def _require_third_parties(rows: list[dict[str, Any]]) -> None:
    """Each other party has a one-line name of at most THIRD_PARTY_NAME_MAX characters and a known role (or none)."""
    roles = {"", *RaciRole.values}
    for row in rows:
        for party in row["third_parties"]:
            if has_control_characters(party["name"]):
                raise InvalidInput(errors={"responsibilities": [str(SINGLE_LINE_MESSAGE)]})
            if len(party["name"]) > THIRD_PARTY_NAME_MAX or party["role"] not in roles:
                raise InvalidInput(
                    errors={
                        "responsibilities": [
                            _("Noem elke andere partij in hoogstens %(limit)d tekens, met R, A, C, I of geen rol.")
                            % {"limit": THIRD_PARTY_NAME_MAX}
                        ]
                    }
                )


def _update_fields(agreement: Agreement, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(AGREEMENT_FIELDS_EDITABLE_IN_DRAFT)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if "title" in fields and not str(fields["title"]).strip():
        raise InvalidInput(errors={"title": [_("Geef de afspraak een titel.")]})
    for name, value in fields.items():
        setattr(agreement, name, value)
    agreement.save(update_fields=list(fields))


def _update_sections(version: AgreementVersion, sections: dict[str, str]) -> None:
    unknown_keys = set(sections) - set(SECTION_ORDER)
    if unknown_keys:
        raise ValueError(f"Unknown sections: {sorted(unknown_keys)}")
    # One read and at most two writes, however many sections change. The version is the editable one
    # (``_editable_version``, on the locked row), so the rows may change; the database trigger guards that too.
    stored = {section.key: section for section in version.sections.all()}
    changed = []
    for key, body in sections.items():
        section = stored.get(key)
        if section is not None and section.body != body:
            section.body = body
            changed.append(section)
    Section.objects.bulk_update(changed, ["body"])
    missing = [Section(version=version, key=key, body=body) for key, body in sections.items() if key not in stored]
    Section.objects.bulk_create(missing)


THIRD_PARTY_OWNERS = (ResponsibleParty.INITIATIVE, ResponsibleParty.MUNICIPALITY)
ESCALATION_LEVEL_MAX = EscalationStep._meta.get_field("level").max_length
ESCALATION_INVOLVED_MAX = EscalationStep._meta.get_field("involved").max_length
ESCALATION_DAYS_MAX = 365


def _require_choice(field: str, name: str, allowed, rows: list[dict[str, Any]]) -> None:
    """A row's optional choice (who keeps up a third party, who records a decision) is empty or one of ``allowed``."""
    for row in rows:
        if (row.get(name) or "") not in ("", *allowed):
            raise InvalidInput(errors={field: [_("Kies een van de partijen.")]})


def _escalation_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ladder's steps, trimmed: a level (one line), who is involved, within 1 to 365 days."""
    cleaned = []
    for step in steps:
        level = " ".join(str(step.get("level") or "").split())
        involved = " ".join(str(step.get("involved") or "").split())
        if not level:
            raise InvalidInput(errors={"escalation_steps": [_("Noem bij elke stap het niveau.")]})
        if len(level) > ESCALATION_LEVEL_MAX or len(involved) > ESCALATION_INVOLVED_MAX:
            raise InvalidInput(errors={"escalation_steps": [_("Een stap is te lang: houd het bij één regel.")]})
        try:
            days = int(step.get("days"))
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= ESCALATION_DAYS_MAX:
            raise InvalidInput(errors={"escalation_steps": [_("Geef elke stap een termijn van 1 tot 365 dagen.")]})
        cleaned.append({"level": level, "involved": involved, "days": days})
    return cleaned


def _replace_rows(
    model: type[Responsibility] | type[DecisionMoment] | type[EscalationStep],
    version: AgreementVersion,
    rows: list[dict],
) -> None:
    """Replace a version's rows of ``model`` by ``rows``, in their order; the row fields are model.CONTENT_FIELDS.

    A field the model requires must be in each row (KeyError otherwise: a programming error);
    an optional one may be left out.
    """
    model.objects.filter(version=version).delete()
    required = {f.name for f in model._meta.get_fields() if f.name in model.CONTENT_FIELDS and not f.blank}
    model.objects.bulk_create(
        [
            model(
                version=version,
                position=position,
                **{
                    name: row[name] if name in required else row.get(name, model._meta.get_field(name).get_default())
                    for name in model.CONTENT_FIELDS
                },
            )
            for position, row in enumerate(rows)
        ]
    )
