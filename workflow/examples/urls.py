"""The public examples (no sign-in), sharing a signed agreement, the Woo package, lessons learnt."""

from django.urls import path

from workflow.examples import views

app_name = "examples"

urlpatterns = [
    path("voorbeelden/", views.example_list, name="list"),
    path("voorbeelden/<slug:slug>/", views.example, name="example"),
    path("voorbeelden/<slug:slug>/woo-publicatie.zip", views.woo_package, name="woo_package"),
    path("afspraken/<str:reference>/delen/", views.share, name="share"),
    path("afspraken/<str:reference>/delen/intrekken/", views.share_withdraw, name="share_withdraw"),
    path("afspraken/<str:reference>/les/", views.lesson, name="lesson"),
]
