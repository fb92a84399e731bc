"""Pages of the year's indicators, under /c/<slug>/<year>/indicators/."""

from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.indicator_edit, name="add"),
    path("copy/", views.copy_previous, name="copy"),
    path("i/<str:code>/", views.indicator_edit, name="edit"),
    path("matrix/", views.matrix, name="matrix"),
    path("matrix.xlsx", views.matrix_export, name="matrix_export"),
    path("matrix/remind/", views.remind, name="remind"),
    path("results/", views.results, name="results"),
    path("unit/<int:org_id>/", views.unit, name="unit"),
    path("unit/<int:org_id>/workbook.xlsx", views.workbook, name="workbook"),
    path("unit/<int:org_id>/upload/", views.upload, name="upload"),
]
