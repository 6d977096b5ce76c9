"""The draft editor: one form per part (the agreement's own fields, the neighbourhoods, each section, the role
division, the decision moments), a table of contents with each part's status, and submit.

Each part saves on its own and is checked for staleness on its own (``based_on_parts``), so two people
editing different parts never get in each other's way. A stale save of the same part is never an
overwrite: the person sees their unsaved text beside the saved text and chooses. Their form comes back
with the part's current revision, so "keep mine" is one deliberate press of the save button; "take the
saved one" reloads. Everything works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agreements.models import (
    PART_ABOUT,
    PART_DECISION_MOMENTS,
    PART_ESCALATION_LADDER,
    PART_NEIGHBOURHOODS,
    PART_RESPONSIBILITIES,
    Agreement,
    AgreementVersion,
)
from workflow.core.access import Action, may
from workflow.core.exceptions import Conflict, ContentIncomplete, InvalidInput, StaleRevision
from workflow.core.request_meta import RequestMeta
from workflow.core.visibility import agreement_get_for
from workflow.lifecycle import rules
from workflow.lifecycle.diff import text_diff
from workflow.lifecycle.forms import (
    MAX_THIRD_PARTIES,
    AgreementMetaForm,
    DecisionMomentFormSet,
    EscalationStepFormSet,
    NeighbourhoodFormSet,
    PartForm,
    ResponsibilityFormSet,
    SectionsForm,
    neighbourhood_rows,
)
from workflow.lifecycle.selectors.editor import PartOutline, anchor_of, draft_outline
from workflow.lifecycle.selectors.page import last_saved, version_with_content
from workflow.lifecycle.services.drafting import AGREEMENT_FIELDS_EDITABLE_IN_DRAFT, agreement_update_draft
from workflow.lifecycle.services.review import agreement_submit
from workflow.lifecycle.views.create import _with_extra_row
from workflow.lifecycle.views.detail import detail_url, render_detail
from workflow.web.errors import add_errors_to_form, handles_service_errors, service_error_response

# The formset prefix of each part that is a table.
ROW_PREFIXES = {
    PART_NEIGHBOURHOODS: "neighbourhoods",
    PART_RESPONSIBILITIES: "responsibilities",
    PART_DECISION_MOMENTS: "decisions",
    PART_ESCALATION_LADDER: "escalation",
}
ROW_FORMSETS = {
    PART_NEIGHBOURHOODS: NeighbourhoodFormSet,
    PART_RESPONSIBILITIES: ResponsibilityFormSet,
    PART_DECISION_MOMENTS: DecisionMomentFormSet,
    PART_ESCALATION_LADDER: EscalationStepFormSet,
}


@dataclass
class EditorPart:
    """One part of the editor page: its place in the outline, its form, and what just happened to it."""

    outline: PartOutline
    revision: int
    form: object
    saved: bool = False
    added: str = ""  # "row" or "party": the page came back with one more empty line, nothing saved
    stale: dict | None = None
    stale_message: str = ""
    service_errors: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.outline.key

    @property
    def has_errors(self) -> bool:
        return bool(self.service_errors) or (self.form.is_bound and not self.form.is_valid())

    @property
    def field(self):
        """A section's one text field."""
        return self.form[self.key]


def _initial_form(part: str, agreement: Agreement, version: AgreementVersion):
    if part == PART_ABOUT:
        return AgreementMetaForm(
            initial={name: getattr(agreement, name) for name in AGREEMENT_FIELDS_EDITABLE_IN_DRAFT}
        )
    if part == PART_NEIGHBOURHOODS:
        initial = [{"name": n.name, "cbs_code": n.cbs_code} for n in agreement.neighbourhoods.all()]
    elif part == PART_RESPONSIBILITIES:
        initial = [
            {
                "task": r.task,
                "phase": r.phase,
                "initiative_role": r.initiative_role,
                "municipality_role": r.municipality_role,
                "third_party_owner": r.third_party_owner,
                "third_parties": [p.as_dict() for p in r.third_party_roles],
            }
            for r in version.responsibilities.all()
        ]
    elif part == PART_DECISION_MOMENTS:
        initial = [
            {
                "title": d.title,
                "planned_date": d.planned_date,
                "deciding_body": d.deciding_body,
                "instrument": d.instrument,
                "deciding_party": d.deciding_party,
            }
            for d in version.decision_moments.all()
        ]
    elif part == PART_ESCALATION_LADDER:
        initial = [{"level": e.level, "involved": e.involved, "days": e.days} for e in version.escalation_steps.all()]
    else:
        return SectionsForm(initial={s.key: s.body for s in version.sections.all()}, keys=(part,))
    formset = ROW_FORMSETS[part](prefix=ROW_PREFIXES[part], initial=initial)
    if part == PART_NEIGHBOURHOODS:
        # The neighbourhoods there are, and one empty row only when there are none ("add a row" adds more).
        formset.extra = 0 if initial else 1
    return formset


