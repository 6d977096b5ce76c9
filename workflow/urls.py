"""Every page of the site. Each concern lists its own pages in its urls.py; this file only puts them together."""

from django.urls import include, path

from workflow.lifecycle.views.home import start

urlpatterns = [
    # / is "Mijn afspraken" for who is signed in and the public home page otherwise.
    path("", start, name="home"),
    path("", include("workflow.web.urls")),
    path("", include("workflow.members.urls")),
    path("voortgang/", include("workflow.monitoring.urls")),
    path("", include("workflow.examples.urls")),
    path("", include("workflow.after_signing.urls")),
    path("", include("workflow.lifecycle.urls")),
    path("", include("workflow.documents.urls")),
    path("", include("workflow.webhooks.urls")),
]
