"""Forms of member management and invitations."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.choices import Language, LegalForm, MembershipRole, TwoFactorPolicy
from agreements.models import current_municipalities, single_line
from workflow.models import ApiTokenScope, Delivery
from workflow.notifications.preferences import EVENT_KINDS

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
    function = forms.CharField(
        label=_("Functie"),
        required=False,
        max_length=100,
        validators=[single_line],
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
        help_text=_(
            "Alleen voor ondertekenaars, niet verplicht. De functie waarin deze persoon tekent, bijvoorbeeld "
            "wethouder, voorzitter of penningmeester. Een handtekening houdt de functie van het moment van tekenen."
        ),
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


# --- signing in, password reset, accepting an invitation


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mailadres"),
        max_length=254,
        # No autofocus: keyboard and screen-reader users start at the top, with the skip link.
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _(
            "Het e-mailadres of het wachtwoord klopt niet. Let op: na 6 mislukte pogingen kunt u een tijdje "
            "niet inloggen."
        ),
        "inactive": _("Dit account is niet actief. Vraag de beheerder van uw organisatie om hulp."),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class EmailPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mailadres"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class NewPasswordForm(SetPasswordForm):
    new_password1 = forms.CharField(
        label=_("Nieuw wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minstens 10 tekens. Kies iets dat u kunt onthouden, maar dat anderen niet raden."),
    )
    new_password2 = forms.CharField(
        label=_("Herhaal het nieuwe wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class InvitationAcceptForm(forms.Form):
    """A new person joins: their name, language and a password."""

    full_name = forms.CharField(
        label=_("Uw volledige naam"),
        max_length=200,
        validators=[single_line],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    # Each language in its own name, so that whoever reads only one of them finds it.
    preferred_language = forms.ChoiceField(
        label=_("Taal van Samenkader"),
        choices=[(Language.DUTCH, "Nederlands"), (Language.ENGLISH, "English")],
        initial=Language.DUTCH,
        widget=forms.RadioSelect,
    )
    password1 = forms.CharField(
        label=_("Kies een wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minstens 10 tekens. Kies iets dat u kunt onthouden, maar dat anderen niet raden."),
    )
    password2 = forms.CharField(
        label=_("Herhaal het wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise forms.ValidationError(_("Vul uw naam in."))
        return name

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("De twee wachtwoorden zijn niet hetzelfde."))
        elif password1:
            from agreements.models import User

            probe = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ConfirmFirstContactForm(forms.Form):
    domain = forms.CharField(
        label=_("E-maildomein van de gemeente"),
        max_length=200,
        help_text=_("Controleer bij de gemeente zelf welk domein haar medewerkers gebruiken, bijvoorbeeld zwolle.nl."),
    )


class CodeForm(forms.Form):
    """One code: from the authenticator app (six digits) or, at sign-in, a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false", "autofocus": True}
        ),
    )

    def __init__(self, *args, label=None, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["code"].label = label
        if help_text:
            self.fields["code"].help_text = help_text


class TwoFactorSetupForm(CodeForm):
    device = forms.IntegerField(widget=forms.HiddenInput)


class TwoFactorPolicyForm(forms.Form):
    policy = forms.ChoiceField(label=_("Tweestapsverificatie"), widget=forms.RadioSelect)

    def __init__(self, *args, policies: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(TwoFactorPolicy.choices)
        self.fields["policy"].choices = [(value, labels[value]) for value in policies]


class StaffTwoFactorResetForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mailadres van de persoon"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    confirmed = forms.BooleanField(
        label=_("Ik heb gecontroleerd dat deze persoon het zelf vraagt (bijvoorbeeld telefonisch teruggebeld)."),
    )


class ProfileForm(forms.Form):
    """One's own settings: the language, and per kind of event an e-mail at once or in the daily overview."""

    preferred_language = forms.ChoiceField(
        label=_("Taal van Samenkader en van uw e-mails"),
        choices=[(Language.DUTCH, "Nederlands"), (Language.ENGLISH, "English")],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind in EVENT_KINDS:
            self.fields[self.field_name(kind.event)] = forms.ChoiceField(
                label=kind.label,
                help_text=kind.hint,
                choices=Delivery.choices,
                initial=Delivery.IMMEDIATE,
                widget=forms.RadioSelect,
            )

    @staticmethod
    def field_name(event: str) -> str:
        return f"delivery_{event}"

    @classmethod
    def initial_for(cls, *, language: str, deliveries: dict[str, str]) -> dict[str, str]:
        initial = {cls.field_name(event): delivery for event, delivery in deliveries.items()}
        initial["preferred_language"] = language
        return initial

    def delivery_fields(self) -> list:
        return [self[self.field_name(kind.event)] for kind in EVENT_KINDS]

    def deliveries(self) -> dict[str, str]:
        return {kind.event: self.cleaned_data[self.field_name(kind.event)] for kind in EVENT_KINDS}


class ApiTokenForm(forms.Form):
    """A new personal API token: what it is for, what it may do, and how long it lasts."""

    name = forms.CharField(
        label=_("Naam"),
        max_length=80,
        help_text=_("Waarvoor u het gebruikt, bijvoorbeeld “Zaaksysteem” of “Rapportage”."),
        error_messages={"required": _("Geef het token een naam.")},
    )
    scope = forms.ChoiceField(
        label=_("Wat mag het token?"),
        choices=ApiTokenScope.choices,
        initial=ApiTokenScope.READ,
        widget=forms.RadioSelect,
        help_text=_(
            "Lezen en handelen: alles wat u zelf op de website mag, zoals indienen en goedkeuren. "
            "Ondertekenen vraagt ook dan uw wachtwoord of code."
        ),
    )
    valid_days = forms.TypedChoiceField(
        label=_("Geldig"),
        choices=[("30", _("30 dagen")), ("90", _("90 dagen")), ("365", _("een jaar")), ("", _("tot u het intrekt"))],
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
        widget=forms.RadioSelect,
    )


class InitiativeRegistrationForm(forms.Form):
    """What an initiative says about itself when it registers (``services/registration.py``)."""

    initiative_name = forms.CharField(
        label=_("Naam van het initiatief"),
        max_length=200,
        validators=[single_line],
        help_text=_("Zoals de bewoners het kennen, bijvoorbeeld Energiecoöperatie Warm Holtenbroek."),
        error_messages={"required": _("Vul de naam van het initiatief in.")},
    )
    legal_form = forms.ChoiceField(
        label=_("Rechtsvorm"),
        choices=[("", _("— kies —")), *LegalForm.choices],
        error_messages={"required": _("Kies de rechtsvorm.")},
    )
    kvk_number = forms.CharField(
        label=_("KvK-nummer (als u dat heeft)"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("8 cijfers. Een bewonersgroep zonder rechtspersoon laat dit leeg."),
    )
    municipality = forms.ModelChoiceField(
        label=_("Gemeente waar het initiatief werkt"),
        queryset=current_municipalities().order_by("name"),
        empty_label=_("— kies een gemeente —"),
        error_messages={
            "required": _("Kies de gemeente waar het initiatief werkt."),
            "invalid_choice": _("Kies een gemeente uit de lijst."),
        },
    )
    neighbourhoods = forms.CharField(
        label=_("Wijken en buurten"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Eén per regel. Ze staan al ingevuld als u een afspraak begint."),
    )
    signs_for_initiative = forms.BooleanField(
        label=_("Ik mag namens het initiatief tekenen (bijvoorbeeld als bestuurslid)"),
        required=False,
        help_text=_("Dan wordt u ook ondertekenaar. Dat staat in het logboek van het initiatief."),
    )
    function = forms.CharField(
        label=_("Uw functie"),
        required=False,
        max_length=100,
        validators=[single_line],
        help_text=_("Alleen als u tekent, bijvoorbeeld voorzitter. Deze functie komt bij uw handtekening."),
    )

    def neighbourhood_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("neighbourhoods", "").splitlines() if line.strip()]


class RegistrationAccountForm(InvitationAcceptForm):
    """A volunteer without an account: who they are, their address and a password."""

    email = forms.EmailField(
        label=_("Uw e-mailadres"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Hier sturen we de link om uw aanmelding te bevestigen."),
        error_messages={"invalid": _("Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl.")},
    )
    field_order = ["full_name", "email", "preferred_language", "password1", "password2"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, email="", **kwargs)

    def clean(self):
        self.email = (self.data.get(self.add_prefix("email")) or "").strip()
        return super().clean()


class SuspendInitiativeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reden van de schorsing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("De leden van het initiatief lezen deze reden."),
        error_messages={"required": _("Schrijf op waarom u het initiatief schorst; de leden lezen het.")},
    )
