"""Pages of awards: the catalogue, award history, nominations."""

from django.urls import include, path

from . import history_views, views, views_national

app_name = "awards"

YEAR = "c/<slug:slug>/<int:year>/"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("catalogue/<slug:code>/rule/", views.rule_new, name="rule_new"),
    path("history/import/", views.history_import, name="history_import"),
    path("people/", history_views.people, name="people"),
    path("people/new/", history_views.person_new, name="person_new"),
    path("people/duplicates/", views.duplicates, name="duplicates"),
    path("people/<int:pk>/", history_views.person_history, name="person"),
    path("people/<int:pk>/<slug:what>/", history_views.person_history, name="person_add"),
    path("units/<int:pk>/", history_views.unit_history, name="unit_history"),
    path("units/<int:pk>/<slug:what>/", history_views.unit_history, name="unit_add"),
    path(YEAR + "people/new/", history_views.year_person_new, name="year_person_new"),
    path(YEAR + "nominations/", views.nominations, name="nominations"),
    path(YEAR + "nominations/new/", views.nomination_new, name="nomination_new"),
    path(YEAR + "nominations/<int:pk>/", views.nomination_detail, name="nomination"),
    path(YEAR + "nominations/<int:pk>/files/<int:file_pk>/", views.evidence, name="evidence"),
    path(
        YEAR + "nominations/<int:pk>/bao-cao-thanh-tich.docx",
        views.achievement_report,
        name="achievement_report",
    ),
    path(YEAR + "nominations/<int:pk>/submit/", views.nomination_submit, name="nomination_submit"),
    path(
        YEAR + "nominations/<int:pk>/approve/", views.nomination_approve, name="nomination_approve"
    ),
    path(YEAR + "nominations/<int:pk>/return/", views.nomination_return, name="nomination_return"),
    path(YEAR + "nominations/<int:pk>/update/", views.nomination_update, name="nomination_update"),
    path(
        YEAR + "nominations/<int:pk>/evidence/",
        views.nomination_evidence,
        name="nomination_evidence",
    ),
    path(YEAR + "compile/", views.compile_proposal, name="compile"),
    path(YEAR + "decision/", views.decision, name="decision"),
    path(YEAR + "proposal-list.xlsx", views.proposal_list, name="proposal_list"),
    # Long work started from these pages (imports, national reports) runs as a job.
    path("national/", views_national.national, name="national"),
    path("jobs/", include("thidua.jobs.urls")),
]
