"""An organisation's members: the list, inviting, roles, removing; and accepting an invitation."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import MembershipRole, OrganisationKind
from agreements.models import Membership, Organisation, User

from .. import services
from ..exceptions import Conflict, InvalidInput, NotFound, ServiceError
from ..forms.accounts import InvitationAcceptForm
from ..forms.members import FirstContactForm, InviteForm, MemberRolesForm
from ..permissions_members import initiatives_that_may_invite_first_contact, may_manage_members
from .errors import add_errors_to_form, service_error_response, submit_form_to_service


def invitation_url(token: str) -> str:
    """The absolute accept link of an invitation token (the same one the e-mail carries)."""
    return services.invitation_url(token)


def _organisation_for_admin(request, organisation_id: int) -> Organisation:
    """The organisation, if this person is its admin. Others get 404: for them the page does not exist."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    if not may_manage_members(request.user, organisation):
        raise Http404
    return organisation


def _members_of(organisation: Organisation) -> list[dict]:
    people: dict[int, dict] = {}
    rows = Membership.objects.filter(organisation=organisation).select_related("user").order_by("user__full_name", "pk")
    for row in rows:
        entry = people.setdefault(row.user_id, {"user": row.user, "roles": [], "mandate_until": None})
        entry["roles"].append(row.get_role_display())
        if row.role == MembershipRole.SIGNATORY:
            entry["mandate_until"] = row.mandate_until
    return list(people.values())


def _back_to_members(request, organisation: Organisation):
    """The member list, or home when the admin just gave up their own admin role (the list is gone for them)."""
    # A fresh copy of the user: the request's copy still remembers the roles it had.
    if may_manage_members(User.objects.get(pk=request.user.pk), organisation):
        return redirect("members", organisation.pk)
    return redirect("home")


@login_required
def member_list(request, organisation_id: int):
    organisation = _organisation_for_admin(request, organisation_id)
    return render(
        request,
        "members/member_list.html",
        {"organisation": organisation, "members": _members_of(organisation), "today": timezone.localdate()},
    )


def _invite_done(request, result) -> None:
    if result.added_directly:
        messages.success(
            request,
            _("%(email)s had al een account en is nu %(role)s bij %(organisation)s. We hebben een e-mail gestuurd.")
            % {"email": result.email, "role": MembershipRole(result.role).label, "organisation": result.organisation},
        )
    else:
        messages.success(
            request,
            _("We hebben een uitnodiging gestuurd naar %(email)s. De link in de e-mail werkt %(days)s dagen.")
            % {"email": result.email, "days": settings.INVITATION_MAX_AGE_DAYS},
        )


@login_required
def member_invite(request, organisation_id: int):
    organisation = _organisation_for_admin(request, organisation_id)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def invite():
            result = services.invitation_create(
                actor=request.user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                mandate_until=form.cleaned_data.get("mandate_until"),
            )
            _invite_done(request, result)
            return redirect("members", organisation.pk)

        if response := submit_form_to_service(request, form, invite):
            return response
    status = 400 if request.method == "POST" else 200
    return render(request, "members/member_invite.html", {"organisation": organisation, "form": form}, status=status)


@login_required
def member_edit(request, organisation_id: int, user_id: int):
    organisation = _organisation_for_admin(request, organisation_id)
    rows = list(Membership.objects.filter(organisation=organisation, user_id=user_id).select_related("user"))
    if not rows:
        raise Http404
    member = rows[0].user
    signatory = next((r for r in rows if r.role == MembershipRole.SIGNATORY), None)
    initial = {"roles": [r.role for r in rows], "mandate_until": signatory.mandate_until if signatory else None}
    form = MemberRolesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():

        def update():
            services.member_update(
                actor=request.user,
                organisation=organisation,
                member=member,
                roles=form.cleaned_data["roles"],
                mandate_until=form.cleaned_data.get("mandate_until"),
            )
            messages.success(request, _("De rollen van %(name)s zijn opgeslagen.") % {"name": member})
            return _back_to_members(request, organisation)

        if response := submit_form_to_service(request, form, update):
            return response
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "members/member_edit.html",
        {"organisation": organisation, "member": member, "form": form},
        status=status,
    )


@login_required
def member_remove(request, organisation_id: int, user_id: int):
    organisation = _organisation_for_admin(request, organisation_id)
    member = get_object_or_404(User, pk=user_id, memberships__organisation=organisation)
    if request.method == "POST":
        try:
            services.member_remove(actor=request.user, organisation=organisation, member=member)
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


@login_required
def first_contact_invite(request):
    """An initiative invites the first contact of a municipality that has nobody in Samenkader yet."""
    if not initiatives_that_may_invite_first_contact(request.user):
        raise Http404
    municipalities = Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY, memberships__isnull=True).order_by(
        "name"
    )
    form = FirstContactForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():

        def invite():
            result = services.invitation_create(
                actor=request.user,
                organisation=form.cleaned_data["municipality"],
                email=form.cleaned_data["email"],
                role=MembershipRole.REVIEWER,
            )
            _invite_done(request, result)
            return redirect("home")

        if response := submit_form_to_service(request, form, invite):
            return response
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "members/first_contact_invite.html",
        {"form": form, "has_municipalities": municipalities.exists()},
        status=status,
    )


def invitation_accept(request, token: str):
    """Anyone with the link: set a name and password, join, and be signed in."""
    try:
        details = services.invitation_read(token=token)
    except NotFound as error:
        return render(request, "members/invitation_invalid.html", {"message": error.message}, status=404)
    except Conflict as error:
        return render(request, "members/invitation_invalid.html", {"message": error.message}, status=409)
    form = InvitationAcceptForm(request.POST or None, email=details.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                preferred_language=form.cleaned_data["preferred_language"],
            )
        except InvalidInput as error:
            add_errors_to_form(form, error)
        except (NotFound, Conflict) as error:
            return render(request, "members/invitation_invalid.html", {"message": error.message}, status=409)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welkom bij Samenkader. U bent nu %(role)s bij %(organisation)s.")
                % {"role": membership.get_role_display(), "organisation": membership.organisation},
            )
            return redirect(reverse("home"))
    status = 400 if request.method == "POST" else 200
    return render(request, "members/invitation_accept.html", {"details": details, "form": form}, status=status)
