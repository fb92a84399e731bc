"""Pages of the year's indicators, under /c/<slug>/<year>/indicators/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
