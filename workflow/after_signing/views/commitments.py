"""Pages of the commitments after signing: thin, the rules are in ``rules`` and the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from workflow.after_signing import rules
from workflow.after_signing.forms import CommitmentUpdateForm, DecisionOutcomeForm
from workflow.after_signing.selectors import commitments as selectors
from workflow.after_signing.services import commitments as services
from workflow.core.exceptions import Conflict, InvalidInput
from workflow.core.request_meta import RequestMeta
from workflow.core.visibility import agreement_get_for
from workflow.web.errors import add_errors_to_form, handles_service_errors


@login_required
@require_GET
@handles_service_errors
def commitment_list(request, reference: str):
    """``/afspraken/<kenmerk>/uitvoering/``: every task and decision moment of the signed agreement, as it stands."""
    agreement = agreement_get_for(request.user, reference=reference)
    overview = selectors.commitments_of(agreement)
    context = {
        "agreement": agreement,
        "overview": overview,
        "moves": rules.commitments_move(agreement),
    }
    return render(request, "after_signing/list.html", context)


def _page(request, agreement, commitment, *, update_form=None, outcome_form=None, status=200):
    may_update = rules.may_update(request.user, agreement, commitment)
    read_at = commitment.updated_at.isoformat()
    initial = {
        "status": commitment.status,
        "planned_date": commitment.planned_date,
        "actual_date": commitment.actual_date,
        "read_at": read_at,
    }
    if may_update and update_form is None:
        update_form = CommitmentUpdateForm(initial=initial, decision=commitment.is_decision)
    if may_update and commitment.is_decision and outcome_form is None:
        outcome_form = DecisionOutcomeForm(initial={"outcome": commitment.outcome, "read_at": read_at})
    context = {
        "agreement": agreement,
        "commitment": commitment,
        "responsible": rules.responsible_names(agreement, commitment.responsible),
        "may_update": may_update,
        "update_form": update_form if may_update else None,
        "outcome_form": outcome_form if may_update else None,
        "suggests_evaluation": selectors.suggests_evaluation(commitment, selectors.policy_for(agreement)),
    }
    return render(request, "after_signing/detail.html", context, status=status)


@login_required
@require_GET
@handles_service_errors
def commitment(request, reference: str, pk: int):
    agreement = agreement_get_for(request.user, reference=reference)
    return _page(request, agreement, selectors.commitment_of(agreement, pk))


def _submit(request, reference: str, pk: int, *, make_form, call, form_name: str):
    agreement = agreement_get_for(request.user, reference=reference)
    commitment = selectors.commitment_of(agreement, pk)
    rules.check_update(request.user, agreement, commitment)
    form = make_form(commitment)
    status = 400
    if form.is_valid():
        try:
            call(commitment, form.cleaned_data, form.read_at_value(), RequestMeta.from_request(request))
        except InvalidInput as error:
            add_errors_to_form(form, error)
        except Conflict as error:
            form.add_error(None, error.message)
            status = 409
            # The page shows the new state; the form keeps what this person typed, read from the new state on.
            commitment = selectors.commitment_of(agreement, pk)
            form.data = form.data.copy()
            form.data["read_at"] = commitment.updated_at.isoformat()
        else:
            messages.success(request, _("De voortgang is bijgewerkt."))
            return redirect("after_signing:commitment", reference=agreement.reference, pk=commitment.pk)
    return _page(request, agreement, commitment, status=status, **{form_name: form})


@login_required
@require_POST
@handles_service_errors
def update(request, reference: str, pk: int):
    def call(commitment, data, read_at, meta):
        services.commitment_update(
            commitment=commitment,
            actor=request.user,
            status=data["status"],
            planned_date=data.get("planned_date"),
            actual_date=data.get("actual_date"),
            note=data.get("note", ""),
            evidence_url=data.get("evidence_url", ""),
            read_at=read_at,
            request_meta=meta,
        )

    return _submit(
        request,
        reference,
        pk,
        make_form=lambda commitment: CommitmentUpdateForm(request.POST, decision=commitment.is_decision),
        call=call,
        form_name="update_form",
    )


@login_required
@require_POST
@handles_service_errors
def outcome(request, reference: str, pk: int):
    def call(commitment, data, read_at, meta):
        services.decision_record(
            commitment=commitment,
            actor=request.user,
            outcome=data["outcome"],
            decided_on=data.get("decided_on"),
            new_date=data.get("new_date"),
            note=data.get("note", ""),
            evidence_url=data.get("evidence_url", ""),
            read_at=read_at,
            request_meta=meta,
        )

    return _submit(
        request,
        reference,
        pk,
        make_form=lambda _commitment: DecisionOutcomeForm(request.POST),
        call=call,
        form_name="outcome_form",
    )
