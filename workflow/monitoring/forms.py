"""What the monitoring pages read from a request: who may look, and the filters as a form."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from agreements.choices import AgreementState, Phase, Province
from workflow.core.figures import figure_key, long_run_key
from workflow.core.visibility import visibility_scope
from workflow.monitoring.statistics import MonitoringFilters, municipality_options


class MonitoringFilterForm(forms.Form):
    province = forms.ChoiceField(label=gettext_lazy("Provincie"), required=False)
    municipality = forms.TypedChoiceField(label=gettext_lazy("Gemeente"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    phase = forms.ChoiceField(label=gettext_lazy("Fase"), required=False)
    stalled = forms.BooleanField(label=gettext_lazy("Alleen vastgelopen afspraken"), required=False)

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.municipalities = list(municipalities)
        self.fields["province"].choices = [("", pgettext_lazy("filter", "Alle provincies")), *Province.choices]
        self.fields["municipality"].choices = [("", pgettext_lazy("filter", "Alle gemeenten"))] + [
            (m.pk, m.name) for m in municipalities
        ]
        self.fields["state"].choices = [("", pgettext_lazy("filter", "Alle statussen")), *AgreementState.choices]
        self.fields["phase"].choices = [("", pgettext_lazy("filter", "Alle fasen")), *Phase.choices]

    def filters(self) -> MonitoringFilters:
        # An invalid value (an old link, a municipality no longer visible) is
        # left out rather than refused: the rest of the filter still applies.
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return MonitoringFilters(
            province=data.get("province") or "",
            municipality_id=data.get("municipality") or None,
            state=data.get("state") or "",
            phase=data.get("phase") or "",
            stalled_only=bool(data.get("stalled")),
        )


def monitoring_access(view):
    """Signed in (else to the sign-in page) and a member of at least one organisation (else 403).

    Sets ``request.visibility_scope`` (the one visibility query of the request)
    ``request.figure_key`` (what its cached figures are keyed by) and ``request.long_run_key`` (the same for
    those that follow what the viewer sees, not each change), both taken before any figure is read.
    """

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        prepare_monitoring_request(request)
        return view(request, *args, **kwargs)

    return wrapped


def prepare_monitoring_request(request) -> None:
    """PermissionDenied for someone without a membership; else set ``visibility_scope`` and ``figure_key``."""
    scope = visibility_scope(request.user)
    if not scope.is_member:
        raise PermissionDenied(_("Dit overzicht is er voor leden van een organisatie in Samenkader."))
    request.visibility_scope = scope
    request.figure_key = figure_key(scope)
    request.long_run_key = long_run_key(scope.organisation_ids)


def filters_from(request) -> tuple[MonitoringFilterForm, MonitoringFilters]:
    municipalities = list(municipality_options(request.user, scope=request.visibility_scope, key=request.long_run_key))
    form = MonitoringFilterForm(request.GET or None, municipalities=municipalities)
    return form, form.filters() if form.is_bound else MonitoringFilters()
