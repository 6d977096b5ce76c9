"""Forms of signing in, the invitation and the password."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from agreements.choices import Language


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
        label=_("Uw volledige naam"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
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
