"""Forms of member management and invitations."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.choices import MembershipRole

MANDATE_HELP = _("Alleen voor ondertekenaars. Na deze datum kan deze persoon niet meer tekenen. Leeg: geen einddatum.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _not_in_past(value):
    if value is not None and value < timezone.localdate():
        raise forms.ValidationError(_("Deze datum ligt in het verleden."))
    return value


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mailadres"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        label=_("Rol"),
        choices=MembershipRole.choices,
        widget=forms.RadioSelect,
        initial=MembershipRole.DRAFTER,
    )
    mandate_until = forms.DateField(
        label=_("Mandaat tot en met"), required=False, widget=DateInput(), help_text=MANDATE_HELP
    )

    def clean_mandate_until(self):
        return _not_in_past(self.cleaned_data.get("mandate_until"))


class MemberRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Rollen"),
        choices=MembershipRole.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies minstens één rol. Wilt u iemand verwijderen? Gebruik dan 'Verwijderen'.")},
    )
    mandate_until = forms.DateField(
        label=_("Mandaat tot en met"), required=False, widget=DateInput(), help_text=MANDATE_HELP
    )

    def clean_mandate_until(self):
        return _not_in_past(self.cleaned_data.get("mandate_until"))


class FirstContactForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=_("Gemeente"),
        queryset=None,
        empty_label=_("Kies een gemeente"),
        help_text=_("Alleen gemeenten die nog niemand in Samenkader hebben."),
    )
    email = forms.EmailField(
        label=_("E-mailadres van uw contactpersoon bij de gemeente"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, municipalities, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
