"""The draft editor: sections with guidance, role division, decision moments; save, stale save, submit.

A stale save (someone else saved after this form was loaded) is never an
overwrite: the person sees their unsaved text beside the saved text and
chooses. Their form comes back with the current revision, so "keep mine" is
one deliberate press of the save button; "take the saved one" reloads.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agreements.models import Agreement, AgreementVersion
from workflow.core.access import Action, may
from workflow.core.exceptions import Conflict, ContentIncomplete, InvalidInput, StaleRevision
from workflow.core.request_meta import RequestMeta
from workflow.core.visibility import agreement_get_for
from workflow.lifecycle import rules
from workflow.lifecycle.diff import text_diff
from workflow.lifecycle.forms import (
    AgreementMetaForm,
    DecisionMomentFormSet,
    NeighbourhoodFormSet,
    ResponsibilityFormSet,
    SectionsForm,
    neighbourhood_rows,
)
from workflow.lifecycle.selectors.page import last_saved, version_with_content
from workflow.lifecycle.services.drafting import agreement_update_draft
from workflow.lifecycle.services.review import agreement_submit
from workflow.lifecycle.views.create import _with_extra_row
from workflow.lifecycle.views.detail import detail_url, render_detail
from workflow.web.errors import add_errors_to_form, handles_service_errors, service_error_response


def _initial_forms(agreement: Agreement, version: AgreementVersion) -> dict:
    return {
        "meta": AgreementMetaForm(
            initial={
                "revision": version.revision,
                "title": agreement.title,
                "form": agreement.form,
                "phase": agreement.phase,
                "language": agreement.language,
                "review_due_date": agreement.review_due_date,
                "evaluation_date": agreement.evaluation_date,
                "valid_until": agreement.valid_until,
            }
        ),
        "sections": SectionsForm(initial={s.key: s.body for s in version.sections.all()}),
        "neighbourhoods": _existing_rows_only(
            NeighbourhoodFormSet(
                prefix="neighbourhoods",
                initial=[{"name": n.name, "cbs_code": n.cbs_code} for n in agreement.neighbourhoods.all()],
            )
        ),
        "responsibilities": ResponsibilityFormSet(
            prefix="responsibilities",
            initial=[
                {
                    "task": r.task,
                    "phase": r.phase,
                    "initiative_role": r.initiative_role,
                    "municipality_role": r.municipality_role,
                    "third_party_name": r.third_party_name,
                    "third_party_role": r.third_party_role,
                }
                for r in version.responsibilities.all()
            ],
        ),
        "decisions": DecisionMomentFormSet(
            prefix="decisions",
            initial=[
                {
                    "title": d.title,
                    "planned_date": d.planned_date,
                    "deciding_body": d.deciding_body,
                    "instrument": d.instrument,
                }
                for d in version.decision_moments.all()
            ],
        ),
    }


def _existing_rows_only(formset):
    """The rows there are, and one empty row only when there are none ("add a row" adds more)."""
    formset.extra = 0 if formset.initial else 1
    return formset


def _bound_forms(data) -> dict:
    return {
        "meta": AgreementMetaForm(data),
        "sections": SectionsForm(data),
        "neighbourhoods": NeighbourhoodFormSet(data, prefix="neighbourhoods"),
        "responsibilities": ResponsibilityFormSet(data, prefix="responsibilities"),
        "decisions": DecisionMomentFormSet(data, prefix="decisions"),
    }


def _render_editor(request, agreement: Agreement, forms: dict, *, status: int = 200, **extra):
    version = version_with_content(agreement)
    saved = last_saved(agreement)
    context = {
        "agreement": agreement,
        "version": version,
        "last_saved": saved,
        "missing": agreement.missing_for_submission(),
        "may_submit": may(request.user, Action.SUBMIT, agreement),
        "has_errors": any(f.is_bound and not f.is_valid() for f in forms.values()),
        **forms,
        **extra,
    }
    return render(request, "agreements/edit.html", context, status=status)


def _stale_comparison(agreement: Agreement, forms: dict) -> dict:
    """Per section: the person's unsaved text beside the text saved now; and the same for the tables."""
    version = version_with_content(agreement)
    saved = {s.key: s.body for s in version.sections.all()}
    theirs = forms["sections"].cleaned_data if forms["sections"].is_valid() else {}
    sections = []
    for field_name in forms["sections"].fields:
        mine = (theirs.get(field_name) or "").strip()
        current = saved.get(field_name, "")
        if mine != current:
            sections.append(
                {
                    "key": field_name,
                    "title": forms["sections"].fields[field_name].label,
                    "mine": mine,
                    "saved": current,
                    "segments": text_diff(current, mine),
                }
            )
    saved_tasks = [r.task for r in version.responsibilities.all()]
    my_tasks = [r["task"] for r in forms["responsibilities"].rows()] if forms["responsibilities"].is_valid() else []
    saved_decisions = [d.title for d in version.decision_moments.all()]
    my_decisions = [r["title"] for r in forms["decisions"].rows()] if forms["decisions"].is_valid() else []
    return {
        "sections": sections,
        "title_mine": forms["meta"].cleaned_data.get("title", "") if forms["meta"].is_valid() else "",
        "title_saved": agreement.title,
        "tasks": {"mine": my_tasks, "saved": saved_tasks, "differ": my_tasks != saved_tasks},
        "decisions": {"mine": my_decisions, "saved": saved_decisions, "differ": my_decisions != saved_decisions},
        "saved_by": last_saved(agreement),
        "current_revision": version.revision,
    }


