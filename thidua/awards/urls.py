"""Pages of awards: the catalogue, award history, nominations."""

from django.urls import path

from . import views

app_name = "awards"

YEAR = "c/<slug:slug>/<int:year>/"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("catalogue/<slug:code>/rule/", views.rule_new, name="rule_new"),
    path("history/import/", views.history_import, name="history_import"),
    path("people/duplicates/", views.duplicates, name="duplicates"),
    path(YEAR + "nominations/", views.nominations, name="nominations"),
    path(YEAR + "nominations/new/", views.nomination_new, name="nomination_new"),
    path(YEAR + "nominations/<int:pk>/", views.nomination_detail, name="nomination"),
    path(YEAR + "nominations/<int:pk>/<slug:action>/", views.nomination_act, name="nomination_act"),
    path(YEAR + "compile/", views.compile_proposal, name="compile"),
    path(YEAR + "decision/", views.decision, name="decision"),
    path(YEAR + "proposal-list.xlsx", views.proposal_list, name="proposal_list"),
]
