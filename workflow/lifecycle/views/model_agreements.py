"""A municipality's own model agreements: its admin publishes them for the initiatives in its area."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agreements.choices import AgreementForm, OrganisationKind
from agreements.models import ModelAgreement, Organisation
from workflow.core.access import may_publish_models
from workflow.core.exceptions import Conflict, InvalidInput
from workflow.lifecycle.forms import ModelAgreementForm
from workflow.lifecycle.selectors.model_agreements import models_of, offered_models, shipped_model_for
from workflow.lifecycle.services.model_agreements import model_agreement_publish, model_agreement_retire
from workflow.web.errors import add_errors_to_form, handles_service_errors


def _municipality_for(request, organisation_id: int) -> Organisation:
    municipality = get_object_or_404(Organisation, pk=organisation_id, kind=OrganisationKind.MUNICIPALITY)
    # For anyone but its admin the page does not exist, like the members page.
    if not may_publish_models(request.user, municipality):
        raise Http404
    return municipality


@login_required
def model_list(request, organisation_id: int):
    municipality = _municipality_for(request, organisation_id)
    shipped = [m for m in offered_models(language=request.LANGUAGE_CODE) if m.owner_id is None]
    context = {"municipality": municipality, "own": models_of(municipality), "shipped": shipped}
    return render(request, "agreements/models/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@handles_service_errors
def model_new(request, organisation_id: int):
    """A new model starts as a copy of Samenkader's model of the chosen form (its texts, rows and decisions)."""
    municipality = _municipality_for(request, organisation_id)
    chosen_form = request.GET.get("vorm") or request.POST.get("form") or AgreementForm.COOPERATION_AGREEMENT
    if chosen_form not in AgreementForm.values:
        chosen_form = AgreementForm.COOPERATION_AGREEMENT
    base = shipped_model_for(form=chosen_form, language=request.LANGUAGE_CODE) or shipped_model_for(form=chosen_form)
    if base is None:
        raise Http404
    return _edit(request, municipality, base=base, replaces=None)


@login_required
@require_http_methods(["GET", "POST"])
@handles_service_errors
def model_edit(request, organisation_id: int, model_id: int):
    """Editing publishes the next version of the model; agreements that started from this one keep it."""
    municipality = _municipality_for(request, organisation_id)
    model = get_object_or_404(ModelAgreement, pk=model_id, owner=municipality, retired_at__isnull=True)
    return _edit(request, municipality, base=model, replaces=model)


def _edit(request, municipality: Organisation, *, base: ModelAgreement, replaces: ModelAgreement | None):
    initial = {
        "name": replaces.name if replaces else "",
        "form": base.form,
        "language": base.language,
        "description": base.description if replaces else "",
        **{f"section_{key}": text for key, text in base.sections.items()},
    }
    form = ModelAgreementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            model = model_agreement_publish(
                actor=request.user,
                municipality=municipality,
                name=data["name"],
                form=data["form"],
                language=data["language"],
                description=data["description"],
                sections=form.sections(),
                base=base,
                replaces=replaces,
            )
        except InvalidInput as error:
            add_errors_to_form(form, error)
        except Conflict as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is gepubliceerd. Initiatieven in %(municipality)s kunnen er nu mee beginnen.")
                % {"name": model.name, "municipality": municipality.name},
            )
            return redirect("agreement:models", organisation_id=municipality.pk)
    context = {"municipality": municipality, "form": form, "base": base, "replaces": replaces}
    status = 400 if request.method == "POST" else 200
    return render(request, "agreements/models/edit.html", context, status=status)


@login_required
@require_POST
@handles_service_errors
def model_retire(request, organisation_id: int, model_id: int):
    municipality = _municipality_for(request, organisation_id)
    model = get_object_or_404(ModelAgreement, pk=model_id, owner=municipality)
    try:
        model_agreement_retire(actor=request.user, model=model)
    except Conflict as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s wordt niet meer aangeboden. Afspraken die ermee begonnen, houden het.") % {"name": model.name},
        )
    return redirect("agreement:models", organisation_id=municipality.pk)
