"""URLs for the error-page tests: the site's own, and one view that fails."""

from django.urls import include, path


def fails(request: object) -> None:
    raise RuntimeError("a bug in a view")


urlpatterns = [path("boom/", fails), path("", include("thidua.urls"))]
