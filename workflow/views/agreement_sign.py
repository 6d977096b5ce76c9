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

from .. import services
from ..exceptions import Conflict, NotPermitted
from ..forms.agreements import SignForm
from ..permissions import Action, may, signing_party_for
from ..selectors import agreement_get_for
from ..selectors_agreement import (
    own_signature,
    responsibility_matrix,
    sections_of,
    signing_status,
    version_with_content,
)
from ..services import RequestMeta
from .agreements import detail_url, render_detail
from .errors import handles_service_errors, service_error_response


def _render_sign(request, agreement: Agreement, form: SignForm | None, *, status: int = 200):
    agreement = Agreement.objects.select_related("initiative", "municipality").get(pk=agreement.pk)
    frozen = agreement.frozen_version()
    version = version_with_content(agreement, frozen.number) if frozen else None
    context = {
        "agreement": agreement,
        "version": version,
        "sections": sections_of(version),
        "matrix": responsibility_matrix(version),
        "decision_moments": list(version.decision_moments.all()) if version else [],
        "signing": signing_status(agreement),
        "own_signature": own_signature(request.user, agreement),
        "party": signing_party_for(request.user, agreement),
        "form": form,
    }
    return render(request, "agreements/sign.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@handles_service_errors
def sign(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    if not may(request.user, Action.SIGN, agreement):
        raise NotPermitted(_("Alleen ondertekenaars van een van de partijen kunnen deze afspraak tekenen."))
    if own_signature(request.user, agreement) is not None:
        # Already signed: the page confirms it and shows who still has to sign.
        if request.method == "POST":
            messages.info(request, _("U heeft deze versie al ondertekend."))
            return redirect("agreement:sign", reference=agreement.reference)
        return _render_sign(request, agreement, None)
    if agreement.state != AgreementState.APPROVED:
        error = Conflict(
            _("Tekenen kan alleen als de afspraak is goedgekeurd. Afspraak %(reference)s is nu '%(state)s'.")
            % {"reference": agreement.reference, "state": agreement.get_state_display()},
            state=agreement.state,
        )
        return service_error_response(request, error, back_url=detail_url(agreement))

    version = agreement.frozen_version()
    if request.method == "GET":
        return _render_sign(
            request, agreement, SignForm(user=request.user, initial={"content_hash": version.content_hash})
        )

    form = SignForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_sign(request, agreement, form, status=400)
    try:
        services.agreement_sign(
            agreement=agreement,
            actor=request.user,
            content_hash=form.cleaned_data["content_hash"],
            request_meta=RequestMeta.from_request(request),
        )
    except Conflict as error:
        return render_detail(request, agreement, status=409, conflict=error)
    agreement.refresh_from_db()
    if agreement.state == AgreementState.SIGNED:
        messages.success(request, _("U heeft getekend. Alle handtekeningen zijn er: de afspraak is ondertekend."))
    else:
        messages.success(request, _("U heeft getekend. Hieronder ziet u wie nog moet tekenen."))
    return redirect("agreement:sign", reference=agreement.reference)
