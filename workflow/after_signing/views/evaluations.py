"""Pages of the joint evaluations: thin, the rules are the services' and ``core/access.py evaluating_party_for``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agreements.choices import AgreementState, EvaluationReason
from workflow.after_signing.forms import EvaluationAnswersForm, EvaluationStartForm
from workflow.after_signing.selectors import evaluations as selectors
from workflow.after_signing.services import evaluations as services
from workflow.core.access import Action, evaluating_party_for, may
from workflow.core.request_meta import RequestMeta
from workflow.core.visibility import agreement_get_for
from workflow.web.errors import handles_service_errors, submit_form_to_service


@login_required
@require_http_methods(["GET", "POST"])
@handles_service_errors
def evaluation_list(request, reference: str):
    """``/afspraken/<kenmerk>/evaluaties/``: the agreement's evaluations, and starting one."""
    agreement = agreement_get_for(request.user, reference=reference)
    open_one = selectors.open_evaluation_of(agreement)
    may_start = (
        agreement.state == AgreementState.SIGNED
        and open_one is None
        and evaluating_party_for(request.user, agreement) is not None
    )
    suggested = request.GET.get("aanleiding", "")
    form = None
    if may_start:
        initial = {"reason": suggested if suggested in EvaluationReason.values else ""}
        form = EvaluationStartForm(request.POST or None, initial=initial)

        def start():
            evaluation = services.evaluation_start(
                agreement=agreement,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                request_meta=RequestMeta.from_request(request),
            )
            messages.success(request, _("De evaluatie is gestart. Beantwoord de vragen namens uw organisatie."))
            return redirect("after_signing:evaluation", reference=agreement.reference, pk=evaluation.pk)

        if request.method == "POST" and form.is_valid():
            response = submit_form_to_service(request, form, start)
            if response is not None:
                return response
    context = {
        "agreement": agreement,
        "evaluations": selectors.evaluations_of(agreement),
        "open_evaluation": open_one,
        "form": form,
    }
    return render(request, "after_signing/evaluations.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
@handles_service_errors
def evaluation(request, reference: str, pk: int):
    """One evaluation: a party's form until it sends its answers, then both side by side once both have."""
    agreement = agreement_get_for(request.user, reference=reference)
    view = selectors.evaluation_view_for(request.user, agreement=agreement, pk=pk)
    form = None
    if view.may_answer:
        form = EvaluationAnswersForm(request.POST or None, initial=EvaluationAnswersForm.initial_from(view.own))
        send = "versturen" in request.POST

        def answer():
            services.evaluation_answer(
                evaluation=view.evaluation,
                actor=request.user,
                answers=form.answers(),
                send=send,
                request_meta=RequestMeta.from_request(request),
            )
            sent = _("Uw antwoorden zijn verstuurd.") if send else _("Uw antwoorden zijn bewaard, nog niet verstuurd.")
            messages.success(request, sent)
            return redirect("after_signing:evaluation", reference=agreement.reference, pk=pk)

        if request.method == "POST" and form.is_valid():
            response = submit_form_to_service(request, form, answer)
            if response is not None:
                return response
    context = {
        "agreement": agreement,
        "view": view,
        "form": form,
        "may_amend": (
            view.evaluation.completed_at is not None
            and view.evaluation.amendment_id is None
            and agreement.state == AgreementState.SIGNED
            and may(request.user, Action.AMEND, agreement)
        ),
    }
    return render(request, "after_signing/evaluation.html", context, status=400 if request.method == "POST" else 200)
