"""An organisation's webhooks (its admin's pages)."""

from django.urls import path

from workflow.webhooks import views

urlpatterns = [
    path("organisaties/<int:organisation_id>/webhooks/", views.webhook_list, name="webhooks"),
    path(
        "organisaties/<int:organisation_id>/webhooks/<int:endpoint_id>/",
        views.webhook_detail,
        name="webhook_detail",
    ),
    path(
        "organisaties/<int:organisation_id>/webhooks/<int:endpoint_id>/verwijderen/",
        views.webhook_delete,
        name="webhook_delete",
    ),
    path(
        "organisaties/<int:organisation_id>/webhooks/<int:endpoint_id>/berichten/<int:delivery_id>/opnieuw/",
        views.webhook_resend,
        name="webhook_resend",
    ),
]
