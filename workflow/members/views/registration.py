"""An initiative registers itself: the form, "check your e-mail", and the confirmation link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from workflow.core.access import two_factor_required
from workflow.core.exceptions import Conflict, InvalidInput, NotFound
from workflow.core.request_meta import RequestMeta
from workflow.members.forms import InitiativeRegistrationForm, RegistrationAccountForm
from workflow.members.services import registration
from workflow.members.views.two_factor import SETUP_REQUIRED_SESSION_KEY
from workflow.web.errors import add_errors_to_form, handles_service_errors
from workflow.web.ratelimit import client_address, over_limit

# Registrations one client address may start in an hour: plenty for a meeting where several groups sign up.
REGISTRATIONS_PER_ADDRESS_PER_HOUR = 10


def _details(form: InitiativeRegistrationForm) -> registration.InitiativeDetails:
    data = form.cleaned_data
    return registration.InitiativeDetails(
        name=data["initiative_name"],
        legal_form=data["legal_form"],
        municipality=data["municipality"],
        kvk_number=data["kvk_number"],
        neighbourhood_names=form.neighbourhood_names(),
        signs_for_initiative=data["signs_for_initiative"],
        function=data["function"],
    )


@require_http_methods(["GET", "POST"])
@handles_service_errors
def register(request):
    """Anyone registers an initiative; someone signed in registers one more for themselves."""
    signed_in = request.user.is_authenticated
    post = request.POST if request.method == "POST" else None
    initiative_form = InitiativeRegistrationForm(post, prefix="initiative")
    account_form = None if signed_in else RegistrationAccountForm(post, initial={"preferred_language": get_language()})
    if request.method == "POST":
        forms_valid = initiative_form.is_valid() and (account_form is None or account_form.is_valid())
        if forms_valid and not signed_in and _limited(request):
            initiative_form.add_error(
                None, _("Er zijn vanaf dit adres te veel aanmeldingen gedaan. Probeer het over een uur opnieuw.")
            )
        elif forms_valid:
            try:
                if signed_in:
                    initiative = registration.initiative_register_signed_in(
                        actor=request.user,
                        details=_details(initiative_form),
                        request_meta=RequestMeta.from_request(request),
                    )
                    messages.success(
                        request,
                        _("%(name)s is aangemeld. U bent beheerder en opsteller; u kunt nu een afspraak beginnen.")
                        % {"name": initiative.name},
                    )
                    return redirect("home")
                registration.initiative_register(
                    details=_details(initiative_form),
                    full_name=account_form.cleaned_data["full_name"],
                    email=account_form.cleaned_data["email"],
                    password=account_form.cleaned_data["password1"],
                    language=account_form.cleaned_data["preferred_language"],
                    request_meta=RequestMeta.from_request(request),
                )
            except InvalidInput as error:
                account_fields = {"full_name", "email", "password"}
                for name, errors in error.errors.items():
                    target = account_form if account_form is not None and name in account_fields else initiative_form
                    add_errors_to_form(target, InvalidInput(errors={_form_field(name): errors}))
            else:
                return redirect("registration_sent")
    context = {"form": initiative_form, "account_form": account_form}
    return render(request, "members/register.html", context, status=400 if request.method == "POST" else 200)


# The service's name of a field where the page's differs: its password errors belong beside the first box.
PAGE_FIELDS = {"password": "password1"}  # nosec B105 # field names, not passwords


def _form_field(service_field: str) -> str:
    return PAGE_FIELDS.get(service_field, service_field)


def _limited(request) -> bool:
    return over_limit(
        f"registration:client:{client_address(request)}", limit=REGISTRATIONS_PER_ADDRESS_PER_HOUR, window=3600
    )


def registration_sent(request):
    return render(request, "members/register_sent.html")


@require_http_methods(["GET", "POST"])
def registration_confirm(request, token: str):
    """The link in the e-mail shows what will be made; the button makes it (a link checker opening it makes
    nothing) and signs the volunteer in."""
    try:
        pending = registration.registration_read(token=token)
    except (NotFound, Conflict) as error:
        return _invalid(request, error)
    if request.method == "POST":
        try:
            initiative, person = registration.registration_confirm(
                token=token, request_meta=RequestMeta.from_request(request)
            )
        except (NotFound, Conflict) as error:
            return _invalid(request, error)
        login(request, person, backend="django.contrib.auth.backends.ModelBackend")
        if two_factor_required(person):
            # Signed in by the link, not by the sign-in page: an organisation's two-factor rule applies here too.
            request.session[SETUP_REQUIRED_SESSION_KEY] = True
        messages.success(
            request,
            _("Welkom! %(name)s doet nu mee aan Samenkader en u bent er beheerder en opsteller van.")
            % {"name": initiative.name},
        )
        return redirect(reverse("home"))
    return render(request, "members/register_confirm.html", {"registration": pending})


def _invalid(request, error):
    status = 404 if isinstance(error, NotFound) else 409
    return render(request, "members/register_invalid.html", {"message": error.message}, status=status)
