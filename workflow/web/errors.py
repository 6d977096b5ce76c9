"""Turning a service's refusal into the page the person sees, and the site-wide error pages.

Views call a service and, on ``ServiceError``, return ``service_error_response``:
NotFound -> 404, NotPermitted -> 403, Conflict -> 409, InvalidInput -> 400, each
with the service's Dutch (or English) message on the styled page.
"""

from __future__ import annotations

import functools
import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _lazy

from agreements.choices import AgreementState
from workflow.core.exceptions import Conflict, InvalidInput, NotFound, NotPermitted, ServiceError

logger = logging.getLogger(__name__)

TEMPLATES = {NotFound: "404.html", NotPermitted: "403.html", Conflict: "409.html", InvalidInput: "400.html"}


def _template_for(error: ServiceError) -> str:
    for cls, template in TEMPLATES.items():
        if isinstance(error, cls):
            return template
    return "400.html"


def service_error_response(
    request: HttpRequest, error: ServiceError, *, back_url: str | None = None, context: dict | None = None
) -> HttpResponse:
    """The styled page for ``error`` with its message and HTTP status (404/403/409/400).

    ``back_url`` (e.g. the agreement's page) is offered on the 409 page as
    "see the current state". Extra ``context`` is passed to the template.
    """
    page_context = {"message": error.message, "back_url": back_url, "error": error}
    state = getattr(error, "state", None)
    if state:
        try:
            page_context["state_label"] = AgreementState(state).label
        except ValueError:
            pass
    if isinstance(error, InvalidInput):
        page_context["errors"] = error.errors
    page_context.update(context or {})
    logger.info("Service refused %s %s: %s %s", request.method, request.path, type(error).__name__, error.message)
    return render(request, _template_for(error), page_context, status=error.http_status)


def handles_service_errors(view):
    """Decorator: a ServiceError escaping the view becomes its styled page (see service_error_response)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ServiceError as error:
            return service_error_response(request, error)

    return wrapper


# Site-wide handlers (config/urls.py): the same pages for errors outside the services. Under /api/ the same
# errors come in the API's one shape (workflow/api/exceptions.py), for an address that matches no endpoint too.

API_PREFIX = "/api/"
_API_ERRORS = {
    400: ("invalid", _lazy("Het verzoek klopt niet.")),
    403: ("permission_denied", _lazy("Dit mag u niet.")),
    404: ("not_found", _lazy("Dit bestaat niet of u heeft er geen toegang toe.")),
    500: ("server_error", _lazy("Er ging iets mis aan onze kant. Probeer het later opnieuw.")),
}


def api_error_body(status: int) -> dict:
    """The API's error body for an error that says no more than its status (400, 403, 404, 500)."""
    code, message = _API_ERRORS[status]
    return {"code": code, "message": str(message)}


def _api_error(request, status: int) -> HttpResponse | None:
    if not request.path.startswith(API_PREFIX):
        return None
    response = JsonResponse(api_error_body(status), status=status)
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request, exception=None):
    return _api_error(request, 400) or render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return _api_error(request, 403) or render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return _api_error(request, 404) or render(request, "404.html", status=404)


def server_error(request):
    api = _api_error(request, 500)
    if api is not None:
        return api
    # Rendered without the request's context processors: whatever failed may
    # fail again (the database, a context processor).
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)


def add_errors_to_form(form, error: InvalidInput) -> None:
    """Show a service's InvalidInput beside the fields it names (the rest above the form)."""
    for name, messages in error.errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


def submit_form_to_service(request: HttpRequest, form, call) -> HttpResponse | None:
    """Run ``call`` (a service) for a valid form and say what became of it.

    Returns None when the service refused the input or the state: its message
    is then on the form, to be shown again with status 400. Returns the error
    page for NotFound and NotPermitted. On success it returns ``call``'s own
    response, so ``call`` should end in a redirect.
    """
    try:
        return call()
    except InvalidInput as error:
        add_errors_to_form(form, error)
    except Conflict as error:
        form.add_error(None, error.message)
    except ServiceError as error:
        return service_error_response(request, error)
    return None
