"""Pages of one agreement: create, edit, review, sign, comments, advisors, versions."""

from django.urls import path

from .views import agreement_edit, agreement_sign, agreements

app_name = "agreement"

urlpatterns = [
    path("afspraken/nieuw/", agreements.create, name="create"),
    path("afspraken/<str:reference>/", agreements.detail, name="detail"),
    path("afspraken/<str:reference>/bewerken/", agreement_edit.edit, name="edit"),
    path("afspraken/<str:reference>/indienen/", agreement_edit.submit, name="submit"),
    path("afspraken/<str:reference>/wijzigingen-vragen/", agreements.request_changes, name="request_changes"),
    path("afspraken/<str:reference>/goedkeuren/", agreements.approve, name="approve"),
    path("afspraken/<str:reference>/heropenen/", agreements.reopen, name="reopen"),
    path("afspraken/<str:reference>/intrekken/", agreements.withdraw, name="withdraw"),
    path("afspraken/<str:reference>/wijziging-starten/", agreements.amend, name="amend"),
    path("afspraken/<str:reference>/ondertekenen/", agreement_sign.sign, name="sign"),
    path("afspraken/<str:reference>/opmerkingen/", agreements.comment_add, name="comment_add"),
    path(
        "afspraken/<str:reference>/opmerkingen/<int:comment_id>/afhandelen/",
        agreements.comment_resolve,
        name="comment_resolve",
    ),
    path("afspraken/<str:reference>/adviseurs/", agreements.advisor_grant, name="advisor_grant"),
    path(
        "afspraken/<str:reference>/adviseurs/<int:organisation_id>/intrekken/",
        agreements.advisor_revoke,
        name="advisor_revoke",
    ),
    path("afspraken/<str:reference>/versies/", agreements.versions, name="versions"),
    path(
        "afspraken/<str:reference>/versies/<int:number>/inhoud.json",
        agreements.version_content,
        name="version_content",
    ),
]
