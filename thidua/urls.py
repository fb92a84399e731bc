from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from thidua.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("c/<slug:slug>/<int:year>/indicators/", include("thidua.indicators.urls")),
    path("c/<slug:slug>/<int:year>/scoring/", include("thidua.scoring.urls")),
    path("c/<slug:slug>/<int:year>/voting/", include("thidua.voting.urls")),
    path("c/<slug:slug>/<int:year>/conference/", include("thidua.conference.urls")),
    path("news/", include("thidua.conference.news_urls")),
    path("awards/", include("thidua.awards.urls")),
    path("orgs/", include("thidua.orgs.urls")),
    path("notifications/", include("thidua.notifications.urls")),
    path("signing/", include("thidua.signing.urls")),
    path("dossier/", include("thidua.dossier.urls")),
    path("", include("thidua.api.urls")),
    path("", include("thidua.cycle.urls")),
]
