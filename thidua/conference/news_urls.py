"""The public news of each cluster: no login, published articles only."""

from django.urls import path

from . import views

app_name = "news"

urlpatterns = [
    path("<slug:cluster>/", views.public_news, name="list"),
    path("<slug:cluster>/<int:pk>/", views.public_article, name="article"),
]
