from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from workflow.api import collaboration, docs, documents, drafts, monitoring, organisations, views

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", docs.ApiDocs.as_view(url_name="api-schema"), name="api-docs"),
    path("monitoring/", monitoring.MonitoringFigures.as_view(), name="api-monitoring"),
    path("monitoring/export.csv", monitoring.MonitoringExport.as_view(), name="api-monitoring-export"),
    path("organisations/", organisations.Organisations.as_view(), name="api-organisations"),
    path(
        "organisations/<int:organisation_id>/members/",
        organisations.Members.as_view(),
        name="api-organisation-members",
    ),
    path("agreements/", views.AgreementList.as_view(), name="api-agreement-list"),
    path("agreements/<str:reference>/", views.AgreementDetail.as_view(), name="api-agreement-detail"),
    path("agreements/<str:reference>/draft/", drafts.Draft.as_view(), name="api-agreement-draft"),
    path("agreements/<str:reference>/timeline/", views.AgreementTimeline.as_view(), name="api-agreement-timeline"),
    path("agreements/<str:reference>/comments/", views.Comments.as_view(), name="api-agreement-comments"),
    path(
        "agreements/<str:reference>/comments/<int:comment_id>/resolve/",
        collaboration.CommentResolve.as_view(),
        name="api-agreement-comment-resolve",
    ),
    path("agreements/<str:reference>/advisors/", collaboration.Advisors.as_view(), name="api-agreement-advisors"),
    path(
        "agreements/<str:reference>/advisors/<int:organisation_id>/",
        collaboration.AdvisorRevoke.as_view(),
        name="api-agreement-advisor",
    ),
    path("agreements/<str:reference>/versions/", collaboration.Versions.as_view(), name="api-agreement-versions"),
    path(
        "agreements/<str:reference>/versions/compare/",
        collaboration.VersionCompare.as_view(),
        name="api-agreement-version-compare",
    ),
    path(
        "agreements/<str:reference>/versions/<int:number>/",
        collaboration.VersionDetail.as_view(),
        name="api-agreement-version",
    ),
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
    path("agreements/<str:reference>/preview/", documents.Preview.as_view(), name="api-agreement-preview"),
    path("agreements/<str:reference>/dossier/", documents.Dossier.as_view(), name="api-agreement-dossier"),
    path(
        "agreements/<str:reference>/dossier/<int:export_id>.zip",
        documents.DossierFile.as_view(),
        name="api-agreement-dossier-zip",
    ),
    path(
        "agreements/<str:reference>/preview/<int:preview_id>.pdf",
        documents.PreviewFile.as_view(),
        name="api-agreement-preview-pdf",
    ),
    path(
        "agreements/<str:reference>/document.pdf",
        documents.SignedDocumentFile.as_view(),
        name="api-agreement-document-pdf",
    ),
]
