"""After signing: the commitments of a signed agreement (and its decision moments' outcomes), joint evaluations,
escalations up the agreed ladder."""

from django.urls import path

from workflow.after_signing.views import commitments, escalations, evaluations

app_name = "after_signing"

urlpatterns = [
    path("afspraken/<str:reference>/uitvoering/", commitments.commitment_list, name="commitments"),
    path("afspraken/<str:reference>/uitvoering/<int:pk>/", commitments.commitment, name="commitment"),
    path("afspraken/<str:reference>/uitvoering/<int:pk>/bijwerken/", commitments.update, name="commitment_update"),
    path("afspraken/<str:reference>/uitvoering/<int:pk>/uitkomst/", commitments.outcome, name="decision_outcome"),
    path("afspraken/<str:reference>/evaluaties/", evaluations.evaluation_list, name="evaluations"),
    path("afspraken/<str:reference>/evaluaties/<int:pk>/", evaluations.evaluation, name="evaluation"),
    path("afspraken/<str:reference>/escalaties/", escalations.escalation_list, name="escalations"),
    path("afspraken/<str:reference>/escalaties/<int:pk>/", escalations.escalation, name="escalation"),
]