def _bound_form(part: str, data):
    if part == PART_ABOUT:
        return AgreementMetaForm(data)
    if part in ROW_FORMSETS:
        return ROW_FORMSETS[part](data, prefix=ROW_PREFIXES[part])
    return SectionsForm(data, keys=(part,))


def _service_arguments(part: str, form) -> dict:
    """What ``agreement_update_draft`` takes for this part, from its valid form."""
    if part == PART_ABOUT:
        return {"fields": form.agreement_fields()}
    if part == PART_NEIGHBOURHOODS:
        return {"neighbourhoods": neighbourhood_rows(form)}
    if part == PART_RESPONSIBILITIES:
        return {"responsibilities": form.rows()}
    if part == PART_DECISION_MOMENTS:
        return {"decision_moments": form.rows()}
    if part == PART_ESCALATION_LADDER:
        return {"escalation_steps": form.rows()}
    return {"sections": form.sections()}


def _render_editor(request, agreement: Agreement, *, active: EditorPart | None = None, status: int = 200, **extra):
    version = version_with_content(agreement)
    saved_part = request.GET.get("opgeslagen") if request.method == "GET" else None
    parts = []
    for outline in draft_outline(agreement, version):
        if active is not None and outline.key == active.key:
            active.outline = outline
            parts.append(active)
            continue
        parts.append(
            EditorPart(
                outline=outline,
                revision=version.part_revision(outline.key),
                form=_initial_form(outline.key, agreement, version),
                saved=outline.key == saved_part,
            )
        )
    by_key = {part.key: part for part in parts}
    context = {
        "agreement": agreement,
        "version": version,
        "parts": parts,
        "about": by_key[PART_ABOUT],
        "neighbourhoods": by_key[PART_NEIGHBOURHOODS],
        "section_parts": [part for part in parts if part.outline.is_section],
        "responsibilities": by_key[PART_RESPONSIBILITIES],
        "decisions": by_key[PART_DECISION_MOMENTS],
        "escalation_ladder": by_key[PART_ESCALATION_LADDER],
        "last_saved": last_saved(agreement),
        "missing": agreement.missing_for_submission(),
        "may_submit": may(request.user, Action.SUBMIT, agreement),
        "active": active,
        **extra,
    }
    return render(request, "agreements/edit.html", context, status=status)


def _lines(part: str, form, *, saved: EditorPart) -> tuple[list[str], list[str]]:
    """A table part, or the agreement's own fields, as lines of text: (theirs, saved now)."""

    def rows_text(rows: list[dict], keys: tuple[str, ...]) -> list[str]:
        return [" · ".join(str(row.get(k) or "") for k in keys if row.get(k)) for row in rows]

    if part == PART_ABOUT:
        mine = form.agreement_fields()
        now = saved.form.initial
        labels = {name: form.fields[name].label for name in mine}
        return (
            [f"{labels[k]}: {mine[k] or '–'}" for k in mine],
            [f"{labels[k]}: {now.get(k) or '–'}" for k in mine],
        )
    if part == PART_RESPONSIBILITIES:

        def with_parties(row: dict) -> dict:
            others = ", ".join(
                f"{p['name']} ({p['role']})" if p.get("role") else p["name"] for p in row.get("third_parties", [])
            )
            return {**row, "others": others}

        keys = ("task", "initiative_role", "municipality_role", "others")
        return (
            rows_text([with_parties(r) for r in form.rows()], keys),
            rows_text([with_parties(r) for r in saved.form.initial], keys),
        )
    keys = {
        PART_NEIGHBOURHOODS: ("name", "cbs_code"),
        PART_ESCALATION_LADDER: ("level", "involved", "days"),
    }.get(part, ("title", "planned_date"))
    return rows_text(form.rows(), keys), rows_text(saved.form.initial, keys)


