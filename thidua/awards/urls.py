"""Pages of awards: the catalogue, nominations, the national page; and award history's pages,
mounted here so that they keep their addresses and `awards:` names."""

from django.urls import include, path

from . import views

app_name = "awards"

YEAR = "c/<slug:slug>/<int:year>/"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("catalogue/<slug:code>/rule/", views.rule_new, name="rule_new"),
    path("", include("thidua.award_history.urls")),
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
    path(
        YEAR + "decisions/<int:pk>/quyet-dinh.docx",
        views.decision_document,
        name="decision_document",
    ),
    path(YEAR + "decisions/<int:pk>/quyet-dinh.pdf", views.decision_pdf, name="decision_pdf"),
    path(YEAR + "decisions/<int:pk>/chung-nhan.pdf", views.certificates, name="certificates"),
    path(
        YEAR + "decisions/<int:pk>/chung-nhan/in/",
        views.certificates_job,
        name="certificates_job",
    ),
    path(
        YEAR + "decisions/<int:pk>/chung-nhan.docx",
        views.certificates_document,
        name="certificates_document",
    ),
    path(YEAR + "proposal-list.xlsx", views.proposal_list, name="proposal_list"),
    # Long work started from these pages (imports, national reports) runs as a job.
    path("national/", views.national, name="national"),
    path("jobs/", include("thidua.jobs.urls")),
]
