"""Signing: show exactly what is signed, confirm authority, re-enter the password, record the signature.

The form carries the content hash the page showed; the service refuses it
when the version changed in between (reopened and resubmitted), so nobody
signs text they did not see.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agreements.choices import AgreementState
from agreements.models import Agreement
from workflow.core.access import Action, signing_party_for
from workflow.core.exceptions import Conflict, InvalidInput
from workflow.core.request_meta import RequestMeta
from workflow.core.two_factor import has_two_factor
from workflow.core.visibility import agreement_get_for
from workflow.documents.selectors import document_preview_status_for
from workflow.lifecycle import rules
from workflow.lifecycle.forms import DeclineForm, SignForm
from workflow.lifecycle.selectors.page import (
    own_signature,
    responsibility_matrix,
    sections_of,
    signing_function_for,
    signing_status,
    version_with_content,
    void_signatures,
)
from workflow.lifecycle.services.signing import agreement_sign
from workflow.lifecycle.views.detail import detail_url, render_detail
from workflow.web.errors import add_errors_to_form, handles_service_errors, service_error_response


def _render_sign(
    request, agreement: Agreement, form: SignForm | None, *, status: int = 200, decline_form: DeclineForm | None = None
):
    agreement = Agreement.objects.select_related("initiative", "municipality").get(pk=agreement.pk)
    frozen = agreement.frozen_version()
    version = version_with_content(agreement, frozen.number) if frozen else None
    party = signing_party_for(request.user, agreement)
    context = {
        "agreement": agreement,
        "version": version,
        "sections": sections_of(version),
        "matrix": responsibility_matrix(version),
        "decision_moments": list(version.decision_moments.all()) if version else [],
        "escalation_steps": list(version.escalation_steps.all()) if version else [],
        "signing": signing_status(agreement),
        "void_signatures": void_signatures(agreement),
        "own_signature": own_signature(request.user, agreement),
        "party": party,
        "signing_function": signing_function_for(request.user, party),
        "form": form,
        # Whoever may sign now may also decline to, saying why (views/actions.py decline).
        "decline_form": decline_form or (DeclineForm() if form is not None else None),
        "two_factor": has_two_factor(request.user),
        # The approved version as an unsealed PDF to read or print before signing, made by the worker on request.
        "approved_pdf": document_preview_status_for(request.user, agreement=agreement)
        if agreement.state == AgreementState.APPROVED
        else None,
    }
    return render(request, "agreements/sign.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@handles_service_errors
def sign(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    rules.require_permission(request.user, Action.SIGN, agreement)
    if own_signature(request.user, agreement) is not None:
        # Already signed: the page confirms it and shows who still has to sign.
        if request.method == "POST":
            messages.info(request, _("U heeft deze versie al ondertekend."))
            return redirect("agreement:sign", reference=agreement.reference)
        return _render_sign(request, agreement, None)
    if agreement.state != AgreementState.APPROVED:
        error = rules.conflict_for_state(agreement, _("Ondertekenen"))
        return service_error_response(request, error, back_url=detail_url(agreement))

    version = agreement.frozen_version()
    if request.method == "GET":
        return _render_sign(request, agreement, SignForm(initial={"content_hash": version.content_hash}))

    form = SignForm(request.POST)
    if not form.is_valid():
        return _render_sign(request, agreement, form, status=400)
    try:
        agreement_sign(
            agreement=agreement,
            actor=request.user,
            content_hash=form.cleaned_data["content_hash"],
            password=form.cleaned_data["password"],
            authority_confirmed=form.cleaned_data["authorised"],
            otp_code=form.cleaned_data["otp_code"],
            request_meta=RequestMeta.from_request(request),
        )
    except InvalidInput as error:
        add_errors_to_form(form, error)
        return _render_sign(request, agreement, form, status=400)
    except Conflict as error:
        return render_detail(request, agreement, status=409, conflict=error)
    agreement.refresh_from_db()
    if agreement.state == AgreementState.SIGNED:
        messages.success(request, _("U heeft getekend. Alle handtekeningen zijn er: de afspraak is ondertekend."))
    else:
        messages.success(request, _("U heeft getekend. Hieronder ziet u wie nog moet tekenen."))
    return redirect("agreement:sign", reference=agreement.reference)
