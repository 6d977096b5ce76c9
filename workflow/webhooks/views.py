"""An organisation's webhooks, for its admin: the endpoints, each one's secret and delivery log, send again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agreements.models import Organisation
from workflow.core.access import may_manage_members
from workflow.web.errors import handles_service_errors, submit_form_to_service
from workflow.webhooks.events import WEBHOOK_EVENTS
from workflow.webhooks.forms import WebhookEndpointForm
from workflow.webhooks.selectors import (
    LOG_ROWS,
    webhook_delivery_log,
    webhook_endpoint_for_admin,
    webhook_endpoints_of,
)
from workflow.webhooks.services import (
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
)


def _organisation_for_admin(request, organisation_id: int) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    if not may_manage_members(request.user, organisation):
        raise Http404
    return organisation


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request, organisation_id: int):
    organisation = _organisation_for_admin(request, organisation_id)
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def create():
            endpoint = webhook_endpoint_create(
                actor=request.user,
                organisation=organisation,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
            )
            messages.success(request, _("De webhook is opgeslagen. Zet het geheim hieronder in uw eigen systeem."))
            return redirect("webhook_detail", organisation_id=organisation.pk, endpoint_id=endpoint.pk)

        response = submit_form_to_service(request, form, create)
        if response is not None:
            return response
    context = {
        "organisation": organisation,
        "endpoints": webhook_endpoints_of(organisation),
        "form": form,
        "event_labels": {name: label for name, (_cause, label) in WEBHOOK_EVENTS.items()},
    }
    return render(request, "webhooks/list.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@handles_service_errors
def webhook_detail(request, organisation_id: int, endpoint_id: int):
    endpoint = webhook_endpoint_for_admin(request.user, endpoint_id)
    if endpoint.organisation_id != organisation_id:
        raise Http404
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
    }
    form = WebhookEndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():

        def save():
            webhook_endpoint_update(actor=request.user, endpoint_id=endpoint.pk, **form.cleaned_data)
            messages.success(request, _("De webhook is opgeslagen."))
            return redirect("webhook_detail", organisation_id=organisation_id, endpoint_id=endpoint.pk)

        response = submit_form_to_service(request, form, save)
        if response is not None:
            return response
    context = {
        "organisation": endpoint.organisation,
        "endpoint": endpoint,
        "form": form,
        "deliveries": webhook_delivery_log(endpoint)[:LOG_ROWS],
        "event_labels": {name: label for name, (_cause, label) in WEBHOOK_EVENTS.items()},
    }
    response = render(request, "webhooks/detail.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"  # the page shows the secret
    return response


@login_required
@require_POST
@handles_service_errors
def webhook_delete(request, organisation_id: int, endpoint_id: int):
    webhook_endpoint_delete(actor=request.user, endpoint_id=endpoint_id)
    messages.success(request, _("De webhook is verwijderd. Er gaan geen berichten meer heen."))
    return redirect("webhooks", organisation_id=organisation_id)


@login_required
@require_POST
@handles_service_errors
def webhook_resend(request, organisation_id: int, endpoint_id: int, delivery_id: int):
    webhook_delivery_resend(actor=request.user, delivery_id=delivery_id)
    messages.success(request, _("Het bericht wordt opnieuw verstuurd."))
    return redirect("webhook_detail", organisation_id=organisation_id, endpoint_id=endpoint_id)
