"""Buttons on the agreement page: review and the other state changes, comments, advisors.

Each hands its form to one service; the service decides, and a refusal comes
back as the agreement page with the reason (errors.handles_service_errors).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements.choices import OrganisationKind
from agreements.models import Agreement, Organisation
from agreements.sections import SECTIONS_BY_KEY
from workflow.after_signing.selectors.evaluations import evaluation_of
from workflow.core.access import Action
from workflow.core.exceptions import Conflict, InvalidInput
from workflow.core.visibility import agreement_get_for, comment_get_for
from workflow.lifecycle import rules
from workflow.lifecycle.forms import (
    AdvisorGrantForm,
    DeclineForm,
    OptionalNoteForm,
    RequestChangesForm,
    SignForm,
)
from workflow.lifecycle.services import advisors, comments
from workflow.lifecycle.services.amendments import agreement_amend
from workflow.lifecycle.services.review import (
    agreement_approve,
    agreement_reopen,
    agreement_request_changes,
    agreement_withdraw,
)
from workflow.lifecycle.services.signing import agreement_decline_to_sign
from workflow.lifecycle.views.detail import _int_or_none, _meta, detail_url, new_comment_form, render_detail
from workflow.lifecycle.views.sign import _render_sign
from workflow.web.errors import add_errors_to_form, handles_service_errors


def _state_action(request, agreement: Agreement, run, success_message: str):
    """Run a state-changing service; a Conflict shows the page as it is now (409)."""
    try:
        result = run(agreement)
    except Conflict as error:
        return render_detail(request, agreement, status=409, conflict=error)
    messages.success(request, success_message)
    return redirect(detail_url(result if isinstance(result, Agreement) else agreement))


def _noted_action(request, reference: str, *, action: str, form, form_name: str, service, success_message: str):
    """A state change that carries a note: a bad note is shown beside its field (400), but only
    to someone who may act at all (403 otherwise, as the service would say)."""
    agreement = agreement_get_for(request.user, reference=reference)
    if not form.is_valid():
        rules.require_permission(request.user, action, agreement)
        return render_detail(request, agreement, status=400, **{form_name: form})
    return _state_action(
        request,
        agreement,
        lambda a: service(agreement=a, actor=request.user, note=form.cleaned_data["note"], request_meta=_meta(request)),
        success_message,
    )


@login_required
@require_POST
@handles_service_errors
def request_changes(request, reference: str):
    return _noted_action(
        request,
        reference,
        action=Action.REQUEST_CHANGES,
        form=RequestChangesForm(request.POST),
        form_name="request_changes_form",
        service=agreement_request_changes,
        success_message=_("U heeft wijzigingen gevraagd. De opstellers krijgen bericht."),
    )


@login_required
@require_POST
@handles_service_errors
def approve(request, reference: str):
    return _state_action(
        request,
        agreement_get_for(request.user, reference=reference),
        lambda a: agreement_approve(agreement=a, actor=request.user, request_meta=_meta(request)),
        _("U heeft de afspraak goedgekeurd. De ondertekenaars kunnen nu tekenen."),
    )


@login_required
@require_POST
@handles_service_errors
def reopen(request, reference: str):
    return _noted_action(
        request,
        reference,
        action=Action.REOPEN,
        form=OptionalNoteForm(request.POST, prefix="reopen"),
        form_name="reopen_form",
        service=agreement_reopen,
        success_message=_("De afspraak is weer een concept. Handtekeningen die al gezet waren, vervallen."),
    )


@login_required
@require_POST
@handles_service_errors
def decline(request, reference: str):
    """A signatory declines to sign, from the signing page; a missing reason shows that page again (400),
    with what they typed, but only to someone who may decline now (403 or 409 first, as the service would say)."""
    agreement = agreement_get_for(request.user, reference=reference)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            agreement_decline_to_sign(
                agreement=agreement, actor=request.user, reason=form.cleaned_data["reason"], request_meta=_meta(request)
            )
        except InvalidInput as error:
            add_errors_to_form(form, error)
        except Conflict as error:
            return render_detail(request, agreement, status=409, conflict=error)
        else:
            messages.success(
                request,
                _(
                    "U tekent niet. De afspraak is terug bij de opstellers en beoordelaars, met uw reden; "
                    "iedereen die betrokken is krijgt bericht."
                ),
            )
            return redirect(f"{detail_url(agreement)}#teruggestuurd")  # the panel with their reason, on top
    else:
        try:
            rules.check_decline(request.user, agreement)
        except Conflict as error:
            return render_detail(request, agreement, status=409, conflict=error)
    sign_form = SignForm(initial={"content_hash": agreement.frozen_version().content_hash})
    return _render_sign(request, agreement, sign_form, status=400, decline_form=form)


@login_required
@require_POST
@handles_service_errors
def withdraw(request, reference: str):
    return _noted_action(
        request,
        reference,
        action=Action.WITHDRAW,
        form=OptionalNoteForm(request.POST, prefix="withdraw"),
        form_name="withdraw_form",
        service=agreement_withdraw,
        success_message=_("De afspraak is ingetrokken."),
    )


@login_required
@require_POST
@handles_service_errors
def amend(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    # Started from a completed joint evaluation (its page's button): what it found goes into the sections.
    evaluation_id = _int_or_none(request.POST.get("evaluation"))
    evaluation = evaluation_of(agreement, evaluation_id) if evaluation_id else None
    try:
        amendment = agreement_amend(
            agreement=agreement, actor=request.user, evaluation=evaluation, request_meta=_meta(request)
        )
    except Conflict as error:
        return render_detail(request, agreement, status=409, conflict=error)
    messages.success(
        request,
        _(
            "Wijziging %(reference)s is gestart als concept. "
            "De getekende afspraak blijft gelden tot de wijziging is getekend."
        )
        % {"reference": amendment.reference},
    )
    return redirect("agreement:edit", reference=amendment.reference)


@login_required
@require_POST
@handles_service_errors
def comment_add(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    section_key = request.POST.get("section_key", "")
    if section_key not in SECTIONS_BY_KEY:
        section_key = ""
    parent_id = _int_or_none(request.POST.get("parent"))
    parent = None
    if parent_id is not None:
        parent = comment_get_for(request.user, agreement=agreement, comment_id=parent_id)
    form = new_comment_form(section_key, parent=parent_id, data=request.POST)
    if form.is_valid():
        try:
            comment = comments.comment_add(
                agreement=agreement,
                actor=request.user,
                body=form.cleaned_data["body"],
                section_key=section_key,
                parent=parent,
                request_meta=_meta(request),
            )
        except InvalidInput as error:
            add_errors_to_form(form, error)
        except Conflict as error:
            return render_detail(request, agreement, status=409, conflict=error)
        else:
            if comment.is_advisory:
                messages.success(request, _("Uw advies is geplaatst, bij de adviezen van meelezers."))
            else:
                messages.success(request, _("Uw opmerking is geplaatst."))
            return redirect(f"{detail_url(agreement)}#opmerking-{comment.parent_id or comment.pk}")
    failed = {"form": form, "section_key": section_key, "parent": parent_id}
    return render_detail(request, agreement, status=400, failed_comment=failed)


@login_required
@require_POST
@handles_service_errors
def comment_resolve(request, reference: str, comment_id: int):
    agreement = agreement_get_for(request.user, reference=reference)
    comment = comment_get_for(request.user, agreement=agreement, comment_id=comment_id)
    try:
        comments.comment_resolve(comment=comment, actor=request.user, request_meta=_meta(request))
    except Conflict as error:
        return render_detail(request, agreement, status=409, conflict=error)
    messages.success(request, _("De opmerking is afgehandeld."))
    return redirect(f"{detail_url(agreement)}#opmerking-{comment.pk}")


@login_required
@require_POST
@handles_service_errors
def advisor_grant(request, reference: str):
    agreement = agreement_get_for(request.user, reference=reference)
    rules.check_grant_advisor(request.user, agreement)
    form = AdvisorGrantForm(request.POST, agreement=agreement)
    if not form.is_valid():
        return render_detail(request, agreement, status=400, advisor_form=form)
    advisor = form.cleaned_data["advisor"]
    try:
        advisors.advisor_grant(agreement=agreement, actor=request.user, advisor=advisor, request_meta=_meta(request))
    except Conflict as error:
        return render_detail(request, agreement, status=409, conflict=error)
    messages.success(request, _("%(advisor)s kan nu meelezen.") % {"advisor": advisor.name})
    return redirect(detail_url(agreement))


@login_required
@require_POST
@handles_service_errors
def advisor_revoke(request, reference: str, organisation_id: int):
    agreement = agreement_get_for(request.user, reference=reference)
    advisor = get_object_or_404(Organisation, pk=organisation_id, kind=OrganisationKind.ADVISOR)
    try:
        advisors.advisor_revoke(agreement=agreement, actor=request.user, advisor=advisor, request_meta=_meta(request))
    except Conflict as error:
        return render_detail(request, agreement, status=409, conflict=error)
    messages.success(request, _("%(advisor)s leest niet meer mee.") % {"advisor": advisor.name})
    return redirect(detail_url(agreement))
