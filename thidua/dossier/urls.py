"""Pages of the signed dossier: under a cluster's year, and the supervisor's received ones."""

from django.urls import path

from . import views

app_name = "dossier"

YEAR = "c/<slug:slug>/<int:year>/"

urlpatterns = [
    path(YEAR, views.year_page, name="year"),
    path(YEAR + "sign/", views.sign, name="sign"),
    path(YEAR + "export/", views.export, name="export"),
    path(YEAR + "reply/", views.reply, name="reply"),
    path(YEAR + "sent/<int:pk>/package.zip", views.sent_package, name="sent_package"),
    path("received/", views.received, name="received"),
    path("received/<int:pk>/", views.received_detail, name="received_detail"),
    path("received/<int:pk>/return/", views.return_dossier, name="return"),
    path("received/<int:pk>/files/<int:file_pk>/", views.received_file, name="received_file"),
    path("received/<int:pk>/reply.zip", views.reply_package, name="reply_package"),
]
