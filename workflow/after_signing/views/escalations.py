"""Pages of the escalations: raise one, follow it up the ladder. Thin: the rules are the services'."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agreements.choices import AgreementState
from workflow.after_signing.forms import EscalationRaiseForm, EscalationStepEndForm
from workflow.after_signing.selectors import escalations as selectors
from workflow.after_signing.services import escalations as services
from workflow.core.access import evaluating_party_for
from workflow.core.exceptions import Conflict, InvalidInput
from workflow.core.request_meta import RequestMeta
from workflow.core.visibility import agreement_get_for
from workflow.web.errors import add_errors_to_form, handles_service_errors, submit_form_to_service


@login_required
@require_http_methods(["GET", "POST"])
@handles_service_errors
def escalation_list(request, reference: str):
    """``/afspraken/<kenmerk>/escalaties/``: the agreement's escalations and the ladder; raising one."""
    agreement = agreement_get_for(request.user, reference=reference)
    may_raise = agreement.state == AgreementState.SIGNED and evaluating_party_for(request.user, agreement) is not None
    form = EscalationRaiseForm(request.POST or None) if may_raise else None

    def raise_it():
        escalation = services.escalation_raise(
            agreement=agreement,
            actor=request.user,
            subject=form.cleaned_data["subject"],
            description=form.cleaned_data["description"],
            informed=form.cleaned_data["informed"],
            request_meta=RequestMeta.from_request(request),
        )
        messages.success(request, _("De escalatie is gestart bij de eerste stap van de ladder."))
        return redirect("after_signing:escalation", reference=agreement.reference, pk=escalation.pk)

    if form is not None and request.method == "POST" and form.is_valid():
        response = submit_form_to_service(request, form, raise_it)
        if response is not None:
            return response
    ladder, agreed = services.ladder_of(agreement)
    context = {
        "agreement": agreement,
        "escalations": selectors.escalations_of(agreement),
        "ladder": ladder,
        "ladder_agreed": agreed,
        "form": form,
    }
    return render(request, "after_signing/escalations.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
@handles_service_errors
def escalation(request, reference: str, pk: int):
    """One escalation: the ladder with where it stands, its history, and ending the current step."""
    agreement = agreement_get_for(request.user, reference=reference)
    found = selectors.escalation_get(agreement, pk)
    may_act = found.is_open and evaluating_party_for(request.user, agreement) is not None
    form = None
    status = 200
    if may_act:
        form = EscalationStepEndForm(request.POST or None, initial={"step": found.step})
        if request.method == "POST":
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.escalation_step_end(
                        escalation=found,
                        actor=request.user,
                        step=data["step"],
                        outcome=data["outcome"],
                        solved=data["result"] == EscalationStepEndForm.SOLVED,
                        informed_next=data["informed_next"],
                        request_meta=RequestMeta.from_request(request),
                    )
                except InvalidInput as error:
                    add_errors_to_form(form, error)
                except Conflict as error:
                    form.add_error(None, error.message)
                    status = 409
                    found = selectors.escalation_get(agreement, pk)
                    form.data = form.data.copy()
                    form.data["step"] = str(found.step)
                else:
                    messages.success(request, _("De uitkomst van de stap is vastgelegd."))
                    return redirect("after_signing:escalation", reference=agreement.reference, pk=pk)
    context = {
        "agreement": agreement,
        "escalation": found,
        "ladder": selectors.ladder_view(found),
        "form": form,
        "today": timezone.localdate(),
    }
    return render(request, "after_signing/escalation.html", context, status=status)