@login_required
@require_http_methods(["GET", "POST"])
@handles_service_errors
def edit(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    try:
        rules.check_edit(request.user, agreement)
    except Conflict as error:
        return service_error_response(request, error, back_url=detail_url(agreement))
    version = version_with_content(agreement)
    if request.method == "GET":
        return _render_editor(request, agreement, _initial_forms(agreement, version))

    add_row = request.POST.get("add_row")
    if add_row in ("neighbourhoods", "responsibilities", "decisions"):
        forms = _bound_forms(_with_extra_row(request.POST, add_row))
        return _render_editor(request, agreement, forms, added_row=add_row)

    forms = _bound_forms(request.POST)
    if not all(f.is_valid() for f in forms.values()):
        return _render_editor(request, agreement, forms, status=400)
    meta = forms["meta"]
    try:
        agreement_update_draft(
            agreement=agreement,
            actor=request.user,
            based_on_revision=meta.cleaned_data["revision"],
            fields=meta.agreement_fields(),
            neighbourhoods=neighbourhood_rows(forms["neighbourhoods"]),
            sections=forms["sections"].sections(),
            responsibilities=forms["responsibilities"].rows(),
            decision_moments=forms["decisions"].rows(),
            request_meta=RequestMeta.from_request(request),
        )
    except StaleRevision as error:
        agreement.refresh_from_db()
        comparison = _stale_comparison(agreement, forms)
        # Their own text stays in the form; only the revision moves on, so saving again is a choice.
        data = request.POST.copy()
        data["revision"] = str(error.current_revision)
        return _render_editor(
            request, agreement, _bound_forms(data), status=409, stale=comparison, stale_message=error.message
        )
    except InvalidInput as error:
        add_errors_to_form(meta, error)
        return _render_editor(request, agreement, forms, status=400)
    except Conflict as error:
        return service_error_response(request, error, back_url=detail_url(agreement))

    if "save_submit" in request.POST:
        return _submit(request, agreement)
    messages.success(request, _("Uw wijzigingen zijn opgeslagen."))
    return redirect(reverse("agreement:edit", kwargs={"reference": agreement.reference}) + "#opgeslagen")


def _submit(request, agreement: Agreement):
    try:
        agreement_submit(agreement=agreement, actor=request.user, request_meta=RequestMeta.from_request(request))
    except ContentIncomplete as error:
        agreement.refresh_from_db()
        version = version_with_content(agreement)
        return _render_editor(
            request,
            agreement,
            _initial_forms(agreement, version),
            status=409,
            submit_refused=error.message,
            missing=error.missing,
        )
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
