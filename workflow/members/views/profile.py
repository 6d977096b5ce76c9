"""One's own profile page: who one is, the language, the two-factor status and how e-mails come."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from workflow.core.access import two_factor_required
from workflow.core.two_factor import has_two_factor
from workflow.members.forms import ProfileForm
from workflow.members.services.profile import profile_update
from workflow.notifications.preferences import deliveries_for
from workflow.web.errors import submit_form_to_service
from workflow.web.middleware import set_language_cookie


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            language = form.cleaned_data["preferred_language"]

            def save():
                profile_update(user=user, language=language, deliveries=form.deliveries())
                translation.activate(language)  # the confirmation in the language just chosen
                messages.success(request, _("Uw instellingen zijn opgeslagen."))
                response = redirect("profile")
                set_language_cookie(response, language)
                return response

            response = submit_form_to_service(request, form, save)
            if response is not None:
                return response
    else:
        initial = ProfileForm.initial_for(language=user.preferred_language, deliveries=deliveries_for(user=user))
        form = ProfileForm(initial=initial)
    context = {
        "form": form,
        "two_factor_enabled": has_two_factor(user),
        "two_factor_required": two_factor_required(user),
        "digest_hour": settings.DIGEST_HOUR,
    }
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)
