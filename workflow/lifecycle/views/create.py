"""Starting a new agreement."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agreements.sections import SECTION_DEFINITIONS
from workflow.core.access import initiatives_drafted_by
from workflow.core.exceptions import InvalidInput, NotPermitted
from workflow.lifecycle.forms import (
    AgreementCreateForm,
    NeighbourhoodFormSet,
    neighbourhood_rows,
)
from workflow.lifecycle.services.drafting import agreement_create
from workflow.lifecycle.views.detail import _meta
from workflow.web.errors import add_errors_to_form, handles_service_errors


@login_required
@require_http_methods(["GET", "POST"])
@handles_service_errors
def create(request):
    initiatives = initiatives_drafted_by(request.user)
    if not initiatives.exists():
        raise NotPermitted(_("Alleen opstellers van een bewonersinitiatief kunnen een afspraak beginnen."))
    # An initiative that registered itself said where it works: the first start has that filled in.
    first = initiatives[0]
    form = AgreementCreateForm(
        request.POST or None,
        initiatives=initiatives,
        initial={"initiative": first, "municipality": first.home_municipality_id},
    )
    neighbourhoods = NeighbourhoodFormSet(
        request.POST or None,
        prefix="neighbourhoods",
        initial=[{"name": name} for name in first.neighbourhood_names] or None,
    )
    if request.method == "POST" and "add_row" in request.POST:
        neighbourhoods = NeighbourhoodFormSet(_with_extra_row(request.POST, "neighbourhoods"), prefix="neighbourhoods")
        return _render_create(request, form, neighbourhoods, status=200)
    if request.method == "POST":
        if form.is_valid() and neighbourhoods.is_valid():
            data = form.cleaned_data
            try:
                agreement = agreement_create(
                    actor=request.user,
                    initiative=data["initiative"],
                    municipality=data["municipality"],
                    title=data["title"],
                    form=data["form"],
                    phase=data["phase"],
                    language=data["language"],
                    neighbourhoods=neighbourhood_rows(neighbourhoods),
                    request_meta=_meta(request),
                )
            except InvalidInput as error:
                add_errors_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Afspraak %(reference)s is aangemaakt. Vul nu de onderdelen in.")
                    % {"reference": agreement.reference},
                )
                return redirect("agreement:edit", reference=agreement.reference)
        return _render_create(request, form, neighbourhoods, status=400)
    return _render_create(request, form, neighbourhoods)


def _render_create(request, form, neighbourhoods, status: int = 200):
    return render(
        request,
        "agreements/create.html",
        {"form": form, "neighbourhoods": neighbourhoods, "sections": SECTION_DEFINITIONS},
        status=status,
    )


def _with_extra_row(data, prefix: str):
    """The posted data with one more (empty) row: "add a row" without JavaScript."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, 0))
    except ValueError:
        total = 0
    data[key] = str(min(total + 1, 100))
    return data
