"""Pages of award history. Awards' urls mount them beside its own, under `/awards/` and the
`awards` namespace, so their addresses and names are the ones they always had."""

from django.urls import path

from . import views

urlpatterns = [
    path("history/import/", views.history_import, name="history_import"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/duplicates/", views.duplicates, name="duplicates"),
    path("people/<int:pk>/", views.person_history, name="person"),
    path("people/<int:pk>/<slug:what>/", views.person_history, name="person_add"),
    path("units/<int:pk>/", views.unit_history, name="unit_history"),
    path("units/<int:pk>/<slug:what>/", views.unit_history, name="unit_add"),
    path("c/<slug:slug>/<int:year>/people/new/", views.year_person_new, name="year_person_new"),
]
