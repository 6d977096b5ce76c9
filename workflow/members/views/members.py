"""An organisation's members: the list, inviting, roles, removing, the member log; and accepting an invitation."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements.choices import MembershipRole
from agreements.models import Invitation, Membership, Organisation, User, current_municipalities
from workflow.core.access import (
    initiatives_that_may_invite_first_contact,
    may_manage_members,
    roles_in,
    two_factor_required,
)
from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted, ServiceError
from workflow.core.request_meta import RequestMeta
from workflow.members.forms import FirstContactForm, InvitationAcceptForm, InviteForm, MemberRolesForm
from workflow.members.selectors import invitations_of, member_log_for, members_of
from workflow.members.services import invitations, memberships
from workflow.members.views.lookups import member_of, organisation_for_admin
from workflow.members.views.two_factor import SETUP_REQUIRED_SESSION_KEY, member_two_factor_context, policy_form_for
from workflow.web.errors import add_errors_to_form, service_error_response, submit_form_to_service


def _back_to_members(request, organisation: Organisation):
    """The member list, or home when the admin just gave up their own admin role (the list is gone for them)."""
    # A fresh copy of the user: the request's copy still remembers the roles it had.
    if may_manage_members(User.objects.get(pk=request.user.pk), organisation):
        return redirect("members", organisation.pk)
    return redirect("home")


@login_required
def member_list(request, organisation_id: int):
    organisation = organisation_for_admin(request, organisation_id)
    return render(
        request,
        "members/member_list.html",
        {
            "organisation": organisation,
            "members": members_of(organisation),
            "invitations": invitations_of(organisation),
            "today": timezone.localdate(),
            "two_factor_form": policy_form_for(organisation),
        },
    )


@login_required
@require_POST
def invitation_withdraw(request, organisation_id: int, invitation_id: int):
    organisation = organisation_for_admin(request, organisation_id)
    invitation = get_object_or_404(Invitation, pk=invitation_id, organisation=organisation)
    try:
        invitations.invitation_withdraw(
            actor=request.user, invitation=invitation, request_meta=RequestMeta.from_request(request)
        )
    except Conflict as error:
        messages.error(request, error.message)
    except ServiceError as error:
        return service_error_response(request, error)
    else:
        messages.success(request, _("De uitnodiging voor %(email)s is ingetrokken.") % {"email": invitation.email})
    return redirect("members", organisation.pk)


def _invite_done(request, result) -> None:
    # The same words whether the address has an account or not: the page tells nobody who is in Samenkader.
    messages.success(
        request,
        _("We hebben een uitnodiging gestuurd naar %(email)s. De link in de e-mail werkt %(days)s dagen.")
        % {"email": result.invitation.email, "days": settings.INVITATION_MAX_AGE_DAYS},
    )


@login_required
def member_invite(request, organisation_id: int):
    organisation = organisation_for_admin(request, organisation_id)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def invite():
            result = invitations.invitation_create(
                actor=request.user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                mandate_until=form.cleaned_data.get("mandate_until"),
                request_meta=RequestMeta.from_request(request),
            )
            _invite_done(request, result)
            return redirect("members", organisation.pk)

        if response := submit_form_to_service(request, form, invite):
            return response
    status = 400 if request.method == "POST" else 200
    return render(request, "members/member_invite.html", {"organisation": organisation, "form": form}, status=status)


@login_required
def member_edit(request, organisation_id: int, user_id: int):
    organisation = organisation_for_admin(request, organisation_id)
    rows = list(Membership.objects.filter(organisation=organisation, user_id=user_id).select_related("user"))
    if not rows:
        raise Http404
    member = rows[0].user
    signatory = next((r for r in rows if r.role == MembershipRole.SIGNATORY), None)
    initial = {
        "roles": [r.role for r in rows],
        "mandate_until": signatory.mandate_until if signatory else None,
        "function": signatory.function if signatory else "",
    }
    form = MemberRolesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():

        def update():
            memberships.member_update(
                actor=request.user,
                organisation=organisation,
                member=member,
                roles=form.cleaned_data["roles"],
                mandate_until=form.cleaned_data.get("mandate_until"),
                function=form.cleaned_data.get("function", ""),
                request_meta=RequestMeta.from_request(request),
            )
            messages.success(request, _("De rollen van %(name)s zijn opgeslagen.") % {"name": member})
            return _back_to_members(request, organisation)

        if response := submit_form_to_service(request, form, update):
            return response
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "members/member_edit.html",
        {"organisation": organisation, "member": member, "form": form}
        | member_two_factor_context(request, organisation, member),
        status=status,
    )


@login_required
def member_remove(request, organisation_id: int, user_id: int):
    organisation = organisation_for_admin(request, organisation_id)
    member = member_of(organisation, user_id)
    if request.method == "POST":
        try:
            memberships.member_remove(
                actor=request.user,
                organisation=organisation,
                member=member,
                request_meta=RequestMeta.from_request(request),
            )
        except Conflict as error:
            messages.error(request, error.message)
            return redirect("members", organisation.pk)
        except ServiceError as error:
            return service_error_response(request, error)
        messages.success(
            request,
            _("%(name)s is geen lid meer van %(organisation)s.") % {"name": member, "organisation": organisation},
        )
        return _back_to_members(request, organisation)
    return render(request, "members/member_remove.html", {"organisation": organisation, "member": member})


LOG_PAGE_SIZE = 50


@login_required
def member_log(request, organisation_id: int):
    """The organisation's member log, newest first: only for its admins.

    Someone outside the organisation gets 404 (for them the page does not
    exist); a member who is not an admin gets 403.
    """
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    if not may_manage_members(request.user, organisation):
        if roles_in(request.user, organisation):
            return service_error_response(
                request,
                NotPermitted(
                    _("Alleen de beheerder van %(organisation)s kan het logboek leden lezen.")
                    % {"organisation": organisation.name}
                ),
            )
        raise Http404
    page = Paginator(member_log_for(organisation), LOG_PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(request, "members/member_log.html", {"organisation": organisation, "page": page})


@login_required
def first_contact_invite(request):
    """An initiative asks for the first contact of a municipality that has nobody in Samenkader yet."""
    if not initiatives_that_may_invite_first_contact(request.user):
        raise Http404
    municipalities = current_municipalities().filter(memberships__isnull=True).order_by("name")
    form = FirstContactForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():

        def ask():
            invitations.first_contact_request(
                actor=request.user,
                municipality=form.cleaned_data["municipality"],
                email=form.cleaned_data["email"],
                request_meta=RequestMeta.from_request(request),
            )
            # The same words whatever the address: the page tells nobody who is in Samenkader.
            messages.success(
                request,
                _(
                    "Uw verzoek is doorgestuurd. Samenkader controleert het adres bij %(municipality)s en stuurt dan "
                    "de uitnodiging. Tot dan krijgt niemand toegang."
                )
                % {"municipality": form.cleaned_data["municipality"].name},
            )
            return redirect("home")

        if response := submit_form_to_service(request, form, ask):
            return response
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "members/first_contact_invite.html",
        {"form": form, "has_municipalities": municipalities.exists()},
        status=status,
    )


def _invalid(request, error: ServiceError):
    status = 404 if isinstance(error, NotFound) else 409
    return render(request, "members/invitation_invalid.html", {"message": error.message}, status=status)


def _welcome(request, memberships: list) -> None:
    organisation = memberships[0].organisation
    messages.success(
        request,
        _("Welkom bij Samenkader. U bent nu %(role)s bij %(organisation)s.")
        % {"organisation": organisation, "role": ", ".join(str(m.get_role_display()) for m in memberships)},
    )


def invitation_accept(request, token: str):
    """The link from the e-mail. Someone with an account accepts after signing in; anyone else makes one here."""
    try:
        invitation = invitations.invitation_read(token=token)
    except (NotFound, Conflict) as error:
        return _invalid(request, error)
    if invitations.invitation_account(invitation) is not None:
        return _accept_with_account(request, token, invitation)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            memberships = invitations.invitation_accept(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                preferred_language=form.cleaned_data["preferred_language"],
                request_meta=RequestMeta.from_request(request),
            )
        except InvalidInput as error:
            add_errors_to_form(form, error)
        except (NotFound, Conflict) as error:
            return _invalid(request, error)
        else:
            newcomer = memberships[0].user
            login(request, newcomer, backend="django.contrib.auth.backends.ModelBackend")
            if two_factor_required(newcomer):
                # Signed in by the invitation, not by the sign-in page: the organisation's rule applies here too.
                request.session[SETUP_REQUIRED_SESSION_KEY] = True
            _welcome(request, memberships)
            return redirect(reverse("home"))
    status = 400 if request.method == "POST" else 200
    return render(request, "members/invitation_accept.html", {"invitation": invitation, "form": form}, status=status)


def _accept_with_account(request, token: str, invitation):
    """The address has an account: sign in as it, then accept with one button (consent, never added unasked)."""
    signed_in_as_invitee = request.user.is_authenticated and request.user.email.lower() == invitation.email.lower()
    if request.method == "POST" and signed_in_as_invitee:
        try:
            memberships = invitations.invitation_accept(
                token=token, user=request.user, request_meta=RequestMeta.from_request(request)
            )
        except (NotFound, Conflict) as error:
            return _invalid(request, error)
        except ServiceError as error:
            return service_error_response(request, error)
        _welcome(request, memberships)
        return redirect(reverse("home"))
    context = {
        "invitation": invitation,
        "signed_in_as_invitee": signed_in_as_invitee,
        "login_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
    }
    status = 403 if request.method == "POST" else 200
    return render(request, "members/invitation_accept_signed_in.html", context, status=status)
