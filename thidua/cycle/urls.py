from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:slug>/", views.cluster_detail, name="cluster_detail"),
    path("c/<slug:slug>/<int:year>/", views.year_dashboard, name="year_dashboard"),
    path("c/<slug:slug>/<int:year>/phase/", views.move_phase, name="move_phase"),
    path("c/<slug:slug>/<int:year>/deadlines/", views.set_deadline, name="set_deadline"),
    path("c/<slug:slug>/<int:year>/movement/", views.movement_edit, name="movement_edit"),
    path("c/<slug:slug>/<int:year>/pledge/", views.pledge, name="pledge"),
    path("c/<slug:slug>/<int:year>/pledge/edit/", views.pledge_edit, name="pledge_edit"),
    path("c/<slug:slug>/<int:year>/history/", views.year_history, name="year_history"),
]
