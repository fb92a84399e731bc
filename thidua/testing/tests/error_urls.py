"""URLs for the error-page tests: the site's own, and one view that fails."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


urlpatterns = [path("boom/", fails), path("", include("thidua.urls"))]
