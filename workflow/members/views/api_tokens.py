"""One's own personal API tokens: make one (shown once), see when each was last used, revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from workflow.core.request_meta import RequestMeta
from workflow.members.forms import ApiTokenForm
from workflow.members.selectors import api_tokens_of
from workflow.members.services.api_tokens import api_token_create, api_token_revoke
from workflow.web.errors import handles_service_errors, submit_form_to_service

# The new token waits here for the one page view that shows it (after the redirect), then it is gone.
NEW_TOKEN_SESSION_KEY = "api_token_just_made"  # nosec B105 # a session key name, not a secret


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    user = request.user
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():

            def create():
                issued = api_token_create(
                    user=user,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    valid_days=form.cleaned_data["valid_days"],
                    request_meta=RequestMeta.from_request(request),
                )
                request.session[NEW_TOKEN_SESSION_KEY] = {"id": issued.token.pk, "secret": issued.secret}
                return redirect("api_tokens")

            response = submit_form_to_service(request, form, create)
            if response is not None:
                return response
    else:
        form = ApiTokenForm()
    just_made = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    context = {"form": form, "tokens": api_tokens_of(user), "just_made": just_made}
    response = render(request, "accounts/api_tokens.html", context, status=400 if form.errors else 200)
    if just_made:
        response["Cache-Control"] = "no-store"  # the secret must not stay in a cache or the back button
    return response


@login_required
@require_POST
@handles_service_errors
def api_token_revoke_view(request, token_id: int):
    token = api_token_revoke(user=request.user, token_id=token_id, request_meta=RequestMeta.from_request(request))
    messages.success(
        request, _("Het token “%(name)s” is ingetrokken. Het werkt vanaf nu niet meer.") % {"name": token.name}
    )
    return redirect("api_tokens")
