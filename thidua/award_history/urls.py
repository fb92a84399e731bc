"""Pages of award history. Awards' urls mount them beside its own, under `/awards/` and the
`awards` namespace, so their addresses and names are the ones they always had."""

from django.urls import path

from . import views

urlpatterns = [
    path("history/import/", views.history_import, name="history_import"),
    path("history/import/mau.xlsx", views.history_template, name="history_template"),
    path("history/import/ratings/", views.ratings_import, name="ratings_import"),
    path("history/import/ratings/mau.xlsx", views.ratings_template, name="ratings_template"),
    path("history/import/initiatives/", views.initiatives_import, name="initiatives_import"),
    path(
        "history/import/initiatives/mau.xlsx",
        views.initiatives_template,
        name="initiatives_template",
    ),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/duplicates/", views.duplicates, name="duplicates"),
    path("people/<int:pk>/", views.person_history, name="person"),
    path("people/<int:pk>/<slug:what>/", views.person_history, name="person_add"),
    path("units/<int:pk>/", views.unit_history, name="unit_history"),
    path("units/<int:pk>/members/import/", views.members_import, name="members_import"),
    path("units/<int:pk>/members/mau.xlsx", views.members_template, name="members_template"),
    path("units/<int:pk>/<slug:what>/", views.unit_history, name="unit_add"),
    path("c/<slug:slug>/<int:year>/people/new/", views.year_person_new, name="year_person_new"),
]
