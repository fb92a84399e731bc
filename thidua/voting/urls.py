"""Pages of the year's voting, under /c/<slug>/<year>/voting/."""

from django.urls import path

from . import views

app_name = "voting"

urlpatterns = [
    path("", views.poll_list, name="polls"),
    path("new/", views.poll_create, name="poll_create"),
    path("results.xlsx", views.results_export, name="results_export"),
    path("<int:poll_id>/", views.poll_detail, name="poll"),
    path("<int:poll_id>/edit/", views.poll_edit, name="poll_edit"),
    path("<int:poll_id>/vote/", views.vote, name="vote"),
    path("<int:poll_id>/open/", views.open_poll, name="open"),
    path("<int:poll_id>/close/", views.close_poll, name="close"),
    path("<int:poll_id>/runoff/", views.open_next_round, name="runoff"),
    path("<int:poll_id>/count/", views.paper_count, name="paper_count"),
    path("<int:poll_id>/count/confirm/", views.confirm_count, name="confirm_count"),
    path("<int:poll_id>/results/", views.results, name="results"),
    path("<int:poll_id>/box.json", views.ballot_box, name="box"),
    path("<int:poll_id>/minutes.docx", views.minutes, name="minutes"),
    path("<int:poll_id>/papers.docx", views.ballot_papers, name="papers"),
]
