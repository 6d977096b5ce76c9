"""Forms of the public examples: its search, the public text a party consents to, and a lesson learnt."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.choices import AgreementForm, LessonTopic, Phase, Province
from agreements.models import Organisation
from agreements.sections import SECTION_DEFINITIONS


class ExampleSearchForm(forms.Form):
    q = forms.CharField(label=_("Zoeken"), required=False, max_length=100)
    form = forms.ChoiceField(label=_("Vorm"), required=False, choices=[("", _("alle vormen")), *AgreementForm.choices])
    phase = forms.ChoiceField(label=_("Fase"), required=False, choices=[("", _("alle fasen")), *Phase.choices])
    province = forms.ChoiceField(
        label=_("Provincie"), required=False, choices=[("", _("alle provincies")), *Province.choices]
    )
    municipality = forms.ModelChoiceField(
        label=_("Gemeente"), required=False, queryset=Organisation.objects.none(), empty_label=_("alle gemeenten")
    )

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if municipalities is not None:
            self.fields["municipality"].queryset = municipalities


class PublicTextForm(forms.Form):
    """The public text a party consents to: a plain-language summary and each section."""

    summary = forms.CharField(
        label=_("Samenvatting in gewone taal (niet verplicht)"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In korte zinnen: wat spreken de partijen af, voor welke buurt, en wat merken bewoners ervan?"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for definition in SECTION_DEFINITIONS:
            self.fields[f"section_{definition.key}"] = forms.CharField(
                label=definition.title, required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
            )

    def section_fields(self):
        return [self[f"section_{d.key}"] for d in SECTION_DEFINITIONS]

    def sections(self) -> dict[str, str]:
        return {d.key: self.cleaned_data.get(f"section_{d.key}", "") for d in SECTION_DEFINITIONS}


class LessonForm(forms.Form):
    phase = forms.ChoiceField(label=_("Fase"), choices=Phase.choices)
    topic = forms.ChoiceField(label=_("Onderwerp"), choices=LessonTopic.choices)
    worked = forms.CharField(
        label=_("Wat werkte?"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    did_not_work = forms.CharField(
        label=_("Wat werkte niet, en wat zou u een volgende keer anders doen?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    shared = forms.BooleanField(
        label=_("Deel deze les, zonder naam, met andere initiatieven en gemeenten"),
        required=False,
        help_text=_("Een gedeelde les staat in de voorbeeldenbibliotheek en in het overzicht van de adviseurs."),
    )
