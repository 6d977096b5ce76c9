"""The confirmation step before submitting and before approving: a page that says what will happen, and who
will be asked to act next, with the button that posts to the action itself.

Plain GET pages, so they work without JavaScript. The action endpoints
(``agreement:submit``, ``agreement:approve``) are unchanged: the API and any
old form post to them directly, and the services check everything again.
Someone who may not act gets the refusal here already (403), and a state
that does not allow the action the 409 page with the current state.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from workflow.core.access import Action
from workflow.core.exceptions import Conflict, ContentIncomplete
from workflow.core.visibility import agreement_get_for
from workflow.lifecycle import rules
from workflow.lifecycle.selectors.page import approve_confirmation, submit_confirmation
from workflow.lifecycle.views.detail import detail_url
from workflow.web.errors import handles_service_errors, service_error_response


@login_required
@require_GET
@handles_service_errors
def submit(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    rules.require_permission(request.user, Action.SUBMIT, agreement)
    missing: list[str] = []
    try:
        rules.check_submit(request.user, agreement)
    except ContentIncomplete as refusal:
        missing = refusal.missing
    except Conflict as error:
        return service_error_response(request, error, back_url=detail_url(agreement))
    context = {"agreement": agreement, "missing": missing, **submit_confirmation(request.user, agreement)}
    return render(request, "agreements/confirm_submit.html", context)


@login_required
@require_GET
@handles_service_errors
def approve(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    try:
        rules.check_approve(request.user, agreement)
    except Conflict as error:
        return service_error_response(request, error, back_url=detail_url(agreement))
    context = {"agreement": agreement, **approve_confirmation(agreement)}
    return render(request, "agreements/confirm_approve.html", context)
