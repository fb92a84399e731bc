"""Pages of the year's scoring, under /c/<slug>/<year>/scoring/."""

from django.urls import path

from . import views

app_name = "scoring"

urlpatterns = [
    path("table/", views.table, name="table"),
    path("table/create/", views.table_create, name="table_create"),
    path("table/add/", views.criterion_add, name="criterion_add"),
    path("table/bands/", views.bands_set, name="bands_set"),
    path("table/<int:pk>/", views.criterion_edit, name="criterion_edit"),
    path("table/<int:pk>/remove/", views.criterion_remove, name="criterion_remove"),
    path("table/<int:pk>/move/", views.criterion_move, name="criterion_move"),
    path("units/<int:organization_id>/", views.assessment, name="assessment"),
    path("units/<int:organization_id>/submit/", views.assessment_submit, name="submit"),
    path("units/<int:organization_id>/evidence/", views.evidence_upload, name="evidence_upload"),
    path(
        "units/<int:organization_id>/scores/<int:score_id>/dispute/",
        views.dispute_raise,
        name="dispute_raise",
    ),
    path("units/<int:organization_id>/review/", views.review, name="review"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("cross-check/", views.cross_check, name="cross_check"),
    path("disputes/<int:pk>/settle/", views.dispute_settle, name="dispute_settle"),
    path("ranking/", views.ranking, name="ranking"),
    path("ranking.xlsx", views.ranking_export, name="ranking_export"),
]
