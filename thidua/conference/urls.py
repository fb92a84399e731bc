from django.urls import path

from . import views

app_name = "conference"

urlpatterns = [
    path("", views.detail, name="detail"),
    path("attendees/", views.attendee_add, name="attendee_add"),
    path("attendees/<int:pk>/remove/", views.attendee_remove, name="attendee_remove"),
    path("report/", views.report, name="report"),
    path("report/generate/", views.report_generate, name="report_generate"),
    path("report/revise/", views.report_revise, name="report_revise"),
    path("report/compare/", views.report_compare, name="compare"),
    path("report/finalise/", views.report_finalise, name="report_finalise"),
    path("documents/", views.documents_page, name="documents"),
    path("documents/template.docx", views.starter, name="starter"),
    path("documents/<str:kind>.docx", views.download, name="download"),
    path("documents/<str:kind>.pdf", views.download_pdf, name="download_pdf"),
    path("documents/<str:kind>/reset/", views.template_reset, name="template_reset"),
    path("news/", views.news, name="news"),
    path("news/new/", views.article_edit, name="article_new"),
    path("news/draft/", views.article_draft, name="article_draft"),
    path("news/<int:pk>/", views.article_edit, name="article_edit"),
    path("news/<int:pk>/publish/", views.article_publish, name="article_publish"),
]