def _stale_comparison(agreement: Agreement, part: str, form) -> dict:
    """Their unsaved text of this part beside the text saved now."""
    version = version_with_content(agreement)
    now = EditorPart(
        outline=PartOutline(part, "", "", False, 0),
        revision=version.part_revision(part),
        form=_initial_form(part, agreement, version),
    )
    comparison = {"saved_by": last_saved(agreement), "current_revision": now.revision}
    if part in ROW_FORMSETS or part == PART_ABOUT:
        mine, saved = _lines(part, form, saved=now)
        comparison.update({"lines": True, "mine": mine, "saved": saved})
    else:
        mine = form.sections()[part]
        saved = now.form.initial.get(part, "")
        comparison.update({"lines": False, "mine": mine, "saved": saved, "segments": text_diff(saved, mine)})
    return comparison


def _with_extra_party(data, row_field: str):
    """The posted data with one more other-party line in one row: "add a party" without JavaScript."""
    data = data.copy()
    key = f"{row_field}-party_lines"
    try:
        lines = int(data.get(key) or 1)
    except ValueError:
        lines = 1
    data[key] = str(min(lines + 1, MAX_THIRD_PARTIES))
    return data


def edit_url(agreement: Agreement, part: str | None = None, *, saved: bool = False) -> str:
    url = reverse("agreement:edit", kwargs={"reference": agreement.reference})
    if part is None:
        return url
    return url + (f"?opgeslagen={part}" if saved else "") + f"#{anchor_of(part)}"


@login_required
@require_http_methods(["GET", "POST"])
@handles_service_errors
def edit(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    try:
        rules.check_edit(request.user, agreement)
    except Conflict as error:
        return service_error_response(request, error, back_url=detail_url(agreement))
    if request.method == "GET":
        return _render_editor(request, agreement)

    which = PartForm(request.POST)
    if not which.is_valid():
        # Not a form this page made (a part or revision is missing): show the editor as it is.
        return _render_editor(request, agreement, status=400, form_unknown=True)
    part, revision = which.cleaned_data["part"], which.cleaned_data["revision"]

    def active(form, **state) -> EditorPart:
        return EditorPart(outline=PartOutline(part, "", "", False, 0), revision=revision, form=form, **state)

    add_row, add_party = request.POST.get("add_row"), request.POST.get("add_party")
    if add_row and ROW_PREFIXES.get(part) == add_row:
        form = _bound_form(part, _with_extra_row(request.POST, add_row))
        return _render_editor(request, agreement, active=active(form, added="row"))
    if add_party and part == PART_RESPONSIBILITIES and add_party.startswith("responsibilities-"):
        form = _bound_form(part, _with_extra_party(request.POST, add_party))
        return _render_editor(request, agreement, active=active(form, added="party"))

    form = _bound_form(part, request.POST)
    if not form.is_valid():
        return _render_editor(request, agreement, active=active(form), status=400)
    try:
        agreement_update_draft(
            agreement=agreement,
            actor=request.user,
            based_on_parts={part: revision},
            request_meta=RequestMeta.from_request(request),
            **_service_arguments(part, form),
        )
    except StaleRevision as error:
        agreement.refresh_from_db()
        comparison = _stale_comparison(agreement, part, form)
        # Their own text stays in the form; only the part's revision moves on, so saving again is a choice.
        current = error.context.get("parts", {}).get(part, error.current_revision)
        stale = EditorPart(
            outline=PartOutline(part, "", "", False, 0),
            revision=current,
            form=form,
            stale=comparison,
            stale_message=error.message,
        )
        return _render_editor(request, agreement, active=stale, status=409)
    except InvalidInput as error:
        if part == PART_ABOUT or part not in ROW_FORMSETS:
            add_errors_to_form(form, error)
            return _render_editor(request, agreement, active=active(form), status=400)
        refused = [m for errors in error.errors.values() for m in errors] or [error.message]
        return _render_editor(request, agreement, active=active(form, service_errors=refused), status=400)
    except Conflict as error:
        return service_error_response(request, error, back_url=detail_url(agreement))
    return redirect(edit_url(agreement, part, saved=True))


def _submit(request, agreement: Agreement):
    try:
        agreement_submit(agreement=agreement, actor=request.user, request_meta=RequestMeta.from_request(request))
    except ContentIncomplete as error:
        agreement.refresh_from_db()
        return _render_editor(request, agreement, status=409, submit_refused=error.message, missing=error.missing)
    except Conflict as error:
        return render_detail(request, agreement, status=409, conflict=error)
    messages.success(request, _("De afspraak is ingediend. De gemeente kan haar nu beoordelen."))
    return redirect(detail_url(agreement))


@login_required
@require_POST
@handles_service_errors
def submit(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    rules.require_permission(request.user, Action.SUBMIT, agreement)
    return _submit(request, agreement)
