"""The commitments of a signed agreement: the list, one commitment, its two forms."""

from django.urls import path

from workflow.commitments import views

app_name = "commitments"

urlpatterns = [
    path("afspraken/<str:reference>/uitvoering/", views.commitment_list, name="list"),
    path("afspraken/<str:reference>/uitvoering/<int:pk>/", views.commitment, name="detail"),
    path("afspraken/<str:reference>/uitvoering/<int:pk>/bijwerken/", views.update, name="update"),
    path("afspraken/<str:reference>/uitvoering/<int:pk>/uitkomst/", views.outcome, name="outcome"),
]
