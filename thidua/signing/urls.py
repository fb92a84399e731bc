"""Signing's pages, under /signing/."""

from django.urls import path

from . import views

app_name = "signing"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("identities/", views.identities, name="identities"),
    path("identities/<int:pk>/change/", views.identity_change, name="identity_change"),
    path("documents/<int:pk>/download/", views.download, name="download"),
    path("c/<slug:slug>/<int:year>/", views.year_documents, name="year"),
]
