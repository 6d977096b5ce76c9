"""Starting a new agreement."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agreements.choices import AgreementForm
from agreements.sections import SECTION_DEFINITIONS
from workflow.core.access import initiatives_drafted_by
from workflow.core.exceptions import InvalidInput, NotPermitted
from workflow.lifecycle.forms import (
    EXAMPLE_PREFIX,
    START_EMPTY,
    AgreementCreateForm,
    NeighbourhoodFormSet,
    neighbourhood_rows,
)
from workflow.lifecycle.selectors.model_agreements import (
    model_to_start_from,
    offered_models,
    public_example_to_start_from,
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
    models = offered_models(language=get_language())
    example_slug = (
        request.POST.get("start", "") if request.method == "POST" else EXAMPLE_PREFIX + request.GET.get("voorbeeld", "")
    )
    example = (
        public_example_to_start_from(example_slug.removeprefix(EXAMPLE_PREFIX))
        if example_slug.startswith(EXAMPLE_PREFIX)
        else None
    )
    form = AgreementCreateForm(
        request.POST or None,
        initiatives=initiatives,
        models=models,
        example=example,
        initial={
            "initiative": first,
            "municipality": first.home_municipality_id,
            "start": EXAMPLE_PREFIX + example.slug if example else _suggested_model(models, first.home_municipality_id),
        },
    )
    neighbourhoods = NeighbourhoodFormSet(
        request.POST or None,
        prefix="neighbourhoods",
        # Only on the empty page: a posted row equal to its initial value would count as unchanged, and be dropped.
        initial=None if request.method == "POST" else [{"name": name} for name in first.neighbourhood_names] or None,
    )
    if request.method == "POST" and "add_row" in request.POST:
        neighbourhoods = NeighbourhoodFormSet(_with_extra_row(request.POST, "neighbourhoods"), prefix="neighbourhoods")
        return _render_create(request, form, neighbourhoods, status=200)
    if request.method == "POST":
        if form.is_valid() and neighbourhoods.is_valid():
            data = form.cleaned_data
            from_model = data["start"] != START_EMPTY and not data["start"].startswith(EXAMPLE_PREFIX)
            model = model_to_start_from(slug=data["start"], language=data["language"]) if from_model else None
            if from_model and model is None:
                form.add_error("start", _("Dit model wordt niet meer aangeboden. Kies een ander model."))
                return _render_create(request, form, neighbourhoods, status=400)
            try:
                agreement = agreement_create(
                    actor=request.user,
                    initiative=data["initiative"],
                    municipality=data["municipality"],
                    title=data["title"],
                    form=model.form if model is not None else example.form if example is not None else data["form"],
                    model=model,
                    example=example,
                    phase=data["phase"],
                    language=data["language"],
                    neighbourhoods=neighbourhood_rows(neighbourhoods),
                    request_meta=_meta(request),
                )
            except InvalidInput as error:
                add_errors_to_form(form, InvalidInput(errors=_model_errors_on_start(error.errors)))
            else:
                messages.success(
                    request,
                    _("Afspraak %(reference)s is aangemaakt. Vul nu de onderdelen in.")
                    % {"reference": agreement.reference}
                    if model is None
                    else _(
                        "Afspraak %(reference)s is aangemaakt met %(model)s. Vul de invulplekken [[…]] in en pas "
                        "de tekst aan uw buurt aan."
                    )
                    % {"reference": agreement.reference, "model": model.name},
                )
                return redirect("agreement:edit", reference=agreement.reference)
        return _render_create(request, form, neighbourhoods, status=400)
    return _render_create(request, form, neighbourhoods)


def _suggested_model(models, municipality_id: int | None) -> str:
    """The municipality's own cooperation model when it has one, else Samenkader's; the drafter may pick another."""
    preferred = AgreementForm.COOPERATION_AGREEMENT
    for owner_id in (municipality_id, None):
        for model in models:
            if model.owner_id == owner_id and model.form == preferred:
                return model.slug
    return models[0].slug if models else START_EMPTY


def _model_errors_on_start(errors: dict) -> dict:
    return {("start" if field == "model" else field): messages for field, messages in errors.items()}


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
