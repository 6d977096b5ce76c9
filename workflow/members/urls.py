"""Signing in and out, password reset, language, one's profile; an organisation's members, their log, invitations."""

from django.urls import path

from workflow.members.views import accounts, api_tokens, members, profile, registration, staff, two_factor

urlpatterns = [
    path("inloggen/", accounts.LoginView.as_view(), name="login"),
    path("inloggen/code/", two_factor.login_code, name="login_code"),
    path("uitloggen/", accounts.LogoutView.as_view(), name="logout"),
    path("account/", profile.profile, name="profile"),
    path("account/api-tokens/", api_tokens.api_tokens, name="api_tokens"),
    path("account/api-tokens/<int:token_id>/intrekken/", api_tokens.api_token_revoke_view, name="api_token_revoke"),
    path("account/tweestapsverificatie/", two_factor.two_factor, name="two_factor"),
    path("account/tweestapsverificatie/instellen/", two_factor.two_factor_setup, name="two_factor_setup"),
    path("account/tweestapsverificatie/herstelcodes/", two_factor.recovery_codes_new, name="recovery_codes_new"),
    path("account/tweestapsverificatie/uitzetten/", two_factor.two_factor_disable, name="two_factor_disable"),
    path("taal/", accounts.set_language, name="set_language"),
    path("wachtwoord-vergeten/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("wachtwoord-vergeten/verstuurd/", accounts.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "wachtwoord-instellen/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("wachtwoord-instellen/klaar/", accounts.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("organisaties/<int:organisation_id>/leden/", members.member_list, name="members"),
    path("organisaties/<int:organisation_id>/uitnodigen/", members.member_invite, name="member_invite"),
    path("organisaties/<int:organisation_id>/leden/<int:user_id>/", members.member_edit, name="member_edit"),
    path(
        "organisaties/<int:organisation_id>/leden/<int:user_id>/verwijderen/",
        members.member_remove,
        name="member_remove",
    ),
    path("organisaties/<int:organisation_id>/logboek/", members.member_log, name="member_log"),
    path(
        "organisaties/<int:organisation_id>/leden/<int:user_id>/tweestapsverificatie-wissen/",
        two_factor.member_two_factor_reset,
        name="member_two_factor_reset",
    ),
    path(
        "organisaties/<int:organisation_id>/tweestapsverificatie/",
        two_factor.organisation_two_factor_policy,
        name="organisation_two_factor_policy",
    ),
    path(
        "organisaties/<int:organisation_id>/uitnodigingen/<int:invitation_id>/intrekken/",
        members.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("gemeente-uitnodigen/", members.first_contact_invite, name="first_contact_invite"),
    # Platform staff: the first contacts initiatives asked for.
    path("beheer/eerste-contactpersonen/", staff.first_contacts, name="first_contacts"),
    path(
        "beheer/eerste-contactpersonen/<int:invitation_id>/bevestigen/",
        staff.first_contact_confirm,
        name="first_contact_confirm",
    ),
    path(
        "beheer/eerste-contactpersonen/<int:invitation_id>/afwijzen/",
        staff.first_contact_reject,
        name="first_contact_reject",
    ),
    path(
        "beheer/eerste-contactpersonen/<int:invitation_id>/intrekken/",
        staff.first_contact_withdraw,
        name="first_contact_withdraw",
    ),
    path("beheer/initiatieven/", staff.initiatives, name="staff_initiatives"),
    path("beheer/initiatieven/<int:initiative_id>/bekeken/", staff.initiative_checked, name="initiative_checked"),
    path("beheer/initiatieven/<int:initiative_id>/schorsen/", staff.initiative_suspend, name="initiative_suspend"),
    path(
        "beheer/initiatieven/<int:initiative_id>/schorsing-opheffen/",
        staff.initiative_reinstate,
        name="initiative_reinstate",
    ),
    # An initiative registers itself.
    path("aanmelden/", registration.register, name="registration_start"),
    path("aanmelden/verstuurd/", registration.registration_sent, name="registration_sent"),
    path("aanmelden/bevestigen/<str:token>/", registration.registration_confirm, name="registration_confirm"),
    path("beheer/tweestapsverificatie-wissen/", two_factor.staff_two_factor_reset, name="staff_two_factor_reset"),
    path("uitnodiging/<str:token>/", members.invitation_accept, name="invitation_accept"),
]
