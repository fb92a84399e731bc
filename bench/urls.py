"""The application's pages, plus one plain view: the baseline of the page benchmark."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


@login_required
def plain(request: HttpRequest) -> HttpResponse:
    """A logged-in request through every middleware, answered without a query of its own."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/plain/", plain),
    path("", include("thidua.urls")),
]
