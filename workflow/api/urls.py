from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from workflow.api import documents, views

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("agreements/", views.AgreementList.as_view(), name="api-agreement-list"),
    path("agreements/<str:reference>/", views.AgreementDetail.as_view(), name="api-agreement-detail"),
    path("agreements/<str:reference>/timeline/", views.AgreementTimeline.as_view(), name="api-agreement-timeline"),
    path("agreements/<str:reference>/comments/", views.Comments.as_view(), name="api-agreement-comments"),
    path("agreements/<str:reference>/submit/", views.Submit.as_view(), name="api-agreement-submit"),
    path("agreements/<str:reference>/approve/", views.Approve.as_view(), name="api-agreement-approve"),
    path(
        "agreements/<str:reference>/request-changes/",
        views.RequestChanges.as_view(),
        name="api-agreement-request-changes",
    ),
    path("agreements/<str:reference>/reopen/", views.Reopen.as_view(), name="api-agreement-reopen"),
    path("agreements/<str:reference>/withdraw/", views.Withdraw.as_view(), name="api-agreement-withdraw"),
    path("agreements/<str:reference>/amend/", views.Amend.as_view(), name="api-agreement-amend"),
    path("agreements/<str:reference>/sign/", views.Sign.as_view(), name="api-agreement-sign"),
    path("agreements/<str:reference>/decline/", views.Decline.as_view(), name="api-agreement-decline"),
    path("agreements/<str:reference>/document/", documents.SignedDocumentMeta.as_view(), name="api-agreement-document"),
    path(
        "agreements/<str:reference>/document.pdf",
        documents.SignedDocumentFile.as_view(),
        name="api-agreement-document-pdf",
    ),
]
