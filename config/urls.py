from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

# The admin's own texts, in Dutch and translated like the rest of the site.
admin.site.site_header = _("Samenkader – beheer")
admin.site.site_title = _("Samenkader-beheer")
admin.site.index_title = _("Beheer van het platform")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("workflow.api.urls")),
    # / is "Mijn afspraken" for who is signed in and the sign-in page otherwise (workflow.urls).
    path("", include("workflow.urls")),
]
# Stored files (signed documents, previews) are never served from MEDIA_URL, not even in development:
# they leave only through the download views, which check who is asking.

handler400 = "workflow.web.errors.bad_request"
handler403 = "workflow.web.errors.permission_denied"
handler404 = "workflow.web.errors.page_not_found"
handler500 = "workflow.web.errors.server_error"

# No /media/ route, not even with DEBUG on: stored files (sealed PDFs, previews)
# are served only by the download views, which ask who is asking
# (workflow/documents/views/downloads.py).
