"""Pages of the year's scoring, under /c/<slug>/<year>/scoring/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
