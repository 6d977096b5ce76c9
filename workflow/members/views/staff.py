"""Platform staff: confirm the first contact an initiative asked for, reject it, or take it back later;
look at the initiatives that registered themselves, and suspend one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements.choices import OrganisationKind
from agreements.models import Invitation, Organisation
from workflow.core.access import may_confirm_first_contacts
from workflow.core.exceptions import Conflict, InvalidInput, ServiceError
from workflow.core.request_meta import RequestMeta
from workflow.members.forms import ConfirmFirstContactForm, SuspendInitiativeForm
from workflow.members.selectors import first_contacts_for_staff, initiatives_for_staff
from workflow.members.services import invitations, registration
from workflow.web.errors import add_errors_to_form, service_error_response


def _staff_only(request) -> None:
    # For anyone else the page does not exist.
    if not may_confirm_first_contacts(request.user):
        raise Http404


def _page(request, *, failed: dict | None = None, status: int = 200):
    stages = first_contacts_for_staff()
    for row in stages["awaiting"]:
        row.confirm_form = (failed or {}).get(row.pk) or ConfirmFirstContactForm(
            prefix=f"c{row.pk}", initial={"domain": row.email.rpartition("@")[2]}
        )
    return render(request, "members/first_contacts.html", {"stages": stages}, status=status)


@login_required
def first_contacts(request):
    _staff_only(request)
    return _page(request)


@login_required
@require_POST
def first_contact_confirm(request, invitation_id: int):
    _staff_only(request)
    invitation = get_object_or_404(Invitation, pk=invitation_id, is_first_contact=True)
    form = ConfirmFirstContactForm(request.POST, prefix=f"c{invitation.pk}")
    if form.is_valid():
        try:
            invitations.first_contact_confirm(
                actor=request.user,
                invitation=invitation,
                domain=form.cleaned_data["domain"],
                request_meta=RequestMeta.from_request(request),
            )
        except InvalidInput as error:
            for field, errors in error.errors.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        except Conflict as error:
            messages.error(request, error.message)
            return redirect("first_contacts")
        except ServiceError as error:
            return service_error_response(request, error)
        else:
            messages.success(
                request,
                _("Bevestigd: %(email)s krijgt nu de uitnodiging als eerste contactpersoon van %(municipality)s.")
                % {"email": invitation.email, "municipality": invitation.organisation.name},
            )
            return redirect("first_contacts")
    return _page(request, failed={invitation.pk: form}, status=400)


@login_required
@require_POST
def first_contact_reject(request, invitation_id: int):
    _staff_only(request)
    invitation = get_object_or_404(Invitation, pk=invitation_id, is_first_contact=True)
    return _act(
        request,
        lambda: invitations.invitation_withdraw(
            actor=request.user, invitation=invitation, request_meta=RequestMeta.from_request(request)
        ),
        _("Het verzoek voor %(email)s is afgewezen; er gaat geen uitnodiging uit.") % {"email": invitation.email},
    )


@login_required
@require_POST
def first_contact_withdraw(request, invitation_id: int):
    _staff_only(request)
    invitation = get_object_or_404(Invitation, pk=invitation_id, is_first_contact=True)
    return _act(
        request,
        lambda: invitations.first_contact_withdraw(
            actor=request.user, invitation=invitation, request_meta=RequestMeta.from_request(request)
        ),
        _("%(email)s is geen contactpersoon van %(municipality)s meer.")
        % {"email": invitation.email, "municipality": invitation.organisation.name},
    )


def _act(request, call, success: str, *, back: str = "first_contacts"):
    try:
        call()
    except Conflict as error:
        messages.error(request, error.message)
    except ServiceError as error:
        return service_error_response(request, error)
    else:
        messages.success(request, success)
    return redirect(back)


# --- initiatives that registered themselves ---------------------------------------------------------


def _initiatives_page(request, *, failed: dict | None = None, status: int = 200):
    stages = initiatives_for_staff()
    for row in stages["new"] + stages["others"]:
        row.suspend_form = (failed or {}).get(row.pk) or SuspendInitiativeForm(prefix=f"s{row.pk}")
    return render(request, "members/initiatives_staff.html", {"stages": stages}, status=status)


def _initiative(initiative_id: int) -> Organisation:
    return get_object_or_404(Organisation, pk=initiative_id, kind=OrganisationKind.INITIATIVE)


@login_required
def initiatives(request):
    _staff_only(request)
    return _initiatives_page(request)


@login_required
@require_POST
def initiative_checked(request, initiative_id: int):
    _staff_only(request)
    initiative = _initiative(initiative_id)
    return _act(
        request,
        lambda: registration.initiative_mark_checked(
            actor=request.user, initiative=initiative, request_meta=RequestMeta.from_request(request)
        ),
        _("%(name)s is bekeken en staat niet meer in de lijst met nieuwe initiatieven.") % {"name": initiative.name},
        back="staff_initiatives",
    )


@login_required
@require_POST
def initiative_suspend(request, initiative_id: int):
    _staff_only(request)
    initiative = _initiative(initiative_id)
    form = SuspendInitiativeForm(request.POST, prefix=f"s{initiative.pk}")
    if form.is_valid():
        try:
            registration.initiative_suspend(
                actor=request.user,
                initiative=initiative,
                reason=form.cleaned_data["reason"],
                request_meta=RequestMeta.from_request(request),
            )
        except InvalidInput as error:
            add_errors_to_form(form, error)
        except Conflict as error:
            messages.error(request, error.message)
            return redirect("staff_initiatives")
        except ServiceError as error:
            return service_error_response(request, error)
        else:
            messages.success(
                request,
                _("%(name)s is geschorst. De leden lezen hun afspraken nog, maar kunnen niets meer doen.")
                % {"name": initiative.name},
            )
            return redirect("staff_initiatives")
    return _initiatives_page(request, failed={initiative.pk: form}, status=400)


@login_required
@require_POST
def initiative_reinstate(request, initiative_id: int):
    _staff_only(request)
    initiative = _initiative(initiative_id)
    return _act(
        request,
        lambda: registration.initiative_reinstate(
            actor=request.user, initiative=initiative, request_meta=RequestMeta.from_request(request)
        ),
        _("De schorsing van %(name)s is opgeheven.") % {"name": initiative.name},
        back="staff_initiatives",
    )
