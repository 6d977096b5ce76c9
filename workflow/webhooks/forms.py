"""The form of a webhook endpoint."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workflow.webhooks.events import webhook_event_choices


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Adres (URL)"),
        max_length=500,
        help_text=_("Het https-adres van uw eigen systeem dat de berichten ontvangt."),
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "url"}),
        error_messages={"required": _("Vul het adres in.")},
    )
    description = forms.CharField(
        label=_("Omschrijving"),
        max_length=200,
        required=False,
        help_text=_("Bijvoorbeeld het systeem of de leverancier."),
    )
    events = forms.MultipleChoiceField(
        label=_("Bij welke gebeurtenissen?"),
        choices=webhook_event_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies een of meer gebeurtenissen.")},
    )
    is_active = forms.BooleanField(label=_("Actief: berichten versturen"), required=False, initial=True)
