"""Pages of the year's voting, under /c/<slug>/<year>/voting/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
