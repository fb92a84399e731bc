"""Pages of awards: the catalogue, award history, nominations."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
