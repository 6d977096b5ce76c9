"""Pages of one agreement: create, edit, review, sign, comments, advisors, versions."""

from django.urls import path

from workflow.lifecycle.views import actions, confirm, create, detail, edit, home, model_agreements, sign

app_name = "agreement"

urlpatterns = [
    path("wacht-op-u/", home.waiting, name="waiting"),
    path("afspraken/nieuw/", create.create, name="create"),
    # A municipality's own model agreements.
    path("organisaties/<int:organisation_id>/modellen/", model_agreements.model_list, name="models"),
    path("organisaties/<int:organisation_id>/modellen/nieuw/", model_agreements.model_new, name="model_new"),
    path(
        "organisaties/<int:organisation_id>/modellen/<int:model_id>/bewerken/",
        model_agreements.model_edit,
        name="model_edit",
    ),
    path(
        "organisaties/<int:organisation_id>/modellen/<int:model_id>/niet-meer-aanbieden/",
        model_agreements.model_retire,
        name="model_retire",
    ),
    path("afspraken/<str:reference>/", detail.detail, name="detail"),
    path("afspraken/<str:reference>/bewerken/", edit.edit, name="edit"),
    path("afspraken/<str:reference>/indienen/", edit.submit, name="submit"),
    path("afspraken/<str:reference>/indienen/bevestigen/", confirm.submit, name="submit_confirm"),
    path("afspraken/<str:reference>/wijzigingen-vragen/", actions.request_changes, name="request_changes"),
    path("afspraken/<str:reference>/goedkeuren/", actions.approve, name="approve"),
    path("afspraken/<str:reference>/goedkeuren/bevestigen/", confirm.approve, name="approve_confirm"),
    path("afspraken/<str:reference>/heropenen/", actions.reopen, name="reopen"),
    path("afspraken/<str:reference>/intrekken/", actions.withdraw, name="withdraw"),
    path("afspraken/<str:reference>/wijziging-starten/", actions.amend, name="amend"),
    path("afspraken/<str:reference>/ondertekenen/", sign.sign, name="sign"),
    path("afspraken/<str:reference>/niet-ondertekenen/", actions.decline, name="decline"),
    path("afspraken/<str:reference>/opmerkingen/", actions.comment_add, name="comment_add"),
    path(
        "afspraken/<str:reference>/opmerkingen/<int:comment_id>/afhandelen/",
        actions.comment_resolve,
        name="comment_resolve",
    ),
    path("afspraken/<str:reference>/adviseurs/", actions.advisor_grant, name="advisor_grant"),
    path(
        "afspraken/<str:reference>/adviseurs/<int:organisation_id>/intrekken/",
        actions.advisor_revoke,
        name="advisor_revoke",
    ),
    path("afspraken/<str:reference>/versies/", detail.versions, name="versions"),
    path(
        "afspraken/<str:reference>/versies/<int:number>/inhoud.json",
        detail.version_content,
        name="version_content",
    ),
]
