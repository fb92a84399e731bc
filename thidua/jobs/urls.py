"""A job's pages, under /jobs/ (mounted by the areas that start jobs, see README)."""

from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("<uuid:pk>/", views.job_detail, name="detail"),
    path("<uuid:pk>/progress/", views.job_progress, name="progress"),
    path("<uuid:pk>/file/", views.job_output, name="output"),
    path("<uuid:pk>/retry/", views.job_retry, name="retry"),
]
